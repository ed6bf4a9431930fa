"""Claims as values: the lemma model, instance spaces, and the catalogue loader."""

from symbound.lemmas.catalogue import Catalogue, load_catalogue
from symbound.lemmas.model import (
    Citation,
    Form,
    Inequality,
    Lemma,
    Parameter,
    Provenance,
    Quantity,
    Variable,
)
from symbound.lemmas.space import InstanceSpace, Reader, open_unit, positive, unit_box

__all__ = [
    "Catalogue",
    "Citation",
    "Form",
    "Inequality",
    "InstanceSpace",
    "Lemma",
    "Parameter",
    "Provenance",
    "Quantity",
    "Reader",
    "Variable",
    "load_catalogue",
    "open_unit",
    "positive",
    "unit_box",
]
