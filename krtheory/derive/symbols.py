"""The sympy symbols every derivation shares, and the expression helpers the engines and the
families read parametrizations with.

The drive ``s`` and the initial scale ``c`` are those of the paper's general approach (§4):
``du/ds = dbeta/du`` from ``u(0) = c``; ``nu = b*s`` is the link's unit-scale argument, ``z`` the
potential's and ``beta`` the regularizer's. :func:`on_domain` writes a solution on the interval
around ``s = 0`` where it exists (affine bases ``1 + k*s`` as positive symbols).
"""

from __future__ import annotations

import sympy as sp

# Symbols shared by every derivation (assumptions: c > 0, everything else real).
c = sp.Symbol("c", positive=True)
s = sp.Symbol("s", real=True)
nu = sp.Symbol("nu", real=True)
z = sp.Symbol("z", real=True)
beta = sp.Symbol("beta", real=True)
#: h^{-1}(|z|) in potentials that have no closed-form inverse link.
root = sp.Symbol("root", nonnegative=True)
u, v = sp.symbols("u v", positive=True)


def affine_atoms(expr, var) -> list:
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
    for g in affine_atoms(expr, var):
        g1, g0 = sp.Poly(g, var).all_coeffs()
        if g0 == 0:
            continue
        k = sp.simplify(g1 / g0)
        dummy = dummies.setdefault(k, sp.Dummy(f"P{len(dummies)}", positive=True))
        replacements[g] = g0 * dummy
    return sp.powdenest(expr.xreplace(replacements))


def driven_system_text(parametrization, parameters) -> str:
    """The driven ODE dp/ds = dP/dp, as text for messages."""
    return ", ".join(f"d{p}/ds = {sp.diff(parametrization, p)}" for p in parameters)


def terms_by_parameter(parametrization, parameters):
    """{p: the terms of the parametrization in p}, or None unless each term has one parameter."""
    terms = sp.Add.make_args(parametrization)
    if any(sum(t.has(p) for p in parameters) != 1 for t in terms):
        return None
    return {p: sp.Add(*[t for t in terms if t.has(p)]) for p in parameters}
