"""Three-valued checks of a derivation's identities, each recorded as a :class:`Step`.

An identity is verified symbolically when sympy's simplifier decides it, else by its residual
at seeded random points of the domain at 50 digits: verified below CHECK_AGREE, failed above
CHECK_REFUTE, undecided in between or when the residual cannot be evaluated. Positivity goes
by sympy's three-valued assumptions (:func:`positivity_step`).
"""

from __future__ import annotations

import dataclasses
import enum
import random

import sympy as sp

from krtheory import precision
from krtheory.derive.symbols import c, nu, s, z

#: Digits, number and seed of the numeric fallback when the simplifier cannot decide an identity.
CHECK_DPS = 50
CHECK_POINTS = 5
CHECK_SEED = 20200225
#: A true identity evaluated at 50 digits at O(1) points is exact up to rounding amplified by
#: cancellation among terms of size <= 1e10: accept residuals below 1e-40.
CHECK_AGREE = precision.Tolerance.from_dps(
    CHECK_DPS, 10, "50-digit residual of an exact identity at O(1) points, less 10 digits of cancellation")
#: A residual above 1e-20 at 50 digits is not rounding: the identity is false.
CHECK_REFUTE = precision.Tolerance(
    20, "a 50-digit evaluation cannot lose 30 digits at O(1) points; a larger residual refutes")


class StepStatus(enum.Enum):
    """The verdict on one step; each value says what it means and what to do about it."""

    VERIFIED = "verified: the identity holds (decided by the simplifier or at every seeded point)"
    FAILED = ("failed: the identity is false (a nonzero difference or a residual above CHECK_REFUTE); "
              "the derivation does not hold for this parametrization")
    UNDECIDED = ("undecided: neither the simplifier nor the 50-digit residual decides; rewrite the "
                 "parametrization in a simpler form or check the step by hand")

    @property
    def label(self) -> str:
        """The one-word status of the JSON output and the CLI table: verified, failed or undecided."""
        return self.name.lower()

    @classmethod
    def from_label(cls, label: str) -> "StepStatus":
        """The inverse of :attr:`label`."""
        return cls[label.upper()]

    @classmethod
    def combine(cls, statuses) -> "StepStatus":
        """FAILED if one is, VERIFIED if all are (also for none), else UNDECIDED."""
        statuses = set(statuses)
        if cls.FAILED in statuses:
            return cls.FAILED
        return cls.VERIFIED if statuses <= {cls.VERIFIED} else cls.UNDECIDED


@dataclasses.dataclass(frozen=True)
class Step:
    """One verified step of a derivation."""

    name: str
    status: StepStatus
    method: str     # "symbolic" | "numeric: 50 digits at 5 seeded points" | ...
    residual: str   # "0" or a decimal string

    def as_dict(self) -> dict:
        """JSON-able strings, the status as its label."""
        return {"name": self.name, "status": self.status.label, "method": self.method,
                "residual": self.residual}

    @classmethod
    def from_dict(cls, data: dict) -> "Step":
        """The inverse of :meth:`as_dict`."""
        return cls(data["name"], StepStatus.from_label(data["status"]), data["method"], data["residual"])


def domain_points(rate, radius, count: int = CHECK_POINTS, seed: int = CHECK_SEED,
                  scales: tuple = (c,)) -> list[dict]:
    """Seeded exact points {scales..., nu, s = nu/rate, z}: each scale symbol in [1/2, 2],
    |nu| < 0.9*radius (3 if infinite), z in [-5, 5]; the numeric fallback of every check
    evaluates there."""
    rng, rate, radius = random.Random(seed), sp.sympify(rate), sp.sympify(radius)
    reach = sp.Integer(3) if radius == sp.oo else sp.Rational(9, 10) * radius
    points = []
    for _ in range(count):
        values = {x: sp.Rational(rng.randint(500, 2000), 1000) for x in scales}
        nu0 = reach * sp.Rational(rng.randint(-999, 999), 1000)
        points.append({**values, nu: nu0, s: sp.nsimplify(rate.subs(values)) ** -1 * nu0,
                       z: sp.Rational(rng.randint(-5000, 5000), 1000)})
    return points


def check_equal(name: str, lhs, rhs, points: list[dict]) -> Step:
    """Verify ``lhs == rhs``: symbolically if ``simplify`` decides, else at ``points``.

    Numeric verdict at CHECK_DPS digits: verified when every residual
    ``|lhs - rhs| / max(1, |lhs|, |rhs|)`` is below CHECK_AGREE, failed when one exceeds
    CHECK_REFUTE, undecided otherwise or when the residual cannot be evaluated.
    """
    difference = sp.simplify(sp.sympify(lhs) - sp.sympify(rhs))
    if difference == 0:
        return Step(name, StepStatus.VERIFIED, "symbolic", "0")
    if difference.is_number and difference.is_zero is False:
        return Step(name, StepStatus.FAILED, "symbolic", sp.sstr(sp.N(difference, 15)))
    return _check_numerically(name, sp.sympify(lhs), sp.sympify(rhs), points)


def _check_numerically(name, lhs, rhs, points) -> Step:
    method = f"numeric: {CHECK_DPS} digits at {len(points)} seeded points"
    ctx = precision.context(CHECK_DPS)
    names = tuple(points[0])
    unsampled = (lhs.free_symbols | rhs.free_symbols) - set(names)
    if unsampled:
        return Step(name, StepStatus.UNDECIDED, f"{method}; unsampled symbols {sorted(map(str, unsampled))}", "nan")
    f_lhs, f_rhs = precision.lambdify(names, lhs, ctx), precision.lambdify(names, rhs, ctx)
    worst = ctx.zero
    for point in points:
        try:
            args = [precision.lambdify((), point[x], ctx)() for x in names]
            a, b = f_lhs(*args), f_rhs(*args)
            residual = abs(a - b) / max(ctx.one, abs(a), abs(b))
        except (ArithmeticError, ValueError, TypeError):
            return Step(name, StepStatus.UNDECIDED, f"{method}; residual not evaluable", "nan")
        if not ctx.isfinite(residual):
            return Step(name, StepStatus.UNDECIDED, f"{method}; residual not finite", "nan")
        worst = max(worst, residual)
    shown = ctx.nstr(worst, 3)
    if worst <= CHECK_AGREE.value(ctx):
        return Step(name, StepStatus.VERIFIED, method, shown)
    if worst > CHECK_REFUTE.value(ctx):
        return Step(name, StepStatus.FAILED, method, shown)
    return Step(name, StepStatus.UNDECIDED, method, shown)


def positivity_step(name: str, expr, method: str = "symbolic", strict: bool = True) -> Step:
    """sympy's three-valued ``is_positive`` (``is_nonnegative`` if not strict) as a step
    (None -> undecided)."""
    simplified = sp.simplify(expr)
    verdict = simplified.is_positive if strict else simplified.is_nonnegative
    status = {True: StepStatus.VERIFIED, False: StepStatus.FAILED, None: StepStatus.UNDECIDED}[verdict]
    return Step(name, status, method, "0" if verdict else "nan")


def flow_steps(parametrization, parameters, solution: dict, points: list[dict],
               initial: dict | None = None) -> tuple[Step, ...]:
    """Substitute ``solution`` back into ``du/ds = dbeta/du`` (all parameters at once: the
    system may be coupled) and ``u(0) = initial[u]`` (default c) for each parameter."""
    initial = initial or {p: c for p in parameters}
    steps = []
    for p in parameters:
        rhs = sp.diff(parametrization, p).subs(solution)
        steps.append(check_equal(f"ODE solution substituted back: d{p}/ds = dbeta/d{p}",
                                 sp.diff(solution[p], s), rhs, points))
        steps.append(check_equal(f"initial value {p}(0) = {initial[p]}", solution[p].subs(s, 0),
                                 initial[p], points))
    return tuple(steps)
