"""Paper content as data: one module per source, each exposing ``LEMMAS``.

Installed as ``symbound.derivations``; :func:`symbound.load_catalogue` imports every
module here.  A second paper is a new module.
"""
