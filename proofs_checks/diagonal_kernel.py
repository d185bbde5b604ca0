"""§3/§4: the tangent kernel of the depth-2 model at initialization w+ = w- = alpha*1 is
K(x, x') = 8 alpha^2 <x, x'>.

Two routes that share nothing: (1) symbolic, from the parametrization the derivation engine
works on: K = sum_i [(d beta_i/d w+_i)^2 + (d beta_i/d w-_i)^2] x_i x'_i at w = alpha; (2) exact
rational arithmetic on the flow's model (krtheory.flow.models), Gram matrix J J^T of the model's
Jacobian on a built-in problem, compared entry by entry with 8 alpha^2 X X^T.
"""

from __future__ import annotations

from fractions import Fraction

from krtheory.builtin_problems import builtin_problem
from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.flow.models import DiagonalModel
from krtheory.precision import Tolerance

DOMAIN = Domain("symbolic in alpha; exact Gram matrices", problems=("planted-4x10",),
                alphas=("1e-3", "0.7", "13"))


def symbolic_kernel_factor(depth: int):
    """sum over the coordinate's parameters of (d beta/d p)^2 at p = c, from the derivation."""
    import sympy

    from krtheory.derive.engine import derive_diagonal

    derivation = derive_diagonal(depth)
    at_init = {p: derivation.c for p in derivation.parameters}
    return sympy.simplify(sum(sympy.diff(derivation.parametrization, p) ** 2
                              for p in derivation.parameters).subs(at_init)), derivation.c


def model_gram(model, problem) -> list[list[Fraction]]:
    """J J^T exactly, J[n][(i, j)] = x_{n,i} dP/dtheta_j at theta_i(0), from the model's polynomial."""
    X = problem.X_fraction()
    alpha = Fraction(model.alpha)
    theta0 = [alpha] * model.polynomial.n_parameters
    weight = Fraction(0)
    for j in range(model.polynomial.n_parameters):
        partial = sum(c * _power_product(theta0, e) for c, e in model.polynomial.derivative(j))
        weight += partial * partial
    return [[weight * sum(a * b for a, b in zip(xn, xm)) for xm in X] for xn in X]


def _power_product(theta, exponents) -> Fraction:
    out = Fraction(1)
    for t, k in zip(theta, exponents):
        out *= t ** k
    return out


def check_kernel(config: RunConfig) -> Verdict:
    import sympy

    factor, c = symbolic_kernel_factor(2)
    symbolic_ok = sympy.simplify(factor - 8 * c ** 2) == 0
    [name], alphas = DOMAIN.problems_in(config.mode), DOMAIN.alphas_in(config.mode)
    problem = builtin_problem(name)
    X = problem.X_fraction()
    mismatches = []
    for alpha in alphas:
        gram = model_gram(DiagonalModel(2, alpha), problem)
        a = Fraction(alpha)
        expected = [[8 * a * a * sum(u * v for u, v in zip(xn, xm)) for xm in X] for xn in X]
        if gram != expected:
            mismatches.append(alpha)
    status = Status.HOLDS if symbolic_ok and not mismatches else Status.REFUTED
    summary = (f"symbolic factor {factor} (expected 8*c**2); exact Gram matrices on {name} "
               f"{'equal' if not mismatches else 'differ at alpha ' + ', '.join(mismatches)} "
               f"8 alpha^2 X X^T for alpha in {{{', '.join(alphas)}}}")
    depth3, _ = symbolic_kernel_factor(3)
    return Verdict(status, summary, {
        "symbolic_factor": str(factor), "symbolic_equal": symbolic_ok,
        "alphas": list(alphas), "problem": name, "exact_mismatches": mismatches,
        "depth3_factor": str(depth3),
        "note": "factor = sum_p (d beta_i/d p)^2 at p = c = alpha*w0_i; K = factor * <x, x'>"})


register(Claim(
    id="diag2.tangent-kernel",
    statement="At initialization w+ = w- = alpha*1 the tangent kernel of the depth-2 model is "
              "K(x, x') = 8 alpha^2 <x, x'>",
    reference="§3 (tangent kernel) and §4, eq. (3)",
    domain=DOMAIN,
    tolerance=Tolerance.criterion("exact equality: symbolic and rational arithmetic, no rounding"),
    check=check_kernel))
