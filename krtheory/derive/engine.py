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

A *linear* driven system (quadratic ``P``) is derived by
:func:`krtheory.derive.exponential.derive_exponential`.

Every step is verified and recorded as a :class:`~krtheory.derive.checks.Step`
(:mod:`krtheory.derive.checks`): symbolically when sympy's simplifier decides the identity,
else by the residual at seeded random points at 50 digits; the status is three-valued
(:class:`~krtheory.derive.checks.StepStatus`). Derivations are cached per (family, depth):
sympy must never run inside a numeric loop.

User-given parametrizations (e.g. ``"u*v"`` with ``u(0) = a``, ``v(0) = b``) are parsed and
routed into this engine by :mod:`krtheory.families.custom`; :mod:`krtheory.derive.potential` evaluates
``q`` from the derived expression (never retyped) with verified digits.
"""

from __future__ import annotations

import dataclasses
import functools

import sympy as sp

from krtheory.errors import InvalidArgument, NotApplicable
from krtheory._validation import check_depth
from krtheory.derive.checks import Step, StepStatus, check_equal, domain_points, flow_steps, positivity_step
from krtheory.derive.derivation import Derivation
from krtheory.derive.shared_steps import dual_potential, kkt_step, link_rate, regularizer_with_factor
from krtheory.derive.symbols import c, nu, on_domain, root, s, terms_by_parameter, u, v, z

#: Families the engine derives; ``derive(family, depth)`` dispatches on these names.
FAMILIES = ("diagonal",)
#: Largest depth accepted: dsolve, solveset and simplify stay under a few seconds up to here.
MAX_DEPTH = 100


# -- step 1: the driven ODE ----------------------------------------------------------------
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
            data[field.name] = [step.as_dict() for step in value]
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
            values[field.name] = tuple(Step.from_dict(step) for step in value)
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

    increasing = positivity_step(f"link increasing: h'(nu) > 0 on |nu| < {radius}",
                                on_domain(sp.diff(link, nu), nu, {}),
                                "symbolic (affine bases > 0 on the domain)")
    steps = [
        *flow_steps(parametrization, parameters, solution, points, initial),
        check_equal("unbiased initialization: beta(0) = 0", parametrization.subs(initial), 0, points),
        Step(f"link h is unit-scale (free of {scale})", StepStatus.FAILED if link.has(scale) else StepStatus.VERIFIED,
             "symbolic", "0"),
        check_equal("link: phi_c(s) = a*h(b*s)", parametrization.subs(solution),
                    amplitude * link.subs(nu, rate * s), points),
        check_equal("link: f(0) = 1", f_plus.subs(nu, 0), 1, points),
        check_equal("link: h(nu) = f(nu) - f(-nu) (so h is odd, h(0) = 0)", f_minus, f_plus.subs(nu, -nu),
                    points),
        increasing,
    ]
    dual = dual_potential(link)
    steps += [check_equal("dual potential: G' = h", sp.diff(dual, nu), link, points),
              check_equal("dual potential: G(0) = 0", dual.subs(nu, 0), 0, points)]
    inverse = _invert(link) if radius == sp.oo else None
    if inverse is not None:
        potential, potential_steps = _potential_closed_form(link, inverse, points)
    else:
        potential, potential_steps = _potential_by_parts(link, dual, points, increasing)
    steps += potential_steps
    regularizer, factor = regularizer_with_factor(potential, amplitude, rate, (scale,))
    steps.append(kkt_step(regularizer, amplitude, rate, link, factor, inverse is not None, points,
                           (scale,)))
    return Derivation(family=family, depth=depth, parameters=tuple(parameters),
                      parametrization=parametrization, c=scale, s=s, solution=solution, nu=nu,
                      link=link, amplitude=amplitude, rate=rate, nu_radius=radius, z=z,
                      inverse_link=inverse, potential=potential, dual_potential=dual,
                      regularizer=regularizer, steps=tuple(steps), initial_values=initial)



def _link(parametrization, parameters, scale=c):
    """Steps 1-3: the flow solution and the link beta = a*(f_plus(b*s) - f_minus(b*s)).

    Returns (solution, a, b, f_plus(nu), f_minus(nu), radius of the nu-domain). a is the
    plus part of the parametrization at the initial value c; b is found by
    :func:`~krtheory.derive.shared_steps.link_rate`.
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
    rate = link_rate(pieces.values(), dummies)
    solution = {p: on_domain[p].xreplace({dummy: 1 + k * s for k, dummy in dummies.items()})
                for p in parameters}
    unit = {dummy: 1 + sp.simplify(k / rate) * nu for k, dummy in dummies.items()}
    f_plus, f_minus = (pieces[p].xreplace(unit).subs(s, nu / rate) for p in parameters)
    radius = min([sp.Abs(sp.simplify(rate / k)) for k in dummies], default=sp.oo)
    return solution, amplitude, rate, f_plus, f_minus, radius


# -- steps 4-6: inverse, potential ---------------------------------------------------------
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
        positivity_step("potential convex: q'' > 0 (z real)", sp.diff(potential, z, 2)),
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


