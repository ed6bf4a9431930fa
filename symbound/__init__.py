"""symbound: check, refute and tighten the bounds of attention-collapse theory.

The public API, re-exported from the subpackages:

- :mod:`symbound.notation` -- the symbols (``eta``, ``phi0``, ``H``, ...) and ``g``;
- :mod:`symbound.numeric` -- backends (float64, mpmath, exact, Arb), norms, Res,
  softmax with masks, attention heads, layers and networks;
- :mod:`symbound.lemmas` -- the lemma model and :func:`load_catalogue`;
- :mod:`symbound.check` -- :func:`check`: search, exact witnesses, tightness.

Importing symbound registers nothing; the paper content is loaded from
``derivations/`` by :func:`load_catalogue`.
"""

from symbound import notation
from symbound.check import CheckResult, Evaluation, Verdict, check, check_many
from symbound.errors import (
    InvalidLemmaError,
    NotExactError,
    SymboundError,
    UnknownLemmaError,
    UsageError,
)
from symbound.lemmas import (
    Catalogue,
    Citation,
    Form,
    Inequality,
    InstanceSpace,
    Lemma,
    Parameter,
    Provenance,
    Quantity,
    Variable,
    load_catalogue,
)
from symbound.numeric import (
    ArbBackend,
    ExactBackend,
    Float64Backend,
    Head,
    Layer,
    LayerNorm,
    MpmathBackend,
    attention_head,
    attention_layer,
    attention_matrix,
    causal_mask,
    col_sum_norm,
    composite_norm,
    frobenius_norm,
    get_backend,
    layer_norm,
    local_mask,
    max_norm,
    network,
    res,
    res_norm,
    row_sum_norm,
    softmax,
)

__version__ = "0.1.0"

__all__ = [
    "ArbBackend",
    "Catalogue",
    "CheckResult",
    "Citation",
    "Evaluation",
    "ExactBackend",
    "Float64Backend",
    "Form",
    "Head",
    "Inequality",
    "InstanceSpace",
    "InvalidLemmaError",
    "Layer",
    "LayerNorm",
    "Lemma",
    "MpmathBackend",
    "NotExactError",
    "Parameter",
    "Provenance",
    "Quantity",
    "SymboundError",
    "UnknownLemmaError",
    "UsageError",
    "Variable",
    "Verdict",
    "attention_head",
    "attention_layer",
    "attention_matrix",
    "causal_mask",
    "check",
    "check_many",
    "col_sum_norm",
    "composite_norm",
    "frobenius_norm",
    "get_backend",
    "layer_norm",
    "load_catalogue",
    "local_mask",
    "max_norm",
    "network",
    "notation",
    "res",
    "res_norm",
    "row_sum_norm",
    "softmax",
]
