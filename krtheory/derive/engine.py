"""The derivation engine: the paper's "general approach" (§4) carried out by sympy.

For a separable model one coordinate has parameters ``(u, v)`` with ``beta = u**D - v**D``,
started at ``u(0) = v(0) = c`` (``c = alpha*w0_i > 0``). With the loss
``L = sum_n (<beta, x_n> - y_n)**2`` the flow is ``du/dt = -2 g(t) dbeta/du`` with
``g = (X^T r)_i``; in the drive ``s(t) = -2 int_0^t g`` it is the autonomous ODE
``du/ds = dbeta/du``, ``dv/ds = dbeta/dv``. The engine

1. solves that ODE with ``sympy.dsolve`` (initial value ``c``) and substitutes the solution back;
2. brings the link ``beta = phi_c(s)`` to ``a(c) * h(b(c) * s)`` with a unit-scale, odd
   ``h(nu) = f(nu) - f(-nu)``, ``f(0) = 1`` (Theorem 1 proof, eqs. 17-18; Theorem 3, App. E);
3. inverts ``h`` where sympy can and integrates the inverse: ``q(z) = int_0^z h^{-1}``
   (Theorem 1: ``q(z) = 2 - sqrt(4 + z**2) + z*asinh(z/2)``); where it cannot (D >= 3),
   integrates by parts: ``q(z) = |z|*root - G(root)``, ``root = h^{-1}(|z|)``,
   ``G(nu) = int_0^nu h`` (Theorem 3, eq. 60);
4. forms the per-coordinate regularizer ``Q_c(beta) = (a/b) q(beta/a)`` (eq. 5) and checks
   the KKT condition ``dQ_c/dbeta (phi_c(s)) = const * s`` with a ``c``-independent constant.

A *linear* driven system (quadratic ``P``, :func:`derive_exponential`) is solved by ``dsolve``
as a system and gives the biased link ``beta(s) = A e^{bs} - B e^{-bs} (+ C)`` with link
parameters ``A, B`` (expressions in the initial values): ``q = int_{beta(0)} h^{-1}``, so that
``q(beta(0)) = q'(beta(0)) = 0`` and the regularizer is minimized at the initial predictor.

Every step is verified and recorded as a :class:`Step`: symbolically when sympy's simplifier
decides the identity, else by the residual at seeded random points at 50 digits; the status
is three-valued (verified / failed / undecided). Derivations are cached per (family, depth):
sympy must never run inside a numeric loop.

User-given parametrizations (e.g. ``"u*v"`` with ``u(0) = a``, ``v(0) = b``) are parsed and
routed into this engine by :mod:`krtheory.families.custom`; :mod:`krtheory.derive.potential` evaluates
``q`` from the derived expression (never retyped) with verified digits.
"""

from __future__ import annotations

import dataclasses
import functools
import random

import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from krtheory import precision
from krtheory.derive.abstract import AbstractDerivation
from krtheory.errors import InvalidArgument, NotApplicable
from krtheory._validation import check_depth

#: Families the engine derives by name in ``derive(family, depth)`` (derive sits below families, so
#: this is the engine's own list; the CLI's families are :data:`krtheory.families.registry.FAMILIES`).
FAMILIES = ("diagonal",)
#: Largest depth accepted: dsolve, solveset and simplify stay under a few seconds up to here.
MAX_DEPTH = 100

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

# Symbols shared by every derivation (assumptions: c > 0, everything else real).
c = sp.Symbol("c", positive=True)
s = sp.Symbol("s", real=True)
nu = sp.Symbol("nu", real=True)
z = sp.Symbol("z", real=True)
beta = sp.Symbol("beta", real=True)
#: h^{-1}(|z|) in potentials that have no closed-form inverse link.
root = sp.Symbol("root", nonnegative=True)
u, v = sp.symbols("u v", positive=True)


@dataclasses.dataclass(frozen=True)
class Step:
    """One verified step of a derivation."""

    name: str
    status: str     # "verified" | "failed" | "undecided"
    method: str     # "symbolic" | "numeric: 50 digits at 5 seeded points" | ...
    residual: str   # "0" or a decimal string


@dataclasses.dataclass(frozen=True, eq=False)
class Derivation(AbstractDerivation):
    """The implicit regularizer of one coordinate, derived and verified step by step.

    The link is ``beta = a*h(b*s)``. For the diagonal form ``c`` is the initial-value symbol
    and h is odd and c-free. For a biased link (``c`` is None) ``a = 1``, ``b`` is a number and
    ``h(nu; A, B) = A e^nu - B e^-nu (+ C)`` carries link parameters, ``link_parameters`` giving
    their values in the initial values; ``link_range`` is the range of h (where q is defined).
    Compared (and hashed) by identity: the engine caches one per (family, depth) or
    parametrization.
    """

    family: str
    depth: int | None
    parameters: tuple
    parametrization: sp.Expr
    c: sp.Symbol | None
    s: sp.Symbol
    solution: dict
    nu: sp.Symbol
    link: sp.Expr
    amplitude: sp.Expr
    rate: sp.Expr
    nu_radius: sp.Expr
    z: sp.Symbol
    inverse_link: sp.Expr | None
    potential: sp.Expr
    dual_potential: sp.Expr
    regularizer: sp.Expr
    steps: tuple[Step, ...]
    initial_values: dict = dataclasses.field(default_factory=dict)
    link_parameters: dict = dataclasses.field(default_factory=dict)
    link_range: sp.Interval = sp.Interval(-sp.oo, sp.oo)

    def scales(self) -> tuple:
        """The symbols of the initial values (diagonal form: just c)."""
        free = set().union(*(sp.sympify(v).free_symbols for v in self.initial_values.values()))
        return tuple(sorted(free, key=str))

    def dropped_factor(self) -> sp.Expr:
        """The scale-independent positive factor of the rate b, dropped from Q (argmin unchanged)."""
        return self.rate.as_independent(*self.scales(), as_Add=False)[0]

    def weight(self) -> sp.Expr:
        """w(c) in Q_c(beta) = w(c) q(beta/a(c)): a/b with the dropped factor restored to 1."""
        return sp.simplify(self.amplitude * self.dropped_factor() / self.rate)

    def initial_prediction(self) -> sp.Expr:
        """beta(0) = a*h(0): 0 for the diagonal form, e.g. A - B for a biased link."""
        return sp.simplify(self.amplitude * self.link.subs(self.nu, 0))

    def as_dict(self, fmt: str = "sympy") -> dict:
        """The derivation as JSON-able strings; ``fmt`` is sympy, latex or python."""
        show = printer(fmt)
        origin = self.initial_prediction()
        note = (f"Q_c(beta) = (a/b) q(beta/a) with the scale-free factor "
                f"1/({show(self.dropped_factor())}) of 1/b dropped (argmin unchanged)")
        if origin != 0:
            note += (f"; q(beta(0)) = q'(beta(0)) = 0: Q is minimized at the initial predictor "
                     f"beta(0) = {show(origin)}, not at 0")
        return {
            "family": self.family,
            "depth": self.depth,
            "parameters": [show(p) for p in self.parameters],
            "parametrization": show(self.parametrization),
            "initial_value": None if self.c is None else show(self.c),
            "initial_values": {show(p): show(e) for p, e in self.initial_values.items()},
            "drive": show(self.s),
            "solution": {show(p): show(e) for p, e in self.solution.items()},
            "link": show(self.link),
            "link_parameters": {show(p): show(e) for p, e in self.link_parameters.items()},
            "amplitude": show(self.amplitude),
            "rate": show(self.rate),
            "nu_radius": show(self.nu_radius),
            "link_range": [show(self.link_range.start), show(self.link_range.end)],
            "initial_prediction": show(origin),
            "inverse_link": None if self.inverse_link is None else show(self.inverse_link),
            "potential": show(self.potential),
            "root": (None if self.inverse_link is not None else
                     f"{show(root)} = h^(-1)(|{show(z)}|), the root in [0, {show(self.nu_radius)}) "
                     f"of h({show(root)}) = |{show(z)}|"),
            "dual_potential": show(self.dual_potential),
            "regularizer": show(self.regularizer),
            "regularizer_note": note,
            "steps": [dataclasses.asdict(step) for step in self.steps],
            "verified": self.verified(),
        }


def printer(fmt: str):
    """The sympy printer of an output format: sympy, latex or python."""
    printers = {"sympy": sp.sstr, "latex": sp.latex, "python": sp.pycode}
    if fmt not in printers:
        raise InvalidArgument(f"fmt must be one of {', '.join(printers)} but got fmt={fmt!r}")
    return printers[fmt]


# -- three-valued checks -----------------------------------------------------------------
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
        return Step(name, "verified", "symbolic", "0")
    if difference.is_number and difference.is_zero is False:
        return Step(name, "failed", "symbolic", sp.sstr(sp.N(difference, 15)))
    return _check_numerically(name, sp.sympify(lhs), sp.sympify(rhs), points)


def _check_numerically(name, lhs, rhs, points) -> Step:
    method = f"numeric: {CHECK_DPS} digits at {len(points)} seeded points"
    ctx = precision.context(CHECK_DPS)
    names = tuple(points[0])
    unsampled = (lhs.free_symbols | rhs.free_symbols) - set(names)
    if unsampled:
        return Step(name, "undecided", f"{method}; unsampled symbols {sorted(map(str, unsampled))}", "nan")
    f_lhs, f_rhs = precision.lambdify(names, lhs, ctx), precision.lambdify(names, rhs, ctx)
    worst = ctx.zero
    for point in points:
        try:
            args = [precision.lambdify((), point[x], ctx)() for x in names]
            a, b = f_lhs(*args), f_rhs(*args)
            residual = abs(a - b) / max(ctx.one, abs(a), abs(b))
        except (ArithmeticError, ValueError, TypeError):
            return Step(name, "undecided", f"{method}; residual not evaluable", "nan")
        if not ctx.isfinite(residual):
            return Step(name, "undecided", f"{method}; residual not finite", "nan")
        worst = max(worst, residual)
    shown = ctx.nstr(worst, 3)
    if worst <= CHECK_AGREE.value(ctx):
        return Step(name, "verified", method, shown)
    if worst > CHECK_REFUTE.value(ctx):
        return Step(name, "failed", method, shown)
    return Step(name, "undecided", method, shown)


def check_positive(name: str, expr, method: str = "symbolic", strict: bool = True) -> Step:
    """sympy's three-valued ``is_positive`` (``is_nonnegative`` if not strict) as a step
    (None -> undecided)."""
    simplified = sp.simplify(expr)
    verdict = simplified.is_positive if strict else simplified.is_nonnegative
    status = {True: "verified", False: "failed", None: "undecided"}[verdict]
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


# -- step 1: the driven ODE ----------------------------------------------------------------
def _affine_atoms(expr, var) -> list:
    """Arguments of exp/Abs/sign and bases of powers that are affine in ``var``."""
    atoms = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            candidate = node.base
        elif isinstance(node, (sp.exp, sp.Abs, sp.sign)):
            candidate = node.args[0]
        else:
            continue
        if candidate.has(var) and candidate.is_polynomial(var) and sp.degree(candidate, var) == 1:
            atoms.append(candidate)
    return atoms


def on_domain(expr, var, dummies: dict):
    """Replace each affine atom ``g0*(1 + k*var)`` (``g0 != 0``) by ``g0*P_k``, ``P_k > 0``.

    Valid on the interval around ``var = 0`` on which no atom changes sign, which is where a
    solution started at ``var = 0`` exists. ``dummies`` maps ``k -> P_k`` and is extended.
    """
    replacements = {}
    for g in _affine_atoms(expr, var):
        g1, g0 = sp.Poly(g, var).all_coeffs()
        if g0 == 0:
            continue
        k = sp.simplify(g1 / g0)
        dummy = dummies.setdefault(k, sp.Dummy(f"P{len(dummies)}", positive=True))
        replacements[g] = g0 * dummy
    return sp.powdenest(expr.xreplace(replacements))


def _solve_flow(parametrization, p, dummies: dict, initial=c):
    """``p(s)`` from ``dp/ds = dbeta/dp``, ``p(0) = initial > 0``, in domain form (see
    :func:`on_domain`)."""
    function = sp.Function("w")
    ode = sp.Eq(function(s).diff(s), sp.diff(parametrization, p).subs(p, function(s)))
    try:
        implicit = sp.dsolve(ode, function(s), hint="separable", simplify=False)
    except (NotImplementedError, ValueError) as error:
        raise NotApplicable(f"sympy.dsolve cannot solve {ode}: {error}") from None
    y, constant = sp.Dummy("y", positive=True), sp.Symbol("C1")
    relation = implicit.subs(function(s), y)
    constants = sp.solve(relation.subs({s: 0, y: initial}), constant)
    if len(constants) != 1:
        raise NotApplicable(f"initial value {p}(0) = {initial} does not fix the constant of {implicit}")
    relation = relation.subs(constant, constants[0])
    found = sp.solveset(relation.lhs - relation.rhs, y, sp.Interval.open(0, sp.oo))
    candidates = [e for finite in found.atoms(sp.FiniteSet) for e in finite]
    chosen = []
    for candidate in candidates:
        candidate = on_domain(candidate, s, dummies)
        at_zero = candidate.subs({dummy: 1 for dummy in dummies.values()}).subs(s, 0)
        if not candidate.has(sp.I) and sp.simplify(at_zero - initial) == 0:
            chosen.append(candidate)
    if len(chosen) != 1:
        raise NotApplicable(f"dsolve/solveset gave {len(chosen)} positive real branches of "
                            f"{implicit} with {p}(0) = {initial}: {candidates}")
    return chosen[0]


# -- the engine --------------------------------------------------------------------------------
def derive(family: str, depth) -> Derivation:
    """The verified derivation of ``family`` at ``depth`` (cached)."""
    if family not in FAMILIES:
        raise InvalidArgument(f"unknown family={family!r}; known families: {', '.join(FAMILIES)}")
    return _derive_cached(family, check_depth(depth, MAX_DEPTH))


def derive_diagonal(depth) -> Derivation:
    """Depth-D diagonal network ``beta = w_+**D - w_-**D`` (eq. 3 for D = 2, eq. 10)."""
    return derive("diagonal", depth)


@functools.cache
def _derive_cached(family: str, depth: int) -> Derivation:
    """Reused across processes when verified (:mod:`krtheory._cache`; measured: the depth-2
    derivation is ~3 s of a 3.5 s ``krtheory potential`` call)."""
    from krtheory import _cache

    key = {"family": family, "depth": depth}
    stored = _cache.load("derivation", key)
    if stored is not None:
        try:
            return _decode(stored)
        except (ValueError, TypeError, KeyError, SyntaxError, AttributeError, sp.SympifyError):
            pass  # never trusted when unreadable: derive again and overwrite
    derivation = derive_separable(family, depth, u**depth - v**depth, (u, v))
    if derivation.verified():
        _cache.store("derivation", key, _encode(derivation))
    return derivation


def _encode(derivation: Derivation) -> dict:
    """A derivation as plain JSON: sympy values as exact ``srepr`` strings."""
    data = {}
    for field in dataclasses.fields(Derivation):
        value = getattr(derivation, field.name)
        if field.name == "steps":
            data[field.name] = [dataclasses.asdict(step) for step in value]
        elif field.name in ("family", "depth"):
            data[field.name] = value
        elif isinstance(value, dict):
            data[field.name] = [[sp.srepr(k), sp.srepr(v)] for k, v in value.items()]
        elif isinstance(value, tuple):
            data[field.name] = [sp.srepr(v) for v in value]
        else:
            data[field.name] = None if value is None else sp.srepr(value)
    return data


def _decode(data: dict) -> Derivation:
    """The inverse of :func:`_encode`."""
    values = {}
    for field in dataclasses.fields(Derivation):
        value = data[field.name]
        if field.name == "steps":
            values[field.name] = tuple(Step(**step) for step in value)
        elif field.name in ("family", "depth"):
            values[field.name] = value
        elif field.name in ("solution", "initial_values", "link_parameters"):
            values[field.name] = {sp.sympify(k): sp.sympify(v) for k, v in value}
        elif field.name == "parameters":
            values[field.name] = tuple(sp.sympify(v) for v in value)
        else:
            values[field.name] = None if value is None else sp.sympify(value)
    return Derivation(**values)


def derive_separable(family: str, depth: int | None, parametrization, parameters,
                     scale: sp.Symbol = c) -> Derivation:
    """Run steps 1-7 for ``beta = parametrization(u, v)``, ``u(0) = v(0) = scale`` (a positive
    symbol, default c).

    Raises NotApplicable where a step cannot produce its object (dsolve fails, no single rate
    b, ...); identities that can be checked but do not hold are recorded as "failed" steps.
    """
    plus, minus = parameters
    solution, amplitude, rate, f_plus, f_minus, radius = _link(parametrization, parameters, scale)
    link = f_plus - f_minus
    points = domain_points(rate, radius, scales=(scale,))
    initial = {p: scale for p in parameters}

    increasing = check_positive(f"link increasing: h'(nu) > 0 on |nu| < {radius}",
                                on_domain(sp.diff(link, nu), nu, {}),
                                "symbolic (affine bases > 0 on the domain)")
    steps = [
        *flow_steps(parametrization, parameters, solution, points, initial),
        check_equal("unbiased initialization: beta(0) = 0", parametrization.subs(initial), 0, points),
        Step(f"link h is unit-scale (free of {scale})", "failed" if link.has(scale) else "verified",
             "symbolic", "0"),
        check_equal("link: phi_c(s) = a*h(b*s)", parametrization.subs(solution),
                    amplitude * link.subs(nu, rate * s), points),
        check_equal("link: f(0) = 1", f_plus.subs(nu, 0), 1, points),
        check_equal("link: h(nu) = f(nu) - f(-nu) (so h is odd, h(0) = 0)", f_minus, f_plus.subs(nu, -nu),
                    points),
        increasing,
    ]
    dual = _dual_potential(link)
    steps += [check_equal("dual potential: G' = h", sp.diff(dual, nu), link, points),
              check_equal("dual potential: G(0) = 0", dual.subs(nu, 0), 0, points)]
    inverse = _invert(link) if radius == sp.oo else None
    if inverse is not None:
        potential, potential_steps = _potential_closed_form(link, inverse, points)
    else:
        potential, potential_steps = _potential_by_parts(link, dual, points, increasing)
    steps += potential_steps
    regularizer, factor = _regularizer(potential, amplitude, rate, (scale,))
    steps.append(_kkt_step(regularizer, amplitude, rate, link, factor, inverse is not None, points,
                           (scale,)))
    return Derivation(family=family, depth=depth, parameters=tuple(parameters),
                      parametrization=parametrization, c=scale, s=s, solution=solution, nu=nu,
                      link=link, amplitude=amplitude, rate=rate, nu_radius=radius, z=z,
                      inverse_link=inverse, potential=potential, dual_potential=dual,
                      regularizer=regularizer, steps=tuple(steps), initial_values=initial)


def _regularizer(potential, amplitude, rate, scales):
    """(Q_c, factor): Q_c = (a/b) q(beta/a) with the scale-free factor of b, common to all
    coordinates, dropped (eq. 5)."""
    factor, scale_part = rate.as_independent(*scales, as_Add=False)
    return amplitude / scale_part * potential.subs(z, beta / amplitude), factor


def _link(parametrization, parameters, scale=c):
    """Steps 1-3: the flow solution and the link beta = a*(f_plus(b*s) - f_minus(b*s)).

    Returns (solution, a, b, f_plus(nu), f_minus(nu), radius of the nu-domain). a is the
    plus part of the parametrization at the initial value c; b is found by :func:`_rate`.
    """
    plus, minus = parameters
    parts = terms_by_parameter(parametrization, parameters)
    if parts is None:
        raise NotApplicable(f"{parametrization} is not a sum of one part per parameter")
    amplitude = parts[plus].subs(plus, scale)
    dummies: dict = {}
    on_domain = {p: _solve_flow(parametrization, p, dummies, scale) for p in parameters}
    # f_plus(s) = part_plus(u(s))/a, f_minus(s) = -part_minus(v(s))/a: beta = a*(f_plus - f_minus)
    pieces = {plus: sp.powsimp(parts[plus].subs(plus, on_domain[plus]) / amplitude),
              minus: sp.powsimp(-parts[minus].subs(minus, on_domain[minus]) / amplitude)}
    rate = _rate(pieces.values(), dummies)
    solution = {p: on_domain[p].xreplace({dummy: 1 + k * s for k, dummy in dummies.items()})
                for p in parameters}
    unit = {dummy: 1 + sp.simplify(k / rate) * nu for k, dummy in dummies.items()}
    f_plus, f_minus = (pieces[p].xreplace(unit).subs(s, nu / rate) for p in parameters)
    radius = min([sp.Abs(sp.simplify(rate / k)) for k in dummies], default=sp.oo)
    return solution, amplitude, rate, f_plus, f_minus, radius


def _rate(pieces, dummies: dict):
    """The rate b: the one |coefficient of s| of the exp arguments and of the affine power
    bases 1 + k*s (|k|) in the normalized pieces; NotApplicable when they disagree."""
    rates = set()
    for piece in pieces:
        for node in piece.atoms(sp.exp):
            argument = node.args[0]
            if argument.has(s) and argument.is_polynomial(s) and sp.degree(argument, s) == 1:
                rates.add(sp.simplify(sp.Abs(sp.Poly(argument, s).all_coeffs()[0])))
        rates |= {sp.simplify(sp.Abs(k)) for k, dummy in dummies.items() if piece.has(dummy)}
    if len(rates) != 1:
        raise NotApplicable(f"no single rate b: the drive enters the solution as {sorted(map(str, rates))}")
    return rates.pop()


# -- steps 4-6: inverse, potential ---------------------------------------------------------
def _dual_potential(link):
    """G(nu) = int_0^nu h, each term integrated in its own base P = 1 + k*nu where it has one.

    Integrating in P keeps the factored form (1 - nu)**-e: sympy's direct antiderivative
    expands it into (nu**4 - 2*nu**2 + 1)**-1, which cancels to 0 near nu = 1.
    """
    antiderivative, factored = sp.Integer(0), False
    for term in sp.Add.make_args(link):
        bases = {g for g in _affine_atoms(term, nu) if sp.Poly(g, nu).all_coeffs()[1] != 0}
        if len(bases) == 1:
            base, factored = bases.pop(), True
            slope = sp.Poly(base, nu).all_coeffs()[0]
            P = sp.Dummy("P", positive=True)
            antiderivative += (sp.integrate(term.xreplace({base: P}), P) / slope).xreplace({P: base})
        else:
            antiderivative += sp.integrate(term, nu)
    dual = antiderivative - antiderivative.subs(nu, 0)
    return dual if factored else sp.simplify(dual)


def _invert(link):
    """h^{-1}(z) by ``solveset`` over the reals, or None when it has no single closed form.

    Attempted only for links without power singularities (radius oo): for D >= 3,
    h(nu) = z is algebraic of high degree (sympy returns nothing at D = 3 and
    140-operation radicals after 7 s at D = 4), so the potential goes by parts instead.
    """
    found = sp.solveset(sp.Eq(sp.simplify(link), z), nu, sp.S.Reals)
    if isinstance(found, sp.FiniteSet) and len(found) == 1:
        return next(iter(found))
    return None


def _potential_closed_form(link, inverse, points):
    potential = sp.simplify(sp.integrate(inverse, (z, 0, z)))
    return potential, [
        check_equal("inverse: h(h^-1(z)) = z", link.subs(nu, inverse), z, points),
        check_equal("potential: q' = h^-1", sp.diff(potential, z), inverse, points),
        check_equal("potential: q(0) = 0", potential.subs(z, 0), 0, points),
        check_positive("potential convex: q'' > 0 (z real)", sp.diff(potential, z, 2)),
    ]


def _potential_by_parts(link, dual, points, increasing: Step):
    """q(z) = |z|*root - G(root), root = h^{-1}(|z|): int_0^t h^{-1} = t*x - int_0^x h, t = h(x)."""
    potential = sp.Abs(z) * root - dual.subs(nu, root)
    # d/dt [t R(t) - G(R(t))] with R' = 1/h'(R), at t = h(x) > 0, R = x: must equal x
    t, R = sp.Symbol("t", positive=True), sp.Function("R")
    derivative = sp.diff(potential.subs({z: t, root: R(t)}), t)
    derivative = derivative.subs(sp.Derivative(R(t), t), 1 / sp.diff(link, nu).subs(nu, R(t)))
    derivative = derivative.subs(R(t), nu).subs(t, link)
    positive_nu = [{**p, nu: abs(p[nu]), s: abs(p[s])} for p in points]
    return potential, [
        check_equal("potential: q' = h^-1 (differentiated back, dz/dt = 1/h'(z))", derivative, nu,
                    positive_nu),
        check_equal("potential: q(0) = 0 (h^-1(0) = 0)", potential.subs({z: 0, root: 0}), 0, points),
        Step("potential convex: q'' = 1/h'(h^-1(z)) > 0", increasing.status,
             f"from the step '{increasing.name}'", increasing.residual),
    ]


# -- step 7: KKT consistency -----------------------------------------------------------------
def _kkt_step(regularizer, amplitude, rate, link, factor, closed_form: bool, points,
              scales=(c,)) -> Step:
    """dQ_c/dbeta at beta = a*h(b*s) must be factor*s, factor free of the scales and positive."""
    name = f"KKT: dQ_c/dbeta at beta = phi_c(s) equals {factor}*s (c-free, positive factor)"
    if factor.has(*scales) or not factor.is_positive:
        return Step(name, "failed", "symbolic", sp.sstr(factor))
    if closed_form:
        gradient = sp.diff(regularizer, beta).subs(beta, amplitude * link.subs(nu, rate * s))
        return check_equal(name, gradient, factor * s, points)
    # beta > 0 branch, root = R(beta) = h^{-1}(beta/a), dR/dbeta = 1/(a h'(R)); then R = b*s
    b_pos, R = sp.Symbol("b_pos", positive=True), sp.Function("R")
    gradient = sp.diff(regularizer.subs({beta: b_pos, root: R(b_pos)}), b_pos)
    gradient = gradient.subs(sp.Derivative(R(b_pos), b_pos),
                             1 / (amplitude * sp.diff(link, nu).subs(nu, R(b_pos))))
    gradient = gradient.subs(R(b_pos), rate * s).subs(b_pos, amplitude * link.subs(nu, rate * s))
    positive_s = [{**p, nu: abs(p[nu]), s: abs(p[s])} for p in points]
    return check_equal(name, gradient, factor * s, positive_s)


# -- parametrization helpers (also used by krtheory.families.custom) -----------------------
def driven_system_text(parametrization, parameters) -> str:
    """The driven ODE dp/ds = dP/dp, as text for messages."""
    return ", ".join(f"d{p}/ds = {sp.diff(parametrization, p)}" for p in parameters)


def terms_by_parameter(parametrization, parameters):
    """{p: the terms of the parametrization in p}, or None unless each term has one parameter."""
    terms = sp.Add.make_args(parametrization)
    if any(sum(t.has(p) for p in parameters) != 1 for t in terms):
        return None
    return {p: sp.Add(*[t for t in terms if t.has(p)]) for p in parameters}


# -- biased (exponential) links: linear driven systems -----------------------------------------
def derive_exponential(family: str, depth: int | None, parametrization, parameters,
                       initial: dict) -> Derivation:
    """Steps 1-7 for a linear driven system (P quadratic; wide networks, FORMULAS §7):
    beta(s) = h(b*s) with h(nu; A, B, C) = A e^nu - B e^-nu + C, amplitude 1, one rate b.

    ``u*v`` from (a, b): (u+v) = (a+b) e^s, (u-v) = (a-b) e^-s, so A = (a+b)^2/4,
    B = (a-b)^2/4, b = 2. q(z) = int_{beta(0)}^z h^{-1} = z R - G(R), R = h^{-1}(z), G = int_0 h
    (by parts; R(beta(0)) = 0), hence q(beta(0)) = q'(beta(0)) = 0: Q = q/b is minimized at the
    initial predictor beta(0) = A - B + C, not at 0.
    """
    solution = _solve_linear_flow(parametrization, parameters, initial)
    predictor = sp.powsimp(sp.expand(parametrization.subs(solution).rewrite(sp.exp)))
    try:
        rate = _rate([predictor], {})
    except NotApplicable as error:
        raise NotApplicable(f"the link beta(s) = {predictor} is not A e^(bs) - B e^(-bs) + C: "
                            f"{error}") from None
    link, values = _exponential_link(predictor, rate)
    scales = tuple(sorted(set().union(*(sp.sympify(v).free_symbols for v in initial.values())), key=str))
    points = _with_link_parameters(domain_points(rate, sp.oo, scales=scales), link, values)
    origin = link.subs(nu, 0)
    increasing = check_positive("link increasing: h'(nu) > 0", sp.diff(link, nu),
                                "symbolic (link parameters A, B > 0)")
    dual = _dual_potential(link)
    steps = [
        *flow_steps(parametrization, parameters, solution, points, initial),
        check_equal("link: beta(s) = h(b*s) at the link parameters' values", parametrization.subs(solution),
                    link.subs(nu, rate * s).subs(values), points),
        *(check_positive(f"link parameter {p} = {v} >= 0 (beta(s) is increasing)", v, strict=False)
          for p, v in values.items() if p.name != "C"),
        increasing,
        check_equal("dual potential: G' = h", sp.diff(dual, nu), link, points),
        check_equal("dual potential: G(0) = 0", dual.subs(nu, 0), 0, points),
    ]
    inverse = _inverse_through(link, origin)
    potential = sp.expand(sp.radsimp(sp.expand(z * inverse - dual.subs(nu, inverse))))
    q_slope = sp.diff(potential, z)
    steps += [
        check_equal("inverse: h(h^-1(z)) = z", link.subs(nu, inverse), z, points),
        check_equal("potential: q' = h^-1", q_slope, inverse, points),
        check_equal("potential: q(beta(0)) = 0", potential.subs(z, origin), 0, points),
        check_equal("potential: q'(beta(0)) = 0 (Q is minimized at the initial predictor)",
                    q_slope.subs(z, origin), 0, points),
        Step("potential convex: q'' = 1/h'(h^-1(z)) > 0", increasing.status,
             f"from the step '{increasing.name}'", increasing.residual),
    ]
    regularizer, factor = _regularizer(potential, sp.Integer(1), rate, scales)
    steps.append(_kkt_step(regularizer, sp.Integer(1), rate, link, factor, True, points, scales))
    lower, upper = (sp.limit(link, nu, end) for end in (-sp.oo, sp.oo))
    return Derivation(family=family, depth=depth, parameters=tuple(parameters),
                      parametrization=parametrization, c=None, s=s, solution=solution, nu=nu,
                      link=link, amplitude=sp.Integer(1), rate=rate, nu_radius=sp.oo, z=z,
                      inverse_link=inverse, potential=potential, dual_potential=dual,
                      regularizer=regularizer, steps=tuple(steps), initial_values=dict(initial),
                      link_parameters=values, link_range=sp.Interval.open(lower, upper))


def _solve_linear_flow(parametrization, parameters, initial: dict) -> dict:
    """theta(s) from the linear system dtheta_j/ds = dP/dtheta_j, theta(0) = initial (dsolve)."""
    functions = {p: sp.Function(p.name)(s) for p in parameters}
    odes = [sp.Eq(functions[p].diff(s), sp.diff(parametrization, p).xreplace(functions)) for p in parameters]
    try:
        found = sp.dsolve(odes, list(functions.values()),
                          ics={functions[p].subs(s, 0): initial[p] for p in parameters})
    except (NotImplementedError, ValueError, ArithmeticError, BasePolynomialError) as error:
        raise NotApplicable(f"sympy.dsolve found no closed form for "
                            f"{driven_system_text(parametrization, parameters)}: {error}") from None
    by_function = {equation.lhs: equation.rhs for equation in found}
    return {p: by_function[functions[p]] for p in parameters}


def _exponential_link(predictor, rate):
    """h(nu) = A e^nu - B e^-nu + C from beta(nu/b), and {link parameter: value}: each
    coefficient that depends on the initial values becomes a symbol (A, B > 0; C real)."""
    unit = sp.expand(predictor.subs(s, nu / rate))
    pieces = sp.collect(unit, [sp.exp(nu), sp.exp(-nu)], evaluate=False)
    if set(pieces) - {sp.exp(nu), sp.exp(-nu), sp.S.One} or any(v.has(nu) for v in pieces.values()):
        raise NotApplicable(f"the link beta(s) = {predictor} is not A e^({rate}s) - B e^(-{rate}s) + C")
    link, values = sp.Integer(0), {}
    for basis, name, sign in ((sp.exp(nu), "A", 1), (sp.exp(-nu), "B", -1), (sp.S.One, "C", 1)):
        coefficient = sp.factor(sign * pieces.get(basis, 0))
        if coefficient.free_symbols:
            symbol = sp.Symbol(name, real=True) if name == "C" else sp.Symbol(name, positive=True)
            values[symbol], coefficient = coefficient, symbol
        link += sign * coefficient * basis
    return link, values


def _with_link_parameters(points: list[dict], link, values: dict) -> list[dict]:
    """The points with the link parameters at their values and z = h(3z/5), in h's range."""
    placed = []
    for point in points:
        parameters = {p: v.subs(point) for p, v in values.items()}
        placed.append({**point, **parameters,
                       z: link.subs(parameters).subs(nu, sp.Rational(3, 5) * point[z])})
    return placed


def _inverse_through(link, origin):
    """The branch of h^{-1} (``solveset`` over the reals) with h^{-1}(h(0)) = 0."""
    found = sp.solveset(sp.Eq(link, z), nu, sp.S.Reals)
    candidates = [e for finite in found.atoms(sp.FiniteSet) for e in finite]
    # sqrt(4AB + (A - B)**2) = A + B only once the radicand is factored
    factored = lambda e: e.replace(lambda x: x.is_Pow and not x.exp.is_Integer,  # noqa: E731
                                   lambda x: sp.Pow(sp.factor(x.base), x.exp))
    through = [e for e in candidates if not e.has(sp.I) and sp.simplify(factored(e.subs(z, origin))) == 0]
    if len(through) != 1:
        raise NotApplicable(f"solveset found {len(through)} branches of h^-1 through (h(0), 0) for "
                            f"h = {link}: {candidates}")
    return through[0]
