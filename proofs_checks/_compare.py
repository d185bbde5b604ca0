"""Shared verdict logic: compare the flow's limit (evidence) with a predicted limit."""

from __future__ import annotations

import dataclasses

from krtheory.claims import Status
from krtheory.precision import context


@dataclasses.dataclass(frozen=True)
class Agreement:
    """How a flow limit and a prediction compare, relative to max|beta_prediction|.

    ``distance``: max_i |flow_i - prediction_i| / scale; ``budget``: what the two computations
    may be off by (flow error estimate + 10^-verified digits of the prediction), same units."""

    status: Status
    digits: float          # significant digits on which they agree
    distance: object
    budget: object

    def as_dict(self) -> dict:
        ctx = context(20)
        return {"status": self.status.value, "agreeing_digits": round(self.digits, 2),
                "distance": ctx.nstr(ctx.mpf(self.distance), 3),
                "error_budget": ctx.nstr(ctx.mpf(self.budget), 3)}


def compare_limits(flow, prediction, required_digits: int) -> Agreement:
    """HOLDS when they agree to ``required_digits`` and each is known that well; REFUTED when they
    differ by more than both error budgets together; INCONCLUSIVE otherwise (too imprecise)."""
    ctx = context(max(flow.dps, prediction.dps) + 10)
    a = [ctx.convert(v) for v in flow.beta]
    b = [ctx.convert(v) for v in prediction.beta]
    scale = max(abs(v) for v in b) or ctx.one
    distance = max(abs(u - v) for u, v in zip(a, b)) / scale
    predicted_digits = prediction.digits if prediction.digits is not None else 0
    budget = ctx.convert(flow.error_estimate) / scale + ctx.mpf(10) ** (-predicted_digits)
    needed = ctx.mpf(10) ** (-required_digits)
    digits = float(-ctx.log10(distance)) if distance else float(ctx.dps)
    if distance > 2 * budget and distance > needed:
        status = Status.REFUTED
    elif distance <= needed and budget <= needed:
        status = Status.HOLDS
    else:
        status = Status.INCONCLUSIVE
    return Agreement(status, digits, distance, budget)


def flow_against_prediction(problem, depth: int, alpha: str, shape, link, *, dps: int,
                            required_digits: int) -> tuple[Status, dict, bool]:
    """Integrate the diagonal flow (the evidence; method "auto": Radau IIA steps once explicit
    steps are stability-limited) and predict its limit from ``link`` (certified when python-flint
    is installed); returns the status, the instance's evidence record and whether the prediction
    is certified. A flow that runs out of its budget (``integrate_flow(throw=False)`` reports
    which) has no limit to compare: INCONCLUSIVE, with the flow's message, and no prediction."""
    from krtheory.solve.predict import predict
    from krtheory.flow.driver import integrate_flow
    from krtheory.flow.models import DiagonalModel

    flow = integrate_flow(DiagonalModel(depth, alpha, shape), problem, dps=dps, method="auto",
                          throw=False)
    instance = {"problem": problem.name, "depth": depth, "alpha": alpha,
                "shape": "1" if shape is None else list(shape)}
    if not flow.converged:
        return Status.INCONCLUSIVE, {**instance, "status": Status.INCONCLUSIVE.value,
                                     "agreeing_digits": 0.0, "flow_status": flow.message}, False
    predicted = predict(problem, link, dps=dps)
    agreement = compare_limits(flow, predicted, required_digits)
    record = {**instance, **agreement.as_dict(),
              "flow_steps": flow.steps, "flow_time": flow.as_strings()["time"],
              "flow_seconds": round(flow.seconds, 2), "prediction_digits": predicted.digits,
              "prediction_backend": predicted.backend, "prediction_radius": predicted.radius}
    return agreement.status, record, predicted.certified


@dataclasses.dataclass(frozen=True)
class FlowEvidence:
    """Flow limits against predictions over a set of cases: the combined status, one record per
    flow, the worst agreement and whether every prediction was certified."""

    status: Status
    instances: list
    worst_digits: float
    certified: bool

    def summary(self, required_digits: int, covered: str) -> str:
        return (f"{self.status.value.lower()}: flow limit vs argmin Q agree to >= {self.worst_digits:.1f} digits "
                f"(need {required_digits}) on {len(self.instances)} flows, {covered}"
                + ("; predictions certified (arb Krawczyk)" if self.certified else ""))


def flows_against_predictions(cases, link_factory, family: str, *, dps: int, required_digits: int) -> FlowEvidence:
    """:func:`flow_against_prediction` on every (problem, depth, alpha, shape) of ``cases``, the
    prediction from ``link_factory(family, depth, alpha, shape, d)``. A flow that runs out of
    its budget is one INCONCLUSIVE instance; the others are still compared."""
    statuses, instances, certified = [], [], []
    for problem, depth, alpha, shape in cases:
        status, record, sure = flow_against_prediction(
            problem, depth, alpha, shape, link_factory(family, depth, alpha, shape, problem.d),
            dps=dps, required_digits=required_digits)
        statuses.append(status)
        instances.append(record)
        certified.append(sure)
    return FlowEvidence(Status.combine(*statuses), instances, min(i["agreeing_digits"] for i in instances),
                        all(certified))
