"""Width-k parallel networks / commutative matrix sensing (paper §6, Theorem 4).

Model: beta_i = <U_i, V_i> = sum_j U_ij V_ij (the diagonal of M = U V^T), any U0, V0 in R^{d x k}.
Per unit (u, v) = (U_ij, V_ij) of row i, the flow with the drive s = -2 int (X^T r)_i (as in
:mod:`krtheory.derive.engine`) is du/ds = v, dv/ds = u, so u + v = (u0 + v0) e^s, u - v = (u0 - v0) e^-s and

    beta_i(s) = A_i e^{2s} - B_i e^{-2s},  A_i = ||U0_i + V0_i||^2 / 4,  B_i = ||U0_i - V0_i||^2 / 4:

the *biased hypentropy* link h(nu; A, B) = A e^nu - B e^-nu = 2 sqrt(AB) sinh(nu + ln(A/B)/2),
amplitude 1, rate 2, h(0) = A - B = beta_i(0). Its potential (q' = h^-1, q(h(0)) = 0)

    q_{A,B}(z) = z (asinh(z / (2 sqrt(AB))) + ln(B/A)/2) - sqrt(z^2 + 4AB) + A + B,

and the flow limit is argmin sum_i q_{A_i,B_i}(beta_i) s.t. X beta = y (exact for every k).
A = B = mu^2 gives Theorem 1's hypentropy at alpha = mu: the special initialization
U0 = [sqrt2 mu I, 0], V0 = [0, sqrt2 mu I] of Appendix F, and, by the law of large numbers, the
Gaussian one with alpha^2 k = 2 mu^2 as k -> oo (Theorem 4). :func:`derive_wide` carries this out
with sympy and verifies every step; :func:`wide_link` is the exact Link for given U0, V0 (the float64 solve of
:mod:`krtheory.solve.float64` takes it in the log domain, for width sweeps).
"""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction

import sympy as sp

from krtheory.derive.abstract import AbstractDerivation
from krtheory.derive.checks import Step, StepStatus, check_equal, domain_points, positivity_step
from krtheory.derive.derivation import printer
from krtheory.derive.engine import derive_diagonal
from krtheory.derive.symbols import beta, c, nu, s, z
from krtheory.errors import InvalidArgument, NotApplicable

#: The rate b of the link: beta_i = h(b s_i; A_i, B_i) (read off the exponents e^{+-2s}).
RATE = 2
#: Per-row link parameters (positive: a row with A_i = 0 or B_i = 0 is rejected by wide_link).
A, B = sp.symbols("A B", positive=True)
#: One unit's parameters and their initial values.
u, v = sp.symbols("u v", real=True)
u0, v0 = sp.symbols("u0 v0", real=True)
#: Units used to check that a row's link is the sum of its units' (linearity, symbolically).
ROW_CHECK_UNITS = 3


@dataclasses.dataclass(frozen=True, eq=False)
class WideDerivation(AbstractDerivation):
    """The biased-hypentropy derivation of §6 with its verification steps; fields named as in
    :class:`krtheory.derive.derivation.Derivation` where they mean the same thing."""

    family: str
    depth: int                  # degree of the parametrization u*v (homogeneity 2)
    parameters: tuple           # (u, v): one unit
    parametrization: sp.Expr    # u*v (a row sums k of them)
    initial_values: dict        # {u: u0, v: v0}
    s: sp.Symbol
    solution: dict              # {u: u(s), v: v(s)}
    link_parameters: tuple      # (A, B)
    link_parameter_values: dict  # {A: (u0 + v0)^2/4, B: (u0 - v0)^2/4} per unit, summed over a row
    nu: sp.Symbol
    link: sp.Expr               # h(nu; A, B)
    amplitude: sp.Expr
    rate: sp.Expr
    nu_radius: sp.Expr
    z: sp.Symbol
    inverse_link: sp.Expr
    potential: sp.Expr          # q_{A,B}(z)
    dual_potential: sp.Expr     # G(nu; A, B)
    regularizer: sp.Expr        # Q_i(beta) = q_{A,B}(beta)
    steps: tuple[Step, ...]

    def as_dict(self, fmt: str = "sympy") -> dict:
        """JSON-able strings (``fmt``: sympy, latex or python), with the keys of
        :meth:`krtheory.derive.derivation.Derivation.as_dict` plus ``link_parameters``."""
        show = printer(fmt)
        return {
            "family": self.family,
            "depth": self.depth,
            "parameters": [show(p) for p in self.parameters],
            "parametrization": f"sum over the k units of a row of {show(self.parametrization)}",
            "initial_value": None,  # no common initial value c: u(0) = u0, v(0) = v0 per unit
            "initial_values": {show(p): show(e) for p, e in self.initial_values.items()},
            "drive": show(self.s),
            "solution": {show(p): show(e) for p, e in self.solution.items()},
            "link_parameters": {show(p): f"sum over the units of a row of {show(e)}"
                                for p, e in self.link_parameter_values.items()},
            "link": show(self.link),
            "amplitude": show(self.amplitude),
            "rate": show(self.rate),
            "nu_radius": show(self.nu_radius),
            "link_range": [show(-sp.oo), show(sp.oo)],
            "initial_prediction": show(self.link.subs(self.nu, 0)),
            "inverse_link": show(self.inverse_link),
            "potential": show(self.potential),
            "root": None,
            "dual_potential": show(self.dual_potential),
            "regularizer": show(self.regularizer),
            "regularizer_note": (f"Q(beta) = sum_i q_(A_i,B_i)(beta_i), A_i = ||U0_i + V0_i||^2/4, "
                                 f"B_i = ||U0_i - V0_i||^2/4; the common factor 1/b = 1/{show(self.rate)} "
                                 f"dropped (argmin unchanged); q(A - B) = 0 at beta(0)"),
            "steps": [step.as_dict() for step in self.steps],
            "verified": self.verified(),
        }

    def potential_function(self, ctx):
        """q_{A,B}(z) compiled for ``ctx``: ``q(z, A, B)`` (ctx numbers)."""
        from krtheory.precision import lambdify

        return lambdify((self.z, A, B), self.potential, ctx)


# -- checks ------------------------------------------------------------------------------------
def _identity(name: str, lhs, rhs, points) -> Step:
    """check_equal (entrywise for sequences) after a normalization that lets sympy decide the
    identities of this module: asinh written as a log and every square root's radicand factored,
    so that sqrt(4AB + (A - B)^2) becomes sqrt((A + B)^2) = A + B (A, B > 0)."""
    if isinstance(lhs, (list, tuple)):
        return _combined(name, [_identity(name, a, b, points) for a, b in zip(lhs, rhs, strict=True)])
    return check_equal(name, _normalized(lhs), _normalized(rhs), points)


def _normalized(expr):
    return sp.sympify(expr).rewrite(sp.log).replace(
        lambda x: x.is_Pow and x.exp == sp.Rational(1, 2), lambda x: sp.sqrt(sp.factor(x.base)))


def _combined(name: str, steps: list[Step]) -> Step:
    """One step from several checks: failed if one failed, verified if all were, else undecided."""
    status = StepStatus.combine(st.status for st in steps)
    worst = max(steps, key=lambda st: sp.oo if st.residual == "nan" else sp.Float(st.residual)).residual
    return Step(name, status, "; ".join(sorted({st.method for st in steps})), worst)


def _unit_flow():
    """dsolve of du/ds = v, dv/ds = u, u(0) = u0, v(0) = v0 (one unit, paper App. F)."""
    fu, fv = sp.Function("u"), sp.Function("v")
    found = sp.dsolve([sp.Eq(fu(s).diff(s), fv(s)), sp.Eq(fv(s).diff(s), fu(s))], [fu(s), fv(s)],
                      ics={fu(0): u0, fv(0): v0})
    values = {eq.lhs: eq.rhs for eq in found}
    return {u: values[fu(s)], v: values[fv(s)]}


def _read_link(product):
    """(rate, A_unit, B_unit) from u(s) v(s) = A_unit e^{b s} - B_unit e^{-b s}."""
    expanded = sp.expand(product)
    rates = {sp.Abs(sp.Poly(e.args[0], s).all_coeffs()[0]) for e in expanded.atoms(sp.exp)}
    if len(rates) != 1:
        raise NotApplicable(f"the unit product {expanded} has no single rate: {rates}")
    rate = rates.pop()
    return rate, expanded.coeff(sp.exp(rate * s)), -expanded.coeff(sp.exp(-rate * s))


def _real_inverse(link):
    """The real branch of solveset(h(nu) = z) (the other is the log of a negative number)."""
    found = sp.solveset(sp.Eq(link, z), nu, sp.S.Reals)
    candidates = [e for finite in found.atoms(sp.FiniteSet) for e in finite]
    real = [e for e in candidates if e.subs({z: 0, A: 1, B: 1}).is_real]
    if len(real) != 1:
        raise NotApplicable(f"expected one real branch of h^-1, got {candidates}")
    return real[0]


@functools.cache
def derive_wide() -> WideDerivation:
    """Derive and verify the biased hypentropy of the width-k model (cached; a few seconds)."""
    points = domain_points(RATE, sp.oo)
    solution = _unit_flow()
    rate, A_unit, B_unit = _read_link(solution[u] * solution[v])
    if rate != RATE:  # the seeded points assume it
        raise NotApplicable(f"the derived rate {rate} differs from RATE={RATE}")
    link = A * sp.exp(nu) - B * sp.exp(-nu)
    t = sp.Dummy("t", real=True)
    dual = sp.integrate(link.subs(nu, t), (t, 0, nu))
    derived_inverse = _real_inverse(link)
    inverse = sp.asinh(z / (2 * sp.sqrt(A * B))) + sp.log(B / A) / 2
    integral = sp.integrate(inverse.subs(z, t), (t, A - B, z))
    potential = z * inverse - sp.sqrt(z ** 2 + 4 * A * B) + A + B
    row = {A: A_unit, B: B_unit}

    steps = [*_flow_steps(solution, points),
             _identity("unit product: u v = A_u e^(2s) - B_u e^(-2s), rate b = 2 from the exponents",
                       solution[u] * solution[v], A_unit * sp.exp(rate * s) - B_unit * sp.exp(-rate * s),
                       points),
             _identity("A_u = (u0 + v0)^2/4 (>= 0)", A_unit, (u0 + v0) ** 2 / 4, points),
             _identity("B_u = (u0 - v0)^2/4 (>= 0)", B_unit, (u0 - v0) ** 2 / 4, points),
             _row_step(solution, rate, A_unit, B_unit, points),
             _identity("beta(0) = h(0) = A - B = <U0_i, V0_i> (biased unless U0_i is orthogonal to V0_i)",
                       (A - B).subs(row), u0 * v0, points),
             positivity_step("link increasing: h'(nu) = A e^nu + B e^-nu > 0 (A, B > 0)", sp.diff(link, nu)),
             _identity("dual potential: G' = h", sp.diff(dual, nu), link, points),
             _identity("dual potential: G(0) = 0", dual.subs(nu, 0), 0, points),
             _identity("inverse (solveset, real branch): h(h^-1(z)) = z", link.subs(nu, derived_inverse), z,
                       points),
             _identity("inverse closed form: asinh(z/(2 sqrt(AB))) + ln(B/A)/2", inverse, derived_inverse,
                       points),
             _identity("potential: closed form = int_{A-B}^z h^-1 (sympy.integrate)", potential, integral,
                       points),
             _identity("potential: q' = h^-1", sp.diff(potential, z), inverse, points),
             _identity("potential: q(h(0)) = q(A - B) = 0", potential.subs(z, A - B), 0, points),
             positivity_step("potential convex: q'' = 1/sqrt(z^2 + 4AB) > 0", sp.diff(potential, z, 2)),
             _identity("Legendre: q(h(nu)) = nu h(nu) - G(nu) (the dual objective)",
                       potential.subs(z, link), nu * link - dual, points),
             _identity(f"KKT: dq/dbeta at beta = h({rate} s) equals {rate}*s",
                       sp.diff(potential, z).subs(z, link.subs(nu, rate * s)), rate * s, points),
             _identity("A = B = c^2: q equals Theorem 1's c^2 q(z/c^2) (derive_diagonal(2), alpha -> c)",
                       potential.subs({A: c ** 2, B: c ** 2}),
                       c ** 2 * derive_diagonal(2).potential.subs(derive_diagonal(2).z, z / c ** 2), points),
             *_initialization_steps(A_unit, B_unit, points)]
    return WideDerivation(family="wide", depth=2, parameters=(u, v), parametrization=u * v,
                          initial_values={u: u0, v: v0}, s=s, solution=solution, link_parameters=(A, B),
                          link_parameter_values=row, nu=nu, link=link, amplitude=sp.Integer(1),
                          rate=sp.Integer(rate), nu_radius=sp.oo, z=z, inverse_link=inverse,
                          potential=potential, dual_potential=dual,
                          regularizer=potential.subs(z, beta), steps=tuple(steps))


def _flow_steps(solution, points) -> list[Step]:
    rhs = {u: v, v: u}
    steps = []
    for p, initial in ((u, u0), (v, v0)):
        steps.append(_identity(f"ODE solution substituted back: d{p}/ds = {rhs[p]}",
                               sp.diff(solution[p], s), solution[rhs[p]], points))
        steps.append(_identity(f"initial value {p}(0) = {initial}", solution[p].subs(s, 0), initial, points))
    steps.append(_identity("invariant: u + v = (u0 + v0) e^s", solution[u] + solution[v],
                           (u0 + v0) * sp.exp(s), points))
    steps.append(_identity("invariant: u - v = (u0 - v0) e^-s", solution[u] - solution[v],
                           (u0 - v0) * sp.exp(-s), points))
    return steps


def _row_step(solution, rate, A_unit, B_unit, points) -> Step:
    """A row of k units: beta_i = A e^{2s} - B e^{-2s} with A, B the sums over its units."""
    units = [sp.symbols(f"u0_{j} v0_{j}", real=True) for j in range(ROW_CHECK_UNITS)]
    row_beta = sum((solution[u] * solution[v]).subs({u0: a, v0: b}) for a, b in units)
    total_A = sum(A_unit.subs({u0: a, v0: b}) for a, b in units)
    total_B = sum(B_unit.subs({u0: a, v0: b}) for a, b in units)
    return _identity(f"row of k = {ROW_CHECK_UNITS} units: beta = h({rate} s; sum A_u, sum B_u) (linearity)",
                     row_beta, (A * sp.exp(nu) - B * sp.exp(-nu)).subs({A: total_A, B: total_B, nu: rate * s}),
                     points)


def _initialization_steps(A_unit, B_unit, points) -> list[Step]:
    """A = B = mu^2 for Appendix F's special init and for this module's exact rotation of it, and
    E[A_i] = E[B_i] = alpha^2 k / 2 = mu^2 for Gaussian entries at alpha^2 k = 2 mu^2."""
    import sympy.stats as stats

    mu = c  # c > 0 stands for mu (sampled by the numeric fallback)
    root2 = sp.sqrt(2)
    paper = [(root2 * mu, 0), (0, root2 * mu)]        # units i and d + i of row i
    rotated = [(mu, -mu), (mu, mu)]                   # the same two units times O (below)
    O = sp.Matrix([[1, 1], [-1, 1]]) / root2          # acting on the unit pair (i, d + i)

    def row_AB(units):
        return (sum(A_unit.subs({u0: a, v0: b}) for a, b in units),
                sum(B_unit.subs({u0: a, v0: b}) for a, b in units))

    alpha, k = sp.Symbol("alpha", positive=True), sp.Symbol("k", positive=True)
    gu, gv = stats.Normal("U", 0, alpha), stats.Normal("V", 0, alpha)
    mean_A = k * stats.E((gu + gv) ** 2 / 4)
    mean_B = k * stats.E((gu - gv) ** 2 / 4)
    moved = sp.Matrix([[p[0] for p in paper]]) * O, sp.Matrix([[p[1] for p in paper]]) * O
    return [
        _identity("special init U0 = [sqrt2 mu I, 0], V0 = [0, sqrt2 mu I]: A_i = B_i = mu^2 (mu -> c)",
                  row_AB(paper), (mu ** 2, mu ** 2), points),
        _identity("exact rotation [mu I, mu I], [-mu I, mu I] = special init times O, O O^T = I "
                  "(same M-bar(0), hence the same flow of M)",
                  (*(O * O.T), *moved[0], *moved[1]),
                  (1, 0, 0, 1, *[p[0] for p in rotated], *[p[1] for p in rotated]), points),
        _identity("rotated special init: A_i = B_i = mu^2", row_AB(rotated), (mu ** 2, mu ** 2), points),
        _identity("Gaussian init N(0, alpha^2): E[A_i] = E[B_i] = alpha^2 k/2 (= mu^2 at alpha^2 k = 2 mu^2)",
                  (mean_A, mean_B), (alpha ** 2 * k / 2,) * 2, points),
    ]


# -- exact data of one initialization -----------------------------------------------------------
def link_parameters(U0, V0) -> tuple[tuple[Fraction, Fraction], ...]:
    """(A_i, B_i) = (||U0_i + V0_i||^2/4, ||U0_i - V0_i||^2/4) exactly, per row (the shapes are
    validated as by :class:`krtheory.flow.models.WideModel`)."""
    from krtheory.flow.models import WideModel

    return _parameters(WideModel(U0, V0))


def _parameters(model) -> tuple[tuple[Fraction, Fraction], ...]:
    rows = []
    for U_row, V_row in zip(model.U0, model.V0):
        pairs = [(Fraction(a), Fraction(b)) for a, b in zip(U_row, V_row)]
        rows.append((sum((a + b) ** 2 for a, b in pairs) / 4, sum((a - b) ** 2 for a, b in pairs) / 4))
    return tuple(rows)


def wide_link(U0, V0, name: str | None = None):
    """The exact Link beta_i = h(2 t_i; A_i, B_i) of the flow from U0, V0 (see :func:`biased_link`)."""
    from krtheory.flow.models import WideModel

    model = WideModel(U0, V0)
    return biased_link(_parameters(model), name or f"wide (k={model.width})")


def biased_link(parameters, name: str = "biased hypentropy"):
    """The Link h(2 t_i; A_i, B_i) for exact (A_i, B_i) rows (Fractions, ints or exact strings),
    from the derivation (never retyped).

    Raises InvalidArgument for a degenerate row: A_i = 0 (U0_i = -V0_i) or B_i = 0
    (U0_i = V0_i) makes beta_i(s) = -B e^{-2s} or A e^{2s}, which keeps the sign of beta_i(0),
    and the potential q_{A,B} (ln(B/A)) does not exist."""
    from krtheory.links import Link
    from krtheory._validation import parse_number

    derivation = derive_wide()
    values = []
    for i, row in enumerate(parameters, start=1):
        a, b = (Fraction(parse_number(x, f"{name}: (A, B) row {i}")) for x in row)
        if a <= 0 or b <= 0:
            which = "A_i <= 0 (U0_i = -V0_i gives A_i = 0)" if a <= 0 else "B_i <= 0 (U0_i = V0_i gives B_i = 0)"
            raise InvalidArgument(f"{name}: row {i} is degenerate: {which}; beta_{i} would keep its initial "
                                  f"sign and the biased hypentropy needs A_i, B_i > 0")
        values.append((str(a), str(b)))
    return Link(name=name, nu=derivation.nu, h=derivation.link, G=derivation.dual_potential,
                radius=derivation.nu_radius, amplitude=("1",) * len(values),
                rate=(str(derivation.rate),) * len(values), parameters=derivation.link_parameters,
                values=tuple(values))


def special_initialization(mu, d: int) -> tuple[list[list[str]], list[list[str]]]:
    """Exact U0 = [mu I, mu I], V0 = [-mu I, mu I] (d x 2d): Appendix F's [sqrt2 mu I, 0],
    [0, sqrt2 mu I] times an orthogonal O on the width index (a derivation step), so the
    lifted M-bar(0) = [[2 mu^2 I, 0], [0, 2 mu^2 I]] and the flow of M are the same; A = B = mu^2."""
    from krtheory._validation import check_positive

    mu = check_positive(mu, "mu")
    if isinstance(d, bool) or not isinstance(d, int) or d < 1:
        raise InvalidArgument(f"d must be a positive int but got d={d!r}")
    minus = str(-Fraction(mu))
    U0 = [[mu if j in (i, d + i) else "0" for j in range(2 * d)] for i in range(d)]
    V0 = [[minus if j == i else mu if j == d + i else "0" for j in range(2 * d)] for i in range(d)]
    return U0, V0


def gaussian_initialization(rng, d: int, k: int, alpha: float, bits: int = 20):
    """U0, V0 with i.i.d. N(0, alpha^2) entries rounded to multiples of 2^-bits (exact strings):
    the exact data of a seeded Gaussian initialization (``rng``: numpy Generator)."""
    import numpy as np

    for name, value in (("d", d), ("width k", k), ("bits", bits)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidArgument(f"{name} must be a positive int but got {name}={value!r}")
    scale = 2 ** bits

    def draw():
        return [[str(Fraction(int(v), scale)) for v in row]
                for row in np.rint(rng.normal(0.0, alpha, size=(d, k)) * scale)]

    return draw(), draw()
