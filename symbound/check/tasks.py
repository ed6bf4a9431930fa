"""What a worker process receives for a catalogue entry: one rule for every parallel run.

Lemmas hold functions, so not every entry can travel to another process.
:func:`reference` decides once, for :func:`~symbound.check.check_many`, the sweep and
the appendix alike, for an entry of any kind (a claim, a composed bound, a scalar
claim, an experiment): the built-in catalogue's own entry travels as its key (the
worker loads the catalogue and looks it up), any other entry as itself when it
pickles (lemmas made with :mod:`symbound.claims` do), and otherwise it stays here
(None: run it in this process).  :func:`resolve` turns what a worker received back
into the entry.

>>> from symbound import load_catalogue
>>> lemma = load_catalogue()["as25.lemma4.1"]
>>> reference(lemma)
'as25.lemma4.1'
>>> resolve(reference(lemma)) is lemma
True
"""

from __future__ import annotations

import pickle
from typing import Any

__all__ = ["reference", "resolve"]


def reference(entry: Any) -> Any:
    """``entry``'s key if it is the built-in catalogue's, the entry itself if it pickles,
    else None (it must run in this process)."""
    from symbound.lemmas.catalogue import load_catalogue

    cat = load_catalogue()
    kind = cat.kind_of(entry.key)
    if kind is not None and cat.section(kind).get(entry.key) is entry:
        return entry.key
    try:
        pickle.dumps(entry)
    except Exception:  # entries hold local functions; pickle's errors vary by kind
        return None
    return entry


def resolve(ref: Any) -> Any:
    """The entry a worker received: a key of the built-in catalogue looked up (any kind:
    keys are one space), or the entry itself."""
    if not isinstance(ref, str):
        return ref
    from symbound.lemmas.catalogue import load_catalogue

    return load_catalogue().entry(ref)
