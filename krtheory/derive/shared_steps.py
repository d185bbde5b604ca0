"""The steps of the general approach (§4) that the separable engine (:mod:`krtheory.derive.engine`)
and the linear one (:mod:`krtheory.derive.exponential`) share: the rate b of the link, the dual
potential G = int_0 h, the per-coordinate regularizer Q_c (eq. 5) and its KKT check."""

from __future__ import annotations

import sympy as sp

from krtheory.derive.checks import Step, StepStatus, check_equal
from krtheory.derive.symbols import affine_atoms, beta, c, nu, root, s, z
from krtheory.errors import NotApplicable


def link_rate(pieces, dummies: dict):
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


def dual_potential(link):
    """G(nu) = int_0^nu h, each term integrated in its own base P = 1 + k*nu where it has one.

    Integrating in P keeps the factored form (1 - nu)**-e: sympy's direct antiderivative
    expands it into (nu**4 - 2*nu**2 + 1)**-1, which cancels to 0 near nu = 1.
    """
    antiderivative, factored = sp.Integer(0), False
    for term in sp.Add.make_args(link):
        bases = {g for g in affine_atoms(term, nu) if sp.Poly(g, nu).all_coeffs()[1] != 0}
        if len(bases) == 1:
            base, factored = bases.pop(), True
            slope = sp.Poly(base, nu).all_coeffs()[0]
            P = sp.Dummy("P", positive=True)
            antiderivative += (sp.integrate(term.xreplace({base: P}), P) / slope).xreplace({P: base})
        else:
            antiderivative += sp.integrate(term, nu)
    dual = antiderivative - antiderivative.subs(nu, 0)
    return dual if factored else sp.simplify(dual)


def regularizer_with_factor(potential, amplitude, rate, scales):
    """(Q_c, factor): Q_c = (a/b) q(beta/a) with the scale-free factor of b, common to all
    coordinates, dropped (eq. 5)."""
    factor, scale_part = rate.as_independent(*scales, as_Add=False)
    return amplitude / scale_part * potential.subs(z, beta / amplitude), factor


def kkt_step(regularizer, amplitude, rate, link, factor, closed_form: bool, points,
             scales=(c,)) -> Step:
    """dQ_c/dbeta at beta = a*h(b*s) must be factor*s, factor free of the scales and positive."""
    name = f"KKT: dQ_c/dbeta at beta = phi_c(s) equals {factor}*s (c-free, positive factor)"
    if factor.has(*scales) or not factor.is_positive:
        return Step(name, StepStatus.FAILED, "symbolic", sp.sstr(factor))
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
