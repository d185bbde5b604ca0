"""The engine for a *linear* driven system (quadratic ``P``; wide networks, paper §6): solved by
``dsolve`` as a system, it gives the biased link ``beta(s) = A e^{bs} - B e^{-bs} (+ C)`` with
link parameters ``A, B`` (expressions in the initial values): ``q = int_{beta(0)} h^{-1}``, so
that ``q(beta(0)) = q'(beta(0)) = 0`` and the regularizer is minimized at the initial predictor.
"""

from __future__ import annotations

import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from krtheory.derive.checks import Step, check_equal, domain_points, flow_steps, positivity_step
from krtheory.derive.derivation import Derivation
from krtheory.derive.shared_steps import dual_potential, kkt_step, link_rate, regularizer_with_factor
from krtheory.derive.symbols import driven_system_text, nu, s, z
from krtheory.errors import NotApplicable


def derive_exponential(family: str, depth: int | None, parametrization, parameters,
                       initial: dict) -> Derivation:
    """Steps 1-7 for a linear driven system (P quadratic; wide networks, §6):
    beta(s) = h(b*s) with h(nu; A, B, C) = A e^nu - B e^-nu + C, amplitude 1, one rate b.

    ``u*v`` from (a, b): (u+v) = (a+b) e^s, (u-v) = (a-b) e^-s, so A = (a+b)^2/4,
    B = (a-b)^2/4, b = 2. q(z) = int_{beta(0)}^z h^{-1} = z R - G(R), R = h^{-1}(z), G = int_0 h
    (by parts; R(beta(0)) = 0), hence q(beta(0)) = q'(beta(0)) = 0: Q = q/b is minimized at the
    initial predictor beta(0) = A - B + C, not at 0.
    """
    solution = _solve_linear_flow(parametrization, parameters, initial)
    predictor = sp.powsimp(sp.expand(parametrization.subs(solution).rewrite(sp.exp)))
    try:
        rate = link_rate([predictor], {})
    except NotApplicable as error:
        raise NotApplicable(f"the link beta(s) = {predictor} is not A e^(bs) - B e^(-bs) + C: "
                            f"{error}") from None
    link, values = _exponential_link(predictor, rate)
    scales = tuple(sorted(set().union(*(sp.sympify(v).free_symbols for v in initial.values())), key=str))
    points = _with_link_parameters(domain_points(rate, sp.oo, scales=scales), link, values)
    origin = link.subs(nu, 0)
    increasing = positivity_step("link increasing: h'(nu) > 0", sp.diff(link, nu),
                                "symbolic (link parameters A, B > 0)")
    dual = dual_potential(link)
    steps = [
        *flow_steps(parametrization, parameters, solution, points, initial),
        check_equal("link: beta(s) = h(b*s) at the link parameters' values", parametrization.subs(solution),
                    link.subs(nu, rate * s).subs(values), points),
        *(positivity_step(f"link parameter {p} = {v} >= 0 (beta(s) is increasing)", v, strict=False)
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
    regularizer, factor = regularizer_with_factor(potential, sp.Integer(1), rate, scales)
    steps.append(kkt_step(regularizer, sp.Integer(1), rate, link, factor, True, points, scales))
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
