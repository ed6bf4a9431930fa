"""Hostile certificates: a one-line UsageError naming what is wrong (or, for a well-formed
certificate that is wrong, the status "rejected"), fast, never a traceback or a hang.

Each case runs under a hard time limit (SIGALRM), since several of these inputs once hung
or allocated without bound.
"""

from __future__ import annotations

import contextlib
import copy
import json
import signal
import time

import pytest
import sympy as sp

from symbound.errors import UsageError
from symbound.prove.claim import Box
from symbound.prove.prover import prove
from symbound.prove.recheck import MAX_BYTES, MAX_DEPTH, recheck, recheck_file

HUGE = "1e999999999"
x, y = sp.symbols("x y", real=True)


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def time_limit(seconds: float):
    def expire(signum, frame):
        raise _TooSlow(f"more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _certificate(lhs, rhs, specs, **options) -> dict:
    return json.loads(json.dumps(prove(lhs, rhs, Box.parse(specs), **options).to_json("t")))


PROVED = _certificate(x * (1 - x), sp.Rational(1, 4), ["x=0..1"])
REFUTED = _certificate(x * (1 - x), sp.Rational(1, 5), ["x=0..1"])
H, L, eta = sp.symbols("H L eta", real=True)
REDUCED = _certificate(
    (1 + H * eta) ** L - 1,
    L * H * eta * sp.exp(L * H * eta),
    ["eta=0..1/10", "H=1..64", "L=1..1000"],
)
assert PROVED["verdict"] == "proved" and REFUTED["verdict"] == "refuted"
assert [r["rule"] for r in REDUCED["reductions"]] == ["power-exp", "substitute"]


def usage_error(doc, match: str, limit: float = 5.0) -> str:
    with time_limit(limit), pytest.raises(UsageError) as info:
        recheck(doc)
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message
    assert match in message, message
    return message


def rejected(doc, match: str, limit: float = 5.0) -> str:
    with time_limit(limit):
        result = recheck(doc)
    assert result.status == "rejected" and not result.ok, result
    assert "\n" not in result.message and match in result.message, result.message
    return result.message


def edit(base: dict, change) -> dict:
    doc = copy.deepcopy(base)
    change(doc)
    return doc


def first_split(doc: dict) -> dict:
    node = doc["tree"]
    while node["by"] != "split":
        node = node["face"]
    return node


# -- precision -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, match",
    [
        ("abc", "precision_bits must be an integer, got str"),
        (-5, "between 2 and 4096"),
        (0, "between 2 and 4096"),
        (5000, "between 2 and 4096"),
        (100_000_000, "between 2 and 4096"),
        (10**400, "between 2 and 4096"),
        (True, "must be an integer, got bool"),
        (128.0, "must be an integer, got float"),
        (None, "must be an integer, got NoneType"),
    ],
)
def test_precision_is_an_integer_within_the_provers_limit(value, match):
    for base in (PROVED, REFUTED):
        usage_error(edit(base, lambda d: d.update(precision_bits=value)), match)


# -- nesting, size -------------------------------------------------------------------------
def test_a_json_nested_100000_levels_deep(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"certificate": 1, "tree": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with time_limit(5), pytest.raises(UsageError, match="nested too deeply"):
        recheck_file(path)


def test_a_tree_deeper_than_the_bound_is_refused_without_recursion():
    doc = copy.deepcopy(PROVED)
    doc["tree"] = node = {"box": {"x": ["0", "1"]}, "by": "monotone", "fixed": {}}
    for _ in range(MAX_DEPTH + 5):  # a chain of faces, each the same box
        node["face"] = {"box": {"x": ["0", "1"]}, "by": "monotone", "fixed": {}}
        node = node["face"]
    node.update(by="enclosure")
    usage_error(doc, f"deeper than {MAX_DEPTH} levels", limit=30)


def test_a_tree_that_is_its_own_face_ends():
    doc = copy.deepcopy(PROVED)
    loop = {"box": {"x": ["0", "1"]}, "by": "monotone", "fixed": {}}
    loop["face"] = loop  # possible from Python, not from JSON
    doc["tree"] = loop
    usage_error(doc, "deeper than", limit=30)


def test_a_file_larger_than_the_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with path.open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)  # sparse: nothing is written, nothing may be read
    t0 = time.perf_counter()
    with time_limit(5), pytest.raises(UsageError, match="larger than 32 MiB"):
        recheck_file(path)
    assert time.perf_counter() - t0 < 1


@pytest.mark.parametrize(
    "content, match",
    [
        (b"\xff\xfe{}", "cannot read the certificate"),
        (b'{"certificate": 1, "precision_bits": ' + b"9" * 5000 + b"}", "cannot read"),
        (b"[1, 2]", "a JSON object is expected"),
        (b'{"certificate": true}', "not a symbound certificate"),
        (b'{"certificate": "1"}', "not a symbound certificate"),
        (b'{"certificate": 1}', "no field verdict"),
        (b'{"certificate": 1, "verdict": "OK"}', "verdict must be proved, refuted or inconclusive"),
        (b'{"certificate": 1, "verdict": 1}', "verdict must be text"),
    ],
)
def test_unreadable_files(tmp_path, content, match):
    path = tmp_path / "c.json"
    path.write_bytes(content)
    with time_limit(5), pytest.raises(UsageError, match=match):
        recheck_file(path)


def test_a_folder_is_not_a_certificate(tmp_path):
    with pytest.raises(UsageError, match="folder"):
        recheck_file(tmp_path)


# -- numbers -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["claim"]["box"].update(x=["0", HUGE]), "claim.box.x[1]"),
        (lambda d: d["goal"]["box"].update(x=[HUGE, "1"]), "goal.box.x[0]"),
        (lambda d: d["tree"]["box"].update(x=["0", HUGE]), "tree.box.x[1]"),
        (lambda d: first_split(d).update(at=HUGE), "at"),
        (lambda d: d["claim"]["box"].update(x=["0", "1" * 1200]), "digits"),
        (lambda d: d["claim"]["box"].update(x=["0", "1/0"]), "division by zero"),
        (lambda d: d["claim"]["box"].update(x=["0", "nan"]), "not an exact number"),
        (lambda d: d["claim"]["box"].update(x=["0", 1]), "must be a number as text"),
        (lambda d: d["claim"]["box"].update(x=["1", "0"]), "is empty"),
    ],
)
def test_numbers_are_bounded_and_exact(change, field):
    usage_error(edit(PROVED, change), field)


def test_witness_and_range_numbers_are_bounded():
    usage_error(edit(REFUTED, lambda d: d["witness"].update(x=HUGE)), "witness.x")
    usage_error(
        edit(REDUCED, lambda d: d["reductions"][1].update(range=["0", HUGE])), "reductions[1].range"
    )


# -- missing and mistyped fields -----------------------------------------------------------
@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d.pop("claim"), "no field claim"),
        (lambda d: d.update(claim=[]), "claim must be an object"),
        (lambda d: d["claim"].pop("lhs"), "no field claim.lhs"),
        (lambda d: d["claim"].update(lhs=3), "claim.lhs must be text"),
        (lambda d: d["claim"].update(box=[]), "claim.box must be an object"),
        (lambda d: d["claim"]["box"].update(x="0..1"), "claim.box.x must be a list"),
        (lambda d: d["claim"]["box"].update(x=["0", "1", "2"]), "claim.box.x must be a list"),
        (lambda d: d["claim"].update(box={"exp": ["0", "1"]}), "not a parameter name"),
        (lambda d: d["claim"].update(box={"1x": ["0", "1"]}), "not a parameter name"),
        (lambda d: d["claim"].update(box={f"p{i}": ["0", "1"] for i in range(70)}), "64"),
        (lambda d: d["claim"].pop("integers"), "no field claim.integers"),
        (lambda d: d["claim"].update(integers="x"), "claim.integers must be a list"),
        (lambda d: d["claim"].update(integers=["z"]), "not in the box"),
        (lambda d: d["claim"].update(box={"x": ["0", "1/2"]}, integers=["x"]), "non-integer"),
        (lambda d: d["claim"].update(lhs="__import__('os')"), "claim.lhs: cannot use"),
        (lambda d: d["claim"].update(lhs="((10**10)**10000)**10000"), "claim.lhs"),
        (lambda d: d["claim"].update(lhs="x" * 3000), "characters long"),
        (lambda d: d.update(reductions={}), "reductions must be a list"),
        (lambda d: d.update(reductions=[1]), "reductions[0] must be an object"),
        (lambda d: d.update(reductions=[{"rule": "magic"}]), "is not a known rule"),
        (lambda d: d.update(reductions=[{}]), "no field reductions[0].rule"),
        (lambda d: d.pop("goal"), "no field goal"),
        (lambda d: d["goal"].update(f=None), "goal.f must be text"),
        (lambda d: d["goal"].update(integers=None), "goal.integers must be a list"),
        (lambda d: d.pop("tree"), "no field tree"),
        (lambda d: d.update(tree="enclosure"), "tree must be an object"),
        (lambda d: d["tree"].pop("box"), "no field tree.box"),
        (lambda d: d["tree"].pop("by"), "no field tree.by"),
        (lambda d: first_split(d).update(children={}), "children must be a list"),
        (lambda d: first_split(d).update(children=[1, 2]), "must be an object"),
        (lambda d: first_split(d).update(variable=7), "variable must be text"),
        (lambda d: first_split(d).pop("at"), "no field"),
    ],
)
def test_every_missing_or_mistyped_field_is_named(change, field):
    usage_error(edit(PROVED, change), field)


@pytest.mark.parametrize(
    "change, field",
    [
        (lambda d: d["reductions"][1].update(variable=5), "reductions[1].variable must be text"),
        (lambda d: d["reductions"][1].update(variable="pi"), "not a parameter name"),
        (lambda d: d["reductions"][1].pop("monomial"), "no field reductions[1].monomial"),
        (lambda d: d["reductions"][1].update(range="0..1"), "must be a list"),
        (lambda d: d["reductions"][0].update(term=[]), "reductions[0].term must be text"),
        (lambda d: d["tree"]["fixed"].update(t=1), "must be an object"),
        (lambda d: d["tree"]["fixed"].update(t={"at": "middle"}), "is lo or hi"),
        (lambda d: d["tree"].update(fixed=[]), "fixed must be an object"),
    ],
)
def test_fields_of_reductions_and_monotone_steps(change, field):
    assert REDUCED["tree"]["by"] == "monotone"
    usage_error(edit(REDUCED, change), field)


def test_witness_fields():
    usage_error(edit(REFUTED, lambda d: d.pop("witness")), "no field witness")
    usage_error(edit(REFUTED, lambda d: d.update(witness=["1/2"])), "witness must be an object")
    usage_error(edit(REFUTED, lambda d: d["witness"].update(x=0.5)), "witness.x must be a number")
    long_name = "x" * 100_000  # named in no message
    usage_error(edit(REFUTED, lambda d: d["witness"].update({long_name: "0"})), "witness key")


# -- well formed, but wrong: rejected, quickly ---------------------------------------------
def test_a_comparison_too_large_to_expand_is_rejected_not_attempted():
    terms = "+".join(f"x{i}" for i in range(12))

    def blow_up(d):
        for box in (d["claim"]["box"], d["goal"]["box"]):
            box.update({f"x{i}": ["0", "1"] for i in range(12)})
        d["claim"]["lhs"] = f"x*(1 - x) + ({terms})**40 - ({terms})**40"
        d["goal"]["f"] = f"x*(1 - x) - 1/4 + ({terms})**39*(x0 + 1) - ({terms})**40"

    rejected(edit(PROVED, blow_up), "too large to compare")


def test_an_oversized_monomial_image_is_rejected():
    def huge(d):
        d["claim"]["box"]["eta"] = ["0", "1" + "0" * 900]
        d["reductions"][1].update(monomial="H*L*eta**9000")

    rejected(edit(REDUCED, huge), "too large to compute exactly")


def test_an_exponential_beyond_every_bound_is_rejected():
    doc = edit(PROVED, lambda d: d["goal"].update(f="exp(10**9*x) - 1 + x*(1 - x) - 1/4"))
    rejected(doc, "")


@pytest.mark.parametrize(
    "change, why",
    [
        (
            lambda d: first_split(d)["children"].append(first_split(d)["children"][0]),
            "two children",
        ),
        (lambda d: d["tree"].update(by="open"), "proves nothing"),
        (lambda d: first_split(d).update(variable="q"), "not a parameter of the box"),
        (lambda d: d["claim"].update(lhs="x*(1 - x) + q"), "q, without a range"),
    ],
)
def test_wrong_but_well_formed(change, why):
    rejected(edit(PROVED, change), why)
