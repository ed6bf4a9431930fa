"""What a worker process receives for a lemma: one rule for every parallel run.

Lemmas hold functions, so not every lemma can travel to another process.
:func:`reference` decides once, for :func:`~symbound.check.check_many`, the sweep and
the appendix alike: the built-in catalogue's own lemma travels as its key (the
worker loads the catalogue and looks it up), any other lemma as itself when it
pickles (lemmas made with :mod:`symbound.claims` do), and otherwise it stays here
(None: run it in this process).  :func:`resolve` turns what a worker received back
into the lemma.

>>> from symbound import load_catalogue
>>> lemma = load_catalogue()["as25.lemma4.1"]
>>> reference(lemma)
'as25.lemma4.1'
>>> resolve(reference(lemma)) is lemma
True
"""

from __future__ import annotations

import pickle

from symbound.lemmas.model import Lemma

__all__ = ["reference", "resolve"]


def reference(lemma: Lemma) -> str | Lemma | None:
    """``lemma``'s key if it is the built-in catalogue's, the lemma itself if it pickles,
    else None (it must run in this process)."""
    from symbound.lemmas.catalogue import load_catalogue

    if load_catalogue().get(lemma.key) is lemma:
        return lemma.key
    try:
        pickle.dumps(lemma)
    except Exception:  # lemmas hold local functions; pickle's errors vary by kind
        return None
    return lemma


def resolve(ref: str | Lemma) -> Lemma:
    """The lemma a worker received: a catalogue key looked up, or the lemma itself."""
    if isinstance(ref, Lemma):
        return ref
    from symbound.lemmas.catalogue import load_catalogue

    return load_catalogue()[ref]
