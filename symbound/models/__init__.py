"""Real checkpoints: reading BERT-style weights without torch, and auditing bounds on them.

- :mod:`~symbound.models.checkpoint` -- ``config.json`` + ``model.safetensors`` into
  heads, LayerNorms and embeddings (one-line errors naming the file or tensor);
- :mod:`~symbound.models.audit` -- the catalogue's bounds evaluated at a real model's
  weight statistics beside the measured quantities: vacuous or informative.
"""

from symbound.models.checkpoint import (
    AttentionLayer,
    BertCheckpoint,
    embed,
    load_bert,
    minilm_dir,
    token_ids,
)

__all__ = ["AttentionLayer", "BertCheckpoint", "embed", "load_bert", "minilm_dir", "token_ids"]
