"""Hostile checkpoints: each refused in one line (exit 2), before a large read."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import save_file

from symbound.cli import EXIT_USAGE, main
from symbound.errors import UsageError
from symbound.models import load_bert
from tests.unit.test_models import tiny_tensors, write_model


def audit_error(capsys, folder) -> str:
    code = main(["audit", str(folder)])
    _out, err = capsys.readouterr()
    assert code == EXIT_USAGE and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda c: [], "expected a JSON object"),
        (
            lambda c: {**c, "num_attention_heads": 0},
            "num_attention_heads must be an integer from 1",
        ),
        (
            lambda c: {**c, "num_attention_heads": -2},
            "num_attention_heads must be an integer from 1",
        ),
        (lambda c: {**c, "num_hidden_layers": True}, "non-integer num_hidden_layers"),
        (lambda c: {**c, "layer_norm_eps": "abc"}, "layer_norm_eps must be a number"),
        (lambda c: {**c, "layer_norm_eps": -1}, "layer_norm_eps must be a number"),
        (lambda c: {**c, "hidden_size": 32768, "num_attention_heads": 8}, "hidden_size must be"),
        (
            lambda c: {**c, "hidden_size": 16384, "num_attention_heads": 8, "num_hidden_layers": 4},
            "GiB as float64",
        ),
    ],
)
def test_a_bad_config_is_refused(capsys, tmp_path, change, match):
    tensors, config = tiny_tensors()
    folder = write_model(tmp_path / "m", tensors, config)
    (folder / "config.json").write_text(json.dumps(change(config)))
    assert match in audit_error(capsys, folder)


@pytest.mark.parametrize(
    ("dtype", "match"),
    [(np.int8, "holds I8 values"), (np.bool_, "holds BOOL values")],
)
def test_weights_that_are_not_floating_point_are_refused(capsys, tmp_path, dtype, match):
    tensors, config = tiny_tensors()
    name = "encoder.layer.0.attention.self.value.weight"
    tensors[name] = (tensors[name] > 0).astype(dtype)
    folder = write_model(tmp_path / "m", tensors, config)
    line = audit_error(capsys, folder)
    assert match in line and name in line


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_infinite_weights_are_refused(tmp_path, bad):
    tensors, config = tiny_tensors()
    name = "encoder.layer.1.attention.self.query.weight"
    tensors[name][0, 0] = bad
    folder = write_model(tmp_path / "m", tensors, config)
    with pytest.raises(UsageError, match=f"{name} has NaN or infinite"):
        load_bert(folder)


def test_a_header_declaring_a_huge_tensor_is_refused_before_reading(tmp_path):
    """The config's sizes bound what is read; a tensor whose header disagrees is named."""
    tensors, config = tiny_tensors()
    folder = write_model(tmp_path / "m", tensors, config)
    big = dict(tensors)
    big["encoder.layer.0.attention.self.key.weight"] = np.zeros((2048, 2048), np.float32)
    save_file(big, str(folder / "model.safetensors"))
    with pytest.raises(UsageError, match=r"has shape \(2048, 2048\), config.json implies"):
        load_bert(folder)
