"""Claims as values: the lemma model, instance spaces, and the catalogue loader."""

from symbound.lemmas.catalogue import Catalogue, Kind, load_catalogue
from symbound.lemmas.model import (
    Choice,
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
    "Choice",
    "Citation",
    "Form",
    "Inequality",
    "InstanceSpace",
    "Kind",
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
