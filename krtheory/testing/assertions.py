"""Assertion helpers for implicit-bias claims: each runs the real gradient flow (the evidence,
:func:`krtheory.integrate_flow`) and compares its limit with the claimed one.

* :func:`assert_implicit_bias`: the flow of beta_i = P(theta_i) from theta(0) converges to
  argmin sum_i phi(beta_i) s.t. X beta = y (paper §3: the implicit regularizer), phi a
  conjectured potential or the derived one (:mod:`krtheory.families.custom`).
* :func:`assert_limit`: along an alpha ladder the flow's limit approaches a limit (the kernel
  regime's min-l2, eq. 6, or the rich regime's min-l1, eq. 7) with a fitted rate.

Three outcomes: a pass returns the evidence (HOLDS); a refutation raises AssertionError only
after it is re-computed at higher precision (a counterexample is never a rounding artefact),
with the digits of agreement, both betas, the residuals and a one-line CLI replay; when the
evidence cannot decide at the asked digits, :class:`Inconclusive` is raised. With python-flint
installed, the derived prediction is certified (Krawczyk), and a pass is backed by it.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

from krtheory.errors import InvalidArgument, KRTheoryError, NoConvergence, NotApplicable
from krtheory.precision import context, to_decimal
from krtheory.testing import _replay, verdicts

#: Working digits beyond those asked, and the extra digits of a refutation's re-computation.
GUARD_DIGITS = 12
RECHECK_DIGITS = 25
#: A refutation needs max|beta_flow - beta_claim| above this many times the two error bounds.
SEPARATION = 10
#: Significant digits of the betas shown in a failure message.
SHOWN_DIGITS = 12


class Inconclusive(KRTheoryError):
    """The evidence cannot decide the claim at the asked digits (the flow or the prediction
    earned fewer, or did not converge): neither a pass nor a counterexample."""


@dataclasses.dataclass(frozen=True)
class Side:
    """One side of a comparison: beta (context numbers), the digits it is known to, an error
    bound on max_i |beta_i - exact_i| (estimate for the flow, verified or certified for the
    prediction), the residual max|X beta - y| and what produced it."""

    beta: list
    digits: int
    error: object
    residual: object
    source: str
    certified: bool = False


@dataclasses.dataclass(frozen=True)
class Evidence:
    """The outcome of :func:`assert_implicit_bias` (HOLDS when returned): ``agreement`` whole
    digits of max|beta_i| on which the flow and the prediction agree, ``digits`` asked."""

    claim: str
    verdict: str
    agreement: int
    digits: int
    flow: Side
    prediction: Side
    dps: int
    certified: bool

    def beta(self, which: str = "flow") -> list[str]:
        side = self.flow if which == "flow" else self.prediction
        ctx = context(self.dps)
        return [to_decimal(ctx, b, max(1, min(side.digits, self.dps))) for b in side.beta]


def assert_implicit_bias(parametrization: str, init: dict, problem, potential: str | None = None,
                         digits: int = 20, *, max_seconds: float = 120) -> Evidence:
    """Check that the flow of beta_i = ``parametrization``(theta_i) from ``init`` ({name: exact
    number, or d of them}) converges on ``problem`` to argmin sum_i ``potential``(beta_i) s.t.
    X beta = y to ``digits`` significant digits; ``potential`` is a string in z and the init
    names (that coordinate's initial values), None for the derived one.

    Returns the :class:`Evidence`; raises AssertionError (re-verified at higher precision) with
    the agreement, both betas, the residuals and a replay, or :class:`Inconclusive`.
    """
    from krtheory.families.custom_models import initial_columns

    columns = initial_columns(init)
    claim = _claim(parametrization, columns, potential)
    dps = digits + GUARD_DIGITS
    evidence = _compare(parametrization, columns, problem, potential, digits, dps, max_seconds, claim)
    _steer(evidence)
    if evidence.verdict == "REFUTED" and not _final_example():
        verdicts.record(claim, "REFUTED")  # while Hypothesis searches and shrinks: re-verified at the end
        raise AssertionError(_message(evidence, evidence, problem, parametrization, columns, potential,
                                      replay=False))
    if evidence.verdict == "REFUTED":
        again = _compare(parametrization, columns, problem, potential, digits, dps + RECHECK_DIGITS,
                         max_seconds, claim)
        if again.verdict != "REFUTED":
            verdicts.record(claim, "INCONCLUSIVE")
            raise Inconclusive(f"{claim}: refuted at {dps} digits but not at {dps + RECHECK_DIGITS} "
                               f"({again.verdict}): a precision artefact, not a counterexample")
        verdicts.record(claim, "REFUTED")
        raise AssertionError(_message(evidence, again, problem, parametrization, columns, potential))
    verdicts.record(claim, evidence.verdict)
    if evidence.verdict == "INCONCLUSIVE":
        raise Inconclusive(f"{claim}: undecided at {digits} digits: agreement {evidence.agreement}, flow "
                           f"known to {evidence.flow.digits}, prediction to {evidence.prediction.digits} digits "
                           f"(give the flow more max_seconds, or ask fewer digits)")
    return evidence


def _claim(parametrization: str, columns: dict, potential) -> str:
    init = ", ".join(f"{k}={v if isinstance(v, str) else '[' + ', '.join(v) + ']'}" for k, v in columns.items())
    target = f"argmin sum phi, phi(z) = {potential}" if potential else "the derived regularizer's argmin"
    return f"flow of beta = {parametrization} from {init} -> {target}"


def _compare(parametrization, columns, problem, potential, digits, dps, max_seconds, claim) -> Evidence:
    flow = _flow_side(parametrization, columns, problem, dps, max_seconds)
    prediction = (_claimed_derived if potential is None else _claimed_potential)(
        parametrization, columns, problem, potential, dps)
    ctx = context(dps)
    agreement = _agreement(ctx, flow.beta, prediction.beta, dps)
    known = min(flow.digits, prediction.digits)
    difference = max(abs(a - b) for a, b in zip(flow.beta, prediction.beta))
    if agreement >= digits and known >= digits:
        verdict = "HOLDS"
    elif difference > SEPARATION * (flow.error + prediction.error) and agreement < digits:
        verdict = "REFUTED"
    else:
        verdict = "INCONCLUSIVE"
    certified = verdict == "HOLDS" and (prediction.certified if potential is None else
                                        _backed(parametrization, columns, problem, prediction, dps))
    return Evidence(claim, verdict, agreement, digits, flow, prediction, dps, certified)


def _flow_side(parametrization, columns, problem, dps, max_seconds) -> Side:
    from krtheory.families.custom_models import custom_model
    from krtheory.flow.driver import integrate_flow

    try:
        result = integrate_flow(custom_model(parametrization, columns), problem, dps=dps,
                                max_seconds=max_seconds)
    except NoConvergence as error:
        raise Inconclusive(f"the flow did not converge: {error}") from None
    ctx = context(dps)
    return Side([ctx.mpf(b) for b in result.beta], result.digits, ctx.mpf(result.error_estimate),
                _residual(ctx, problem, result.beta), f"flow ({result.method}, {result.steps} steps)",
                result.tail_certified)


def _claimed_derived(parametrization, columns, problem, potential, dps) -> Side:
    """The derived link's argmin (certified with python-flint)."""
    try:
        return _derived_side(parametrization, columns, problem, dps)
    except NoConvergence as error:
        raise Inconclusive(f"the derived prediction did not converge: {error}") from None


def _claimed_potential(parametrization, columns, problem, potential, dps) -> Side:
    """The argmin of the conjectured potential (digits verified by re-solving)."""
    from krtheory.families.custom_potential import VERIFY_EXTRA_DIGITS, potential_argmin

    ctx = context(dps)
    try:
        found = potential_argmin(potential, columns, problem, dps=dps)
    except NoConvergence as error:
        raise Inconclusive(f"the potential's argmin did not converge: {error}") from None
    scale = max(max(abs(b) for b in found.beta), ctx.one)
    return Side(found.beta, found.digits, scale * ctx.mpf(10) ** -found.digits, found.residual,
                f"KKT Newton of phi (digits verified by re-solving at {dps + VERIFY_EXTRA_DIGITS})")


def _backed(parametrization, columns, problem, side: Side, dps) -> bool:
    """Whether a passing conjectured argmin agrees, to its digits, with the certified derived
    argmin (python-flint; computed only for passes: a refutation does not need it)."""
    from krtheory.solve.predict import flint_available

    if not flint_available():
        return False
    try:
        derived = _derived_side(parametrization, columns, problem, dps)
    except (NotApplicable, InvalidArgument, NoConvergence):  # no derived link: the pass is not backed
        return False
    return derived.certified and _agreement(context(dps), side.beta, derived.beta, dps) >= min(side.digits,
                                                                                                derived.digits)


def _derived_side(parametrization, columns, problem, dps) -> Side:
    from krtheory.families.custom_models import custom_link
    from krtheory.solve.predict import BackendNotice, predict

    link, _ = custom_link(parametrization, columns, problem.d)
    with warnings.catch_warnings():  # a fallback to mpmath is reported as certified=False
        warnings.simplefilter("ignore", BackendNotice)
        result = predict(problem, link, dps=dps)
    ctx = context(dps)
    digits = result.digits or 0
    scale = max(max(abs(b) for b in result.beta), ctx.one)
    error = ctx.mpf(result.radius) if result.radius is not None else scale * ctx.mpf(10) ** -digits
    return Side([ctx.mpf(b) for b in result.beta], digits, error, _residual(ctx, problem, result.beta),
                f"derived link ({result.backend}{', certified' if result.certified else ''})", result.certified)


def _residual(ctx, problem, beta):
    return max(abs(ctx.fsum(x * b for x, b in zip(row, beta)) - t)
               for row, t in zip(problem.X_mp(ctx), problem.y_mp(ctx)))


def _agreement(ctx, a, b, cap: int) -> int:
    scale = max(abs(v) for v in b)
    difference = max(abs(x - y) for x, y in zip(a, b))
    if difference == 0:
        return cap
    if scale == 0:
        return 0
    return max(0, min(cap, int(math.floor(-ctx.log10(difference / scale)))))


def _steer(evidence: Evidence) -> None:
    """Inside a Hypothesis test, steer the search toward disagreement (``hypothesis.target``)."""
    try:
        from hypothesis import target
        from hypothesis.control import currently_in_test_context
    except ImportError:
        return
    if currently_in_test_context():
        target(-float(evidence.agreement), label="krtheory: -(digits of agreement)")


def _final_example() -> bool:
    """Whether this is the example Hypothesis reports (its final replay), or no Hypothesis test:
    the searched and shrunk examples skip the costly re-verification."""
    try:
        from hypothesis.control import current_build_context, currently_in_test_context
    except ImportError:
        return True
    return not currently_in_test_context() or current_build_context().is_final


def _message(first: Evidence, again: Evidence, problem, parametrization, columns, potential, *,
             replay: bool = True) -> str:
    """The failure message: agreement, both betas, residuals, the separation and (for the
    reported example) the one-line replay."""
    ctx = context(again.dps)
    show = lambda side: "[" + ", ".join(to_decimal(ctx, b, SHOWN_DIGITS) for b in side.beta) + "]"  # noqa: E731
    short = lambda x: to_decimal(ctx, x, 3)  # noqa: E731
    difference = max(abs(a - b) for a, b in zip(again.flow.beta, again.prediction.beta))
    checked = (f"{again.agreement} at {again.dps} (re-verified)" if again is not first
               else "not yet re-verified (searching)")
    lines = [
        f"implicit bias REFUTED: {first.claim}",
        f"  problem         {_problem_text(problem)}",
        f"  agreement       {first.agreement} digit(s) at {first.dps} digits, {checked}; {first.digits} asked",
        f"  beta flow       {show(again.flow)}  ({again.flow.digits} digits; {again.flow.source})",
        f"  beta claimed    {show(again.prediction)}  ({again.prediction.digits} digits; {again.prediction.source})",
        f"  residuals       |X beta - y|_inf: flow {short(again.flow.residual)}, claimed "
        f"{short(again.prediction.residual)}",
        f"  max |diff|      {short(difference)} (error bounds: flow {short(again.flow.error)}, claimed "
        f"{short(again.prediction.error)})",
    ]
    if replay:
        folder, init = _replay.write_case(problem, columns)
        init_text = ",".join(f"{k}={v}" for k, v in init.items())
        options = ["--parametrization", parametrization, "--init", init_text, "--dps", str(again.dps)]
        solve = options + ([] if potential is None else ["--potential", potential])
        lines.append(f"  replay          {_replay.command('flow', folder, *options)}; "
                     f"{_replay.command('solve', folder, *solve)}")
    return "\n".join(lines)


def _problem_text(problem) -> str:
    head = f"{problem.name} (n={problem.n}, d={problem.d})"
    if problem.n * problem.d > 40:
        return head
    rows = "; ".join(", ".join(row) for row in problem.X)
    return f"{head}: X = [{rows}], y = [{', '.join(problem.y)}]"


@dataclasses.dataclass(frozen=True)
class LimitEvidence:
    """The outcome of :func:`assert_limit`: per alpha of the ladder the distance
    max|beta_alpha - beta_limit| and the flow's error bound; ``rate`` the fitted slope of
    log(distance) against log(alpha) (least squares over the rungs above the noise floor)."""

    claim: str
    verdict: str
    alphas: tuple[str, ...]
    distances: tuple
    errors: tuple
    rate: float | None
    dps: int


def assert_limit(parametrization: str, init: dict, problem, *, limit, alphas, scale: str = "alpha",
                 min_rate: float | None = None, dps: int = 30, max_seconds: float = 120) -> LimitEvidence:
    """Check that along ``alphas`` (ordered toward the limit) the flow's limit of
    beta_i = ``parametrization``(theta_i) approaches ``limit`` ("l1": min ||beta||_1, the rich
    regime, eq. 7; "l2": min ||beta||_2, the kernel regime, eq. 6; or a sequence of d numbers):
    ``init`` values may use ``scale`` (e.g. {"u": "alpha", "v": "alpha"}), each rung's flow is
    run at ``dps`` digits, the distances must decrease along the ladder until they reach the
    flow's error bound, and with ``min_rate`` the fitted |slope| of log(distance) against
    log(alpha) must be at least that. AssertionError (with distances, rate and a replay of the
    last rung) otherwise."""
    from fractions import Fraction

    from krtheory.families.custom import evaluate_init
    from krtheory.families.custom_models import custom_model
    from krtheory.flow.driver import integrate_flow

    ladder = tuple(str(a) for a in alphas)
    if len(ladder) < 2:
        raise Inconclusive(f"assert_limit needs at least two alphas, got {ladder}")
    ctx = context(dps)
    target = _limit_beta(limit, problem, dps)
    claim = f"flow of beta = {parametrization} from {init} -> {limit if isinstance(limit, str) else 'beta'} " \
            f"along {scale} = {', '.join(ladder)}"
    distances, errors, rungs = [], [], []
    for alpha in ladder:
        values = {name: evaluate_init(value, f"init[{name!r}]", {scale: Fraction(alpha)}) for name, value in init.items()}
        columns = {name: str(v) for name, v in values.items()}
        try:
            result = integrate_flow(custom_model(parametrization, columns), problem, dps=dps, max_seconds=max_seconds)
        except NoConvergence as error:
            verdicts.record(claim, "INCONCLUSIVE")
            raise Inconclusive(f"{claim}: the flow at {scale} = {alpha} did not converge: {error}") from None
        distances.append(max(abs(ctx.mpf(b) - t) for b, t in zip(result.beta, target)))
        errors.append(ctx.mpf(result.error_estimate))
        rungs.append(columns)
    above = [(math.log(float(Fraction(a))), float(ctx.log(dist))) for a, dist, err in zip(ladder, distances, errors)
             if dist > SEPARATION * err]
    rate = _slope(above)
    decreasing = all(b < a or b <= SEPARATION * e for a, b, e in zip(distances, distances[1:], errors[1:]))
    verdict = "HOLDS" if decreasing and (min_rate is None or (rate is not None and abs(rate) >= min_rate)) \
        else "REFUTED"
    evidence = LimitEvidence(claim, verdict, ladder, tuple(distances), tuple(errors), rate, dps)
    verdicts.record(claim, verdict)
    if verdict == "REFUTED":
        folder, init_files = _replay.write_case(problem, rungs[-1])
        init_text = ",".join(f"{k}={v}" for k, v in init_files.items())
        reference = ["--family", limit] if isinstance(limit, str) else None
        replay = _replay.command("flow", folder, "--parametrization", parametrization, "--init", init_text,
                                 "--dps", str(dps))
        if reference:
            replay += "; " + _replay.command("solve", folder, *reference, "--dps", str(dps))
        shown = ", ".join(f"{a}: {to_decimal(ctx, dist, 3)}" for a, dist in zip(ladder, distances))
        raise AssertionError("\n".join([
            f"limit REFUTED: {claim}",
            f"  problem         {_problem_text(problem)}",
            f"  distances       max|beta_alpha - beta_limit| at {shown}",
            f"  fitted rate     {'-' if rate is None else f'{rate:.3g}'} (|rate| >= {min_rate} asked)"
            if min_rate is not None else f"  fitted rate     {'-' if rate is None else f'{rate:.3g}'}",
            f"  decreasing      {'yes' if decreasing else 'no'} (down to the flow's error bounds "
            f"{', '.join(to_decimal(ctx, e, 2) for e in errors)})",
            f"  replay          {replay}"]))
    return evidence


def _limit_beta(limit, problem, dps: int) -> list:
    ctx = context(dps)
    if isinstance(limit, str):
        from krtheory import references

        if limit not in ("l1", "l2"):
            raise Inconclusive(f"limit must be 'l1', 'l2' or a sequence of d numbers, got {limit!r}")
        result = (references.min_l1 if limit == "l1" else references.min_l2)(problem, dps=dps)
        if limit == "l1" and result.status != "certified":
            raise Inconclusive(f"min-l1 interpolant not certified unique: {result.reason}")
        return [ctx.mpf(b) for b in result.beta]
    values = [ctx.mpf(str(v)) for v in limit]
    if len(values) != problem.d:
        raise Inconclusive(f"limit has {len(values)} entries but the problem has d={problem.d}")
    return values


def _slope(points) -> float | None:
    """Least-squares slope of y on x (None with fewer than two distinct x)."""
    if len({x for x, _ in points}) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)

