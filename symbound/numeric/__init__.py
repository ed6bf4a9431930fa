"""The numeric core: backends, norms, Res, softmax with masks, attention, expressions.

Everything here takes an explicit ``backend=`` (float64, mpmath at ``dps``, exact
rationals, Arb balls); nothing reads or changes a global precision.
"""

from symbound.numeric.attention import (
    Head,
    Layer,
    LayerNorm,
    attention_head,
    attention_layer,
    attention_logits,
    attention_matrix,
    layer_norm,
    network,
)
from symbound.numeric.backends import (
    BACKENDS,
    AbstractBackend,
    ArbBackend,
    ExactBackend,
    Float64Backend,
    MpmathBackend,
    get_backend,
    to_fraction,
)
from symbound.numeric.expr import compile_expr
from symbound.numeric.norms import (
    col_sum_norm,
    composite_norm,
    frobenius_norm,
    max_norm,
    row_sum_norm,
)
from symbound.numeric.residual import res, res_center, res_norm
from symbound.numeric.softmax import causal_mask, local_mask, softmax

__all__ = [
    "BACKENDS",
    "AbstractBackend",
    "ArbBackend",
    "ExactBackend",
    "Float64Backend",
    "Head",
    "Layer",
    "LayerNorm",
    "MpmathBackend",
    "attention_head",
    "attention_layer",
    "attention_logits",
    "attention_matrix",
    "causal_mask",
    "col_sum_norm",
    "compile_expr",
    "composite_norm",
    "frobenius_norm",
    "get_backend",
    "layer_norm",
    "local_mask",
    "max_norm",
    "network",
    "res",
    "res_center",
    "res_norm",
    "row_sum_norm",
    "softmax",
    "to_fraction",
]
