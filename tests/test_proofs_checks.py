"""Every registered claim HOLDS on the built-in problems, and the checks can fail."""

import dataclasses

import pytest

from krtheory.claims import RunConfig, Status
from krtheory.cli.verify import load_registry
from krtheory.precision import context
from proofs_checks import diagonal_theorem1
from proofs_checks._compare import compare_limits

REGISTRY = load_registry()


@pytest.mark.parametrize("claim_id", sorted(REGISTRY))
def test_claim_holds_in_quick_mode(claim_id):
    verdict = REGISTRY[claim_id].run(RunConfig(mode="quick", seed=0))
    assert verdict.status is Status.HOLDS, verdict.summary


def test_theorem1_check_refutes_a_wrong_potential(monkeypatch):
    """Fed R (the explicit regularizer, eqs. 8-9) in place of Q, the Theorem-1 check says REFUTED."""
    monkeypatch.setattr(diagonal_theorem1, "ALPHAS", {"quick": ("1",)})
    verdict = diagonal_theorem1.check_theorem1(RunConfig(), general_shape=False, family="explicit")
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
