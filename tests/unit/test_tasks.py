"""What a worker receives for a lemma: one rule for check_many and the sweep."""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import pytest

import symbound.claims as sb
from symbound import load_catalogue
from symbound.check import check, check_many
from symbound.check.tasks import reference, resolve
from symbound.notation import t

CAT = load_catalogue()


def _typed_claim():
    A, D = sb.matrix("A", "n", "n"), sb.matrix("D", "n", "n")
    return sb.claim(
        "mine.softmax-l1.half",
        given=[sb.norm(D, "max") <= t],
        then=sb.norm(sb.softmax(A + D) - sb.softmax(A), "row") <= sb.tanh(t / 2),
        ranges={"t": (0, 4)},
    )


def test_a_catalogue_lemma_travels_as_its_key():
    lemma = CAT["as25.lemma4.1"]
    assert reference(lemma) == "as25.lemma4.1"
    assert resolve("as25.lemma4.1") is lemma


def test_a_typed_claim_travels_as_itself_and_pickles():
    mine = _typed_claim()
    assert reference(mine) is mine
    again = pickle.loads(pickle.dumps(mine))
    assert again.key == mine.key and resolve(again) is again
    options = {"seed": 2, "samples": 200, "starts": 1}
    assert check(again, **options).to_json() == check(mine, **options).to_json()


def test_a_lemma_that_does_not_pickle_stays_here():
    n3 = CAT["as25.collapse-one-layer"]
    space = n3.space  # a space built by a local function does not pickle
    planted = n3.with_rhs(n3.conclusion.rhs / 50, key="planted.n3-over-50").variant(
        space=type(space)(space.dimension, lambda z, s, b: space.build(z, s, b), space.description)
    )
    with pytest.raises(Exception):  # noqa: B017 (pickle's errors vary by kind)
        pickle.dumps(planted)
    assert reference(planted) is None
    # a catalogue key that is not this lemma's own: not sent as a key either
    lemma = CAT["as25.lemma4.1"]
    impostor = lemma.with_rhs(2 * lemma.conclusion.rhs, key="as25.lemma4.1")
    assert impostor is not lemma and reference(impostor) != "as25.lemma4.1"


def test_check_many_sends_each_lemma_by_the_rule_and_gets_the_same_results():
    sent = []

    class Recording(ProcessPoolExecutor):
        def submit(self, fn, *args, **kwargs):
            sent.append(args[0])
            return super().submit(fn, *args, **kwargs)

    lemmas = [CAT["as25.lemma4.1.corrected"], _typed_claim()]
    options = {"seed": 1, "samples": 200, "starts": 1}
    here = check_many(lemmas, **options)
    with Recording(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as pool:
        there = check_many(lemmas, executor=pool, **options)
    assert sent[0] == "as25.lemma4.1.corrected"
    assert sent[1].key == "mine.softmax-l1.half"  # the typed claim itself
    assert [r.to_json() for r in there] == [r.to_json() for r in here]


def _slow_at_one(x):
    import time

    if x == 1:
        time.sleep(60)
    if x == 2:
        raise ValueError("two")
    return -x


def test_fork_imap_yields_in_order_raises_at_its_turn_and_stops_what_is_left():
    import time

    from symbound.parallel import fork_imap

    assert (
        list(fork_imap(abs, [-3, 1, -2, 0], 2))
        == [3, 1, 2, 0]
        == list(fork_imap(abs, [-3, 1, -2, 0], 1))
    )
    with pytest.raises(ValueError, match="two"):
        list(fork_imap(_slow_at_one, [0, 2, 3], 2))
    t0 = time.perf_counter()
    results = fork_imap(_slow_at_one, [0, 1, 3], 2)
    assert next(results) == 0  # item 1 is asleep in its worker
    results.close()
    assert time.perf_counter() - t0 < 20
    assert multiprocessing.active_children() == []
