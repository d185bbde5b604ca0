"""Every registered claim HOLDS on the built-in problems, and the checks can fail."""

import dataclasses

import pytest

from krtheory.claims import RunConfig, Status, Verdict, verdict_record
from krtheory.cli.verify import load_registry
from krtheory.precision import context
from proofs_checks import diagonal_theorem1
from proofs_checks._compare import compare_limits

REGISTRY = load_registry()


@pytest.mark.parametrize("claim_id", sorted(REGISTRY))
def test_claim_holds_in_quick_mode(claim_id):
    verdict = REGISTRY[claim_id].run(RunConfig(mode="quick", seed=0))
    assert verdict.status is Status.HOLDS, verdict.summary


def test_theorem1_check_refutes_a_wrong_potential():
    """Fed R (the explicit regularizer, eqs. 8-9) in place of Q, the Theorem-1 check says REFUTED."""
    domain = dataclasses.replace(diagonal_theorem1.DOMAIN, alphas=("1",))
    verdict = diagonal_theorem1.check_theorem1(RunConfig(), general_shape=False, family="explicit",
                                               domain=domain)
    assert verdict.status is Status.REFUTED, verdict.summary


@dataclasses.dataclass
class _Result:
    beta: list
    dps: int
    digits: int | None = None
    error_estimate: object = 0


def _pair(offset: str, flow_error: str, prediction_digits: int):
    ctx = context(50)
    exact = [ctx.mpf(1) / 3, ctx.mpf(-2) / 7]
    flow = _Result([exact[0] + ctx.mpf(offset), exact[1]], 50, error_estimate=ctx.mpf(flow_error))
    prediction = _Result(exact, 50, digits=prediction_digits)
    return flow, prediction


@pytest.mark.parametrize("offset, flow_error, digits, expected", [
    ("1e-35", "1e-34", 40, Status.HOLDS),          # agree to 35 digits, both known that well
    ("1e-10", "1e-34", 40, Status.REFUTED),        # differ far beyond both error budgets
    ("1e-30", "1e-20", 40, Status.INCONCLUSIVE),   # agree, but the flow is only known to 1e-20
    ("1e-30", "1e-34", 20, Status.INCONCLUSIVE),   # agree, but the prediction has 20 digits
    ("1e-22", "1e-21", 40, Status.INCONCLUSIVE),   # differ, within the flow's error budget
])
def test_compare_limits_is_three_valued(offset, flow_error, digits, expected):
    flow, prediction = _pair(offset, flow_error, digits)
    assert compare_limits(flow, prediction, 25).status is expected


def test_combine():
    assert Status.combine(Status.HOLDS, Status.HOLDS) is Status.HOLDS
    assert Status.combine(Status.HOLDS, Status.INCONCLUSIVE) is Status.INCONCLUSIVE
    assert Status.combine(Status.INCONCLUSIVE, Status.REFUTED) is Status.REFUTED
    assert Status.combine(Status.REFUTED, Status.HOLDS, Status.INCONCLUSIVE) is Status.REFUTED
    assert Status.combine() is Status.HOLDS


def _leaves(value):
    """Every number or string inside a domain field (tuples, lists and {depth: tuple} ladders)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@pytest.mark.parametrize("claim_id", sorted(REGISTRY))
def test_domain_text_names_every_quick_instance(claim_id):
    """The printed domain is rendered from the data the check runs on, so it cannot drift."""
    domain = REGISTRY[claim_id].domain
    text = domain.describe()
    assert isinstance(text, str) and text == verdict_record(REGISTRY[claim_id], Verdict(Status.HOLDS, ""))["domain"]
    data = [domain.problems_in("quick"), domain.alphas_in("quick")]
    data += [domain.extra(name, "quick") for name in domain.extras]
    for leaf in _leaves(data):
        assert str(leaf) in text, (leaf, text)
    if domain.dps is not None:
        assert f"dps {domain.dps}" in text


def test_domain_renders_both_modes():
    from krtheory.claims import Domain

    domain = Domain("on test data", problems=("p",), alphas={"quick": ("1", "2"), "full": {3: ("4",)}}, dps=7,
                    extras={"seeds": {"quick": 8, "full": 32}, "pairs in": ((2, 3),)})
    assert domain.describe() == ("on test data, problems {p}, alpha in {1, 2} (full: D=3: {4}), "
                                 "seeds 8 (full: 32), pairs in {(2, 3)}, dps 7")
    assert domain.alphas_in("full") == {3: ("4",)} and domain.problems_in("full") == ("p",)
