"""The paper's scalar inequalities as statements the prover decides (``krtheory prove --list``;
``krtheory verify`` runs them as certified claims).

Each :class:`Inequality` is a conjunction of one-variable parts on their domains, reduced from
the paper's statement the way its proof does (the reduction is in ``reduction``), and a
deliberately false variant (one constant nudged by 1%) that the prover must refute.

Notation: q is the hypentropy of Theorem 1 (eq. 4); q_D the potential of Theorem 3,
h_D(z) = (1 - z)^-p - (1 + z)^-p, p = D/(D-2), e = 2/(D-2), G(z) = (D-2)/2 [(1-z)^-e +
(1+z)^-e - 2], q_D(u) = u z - G(z) at u = h_D(z). r is the explicit regularizer of eqs. 8-9,
r = q_4 (the envelope theorem: r'(z) = lambda = h_4^{-1}(z); see docs/proving_inequalities.md).
q and q_D are even, so each statement is proved for z >= 0.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

#: Depths of the q_D statements (the issue's D = 3, 4, 5, 10).
DEPTHS = (3, 4, 5, 10)


@dataclasses.dataclass(frozen=True)
class Part:
    inequality: str
    var: str
    domain: str
    D: int | None = None


@dataclasses.dataclass(frozen=True)
class Inequality:
    id: str
    statement: str
    reference: str
    reduction: str
    parts: tuple
    nudged: Part
    depth: int | None = None


def _q_statements() -> list:
    return [
        Inequality(
            "q.lemma1-upper", "q(z) <= |z| ln(1 + |z|) for every real z",
            "Appendix D, Lemma 1 (upper bound in its proof)",
            "alpha^2 q(beta/alpha^2) <= |beta| ln(1 + |beta|/alpha^2) = |beta| (ln(1/alpha^2) + "
            "ln(|beta| + alpha^2)); summed over i and with ln(|beta_i| + alpha^2) <= ln(||beta||_1 + "
            "alpha^2) this is the upper inequality of Lemma 1's proof",
            (Part("q(z) <= z*log(1 + z)", "z", "[0, inf)"),),
            Part("q(z) <= z*log(0.99 + z)", "z", "[0, inf)")),
        Inequality(
            "q.lemma1-lower", "q(z) >= z ln z - z for z > 0, and x ln x - x + 1 >= 0 for x > 0",
            "Appendix D, Lemma 1 (lower bound in its proof)",
            "alpha^2 q(beta/alpha^2) >= |beta| ln(|beta|/alpha^2) - |beta| = |beta| ln(1/alpha^2) + "
            "(|beta| ln|beta| - |beta|) >= |beta| ln(1/alpha^2) - 1; summed over the d coordinates: "
            "Q_alpha(beta) >= ||beta||_1 ln(1/alpha^2) - d",
            (Part("q(z) >= z*log(z) - z", "z", "(0, inf)"),
             Part("x*log(x) - x + 1 >= 0", "x", "(0, inf)")),
            Part("x*log(x) - 1.01*x + 1 >= 0", "x", "(0, inf)")),
        Inequality(
            "q.lemma3", "|4 q(z) - z^2| <= (z^6 + 2 z^4)/96 for every real z",
            "Appendix D, Lemma 3 (the 4th-order Taylor bound in its proof)",
            "with z = beta_i/alpha^2, |4 alpha^2 Q_alpha - ||beta||^2| <= sum_i alpha^4 |4 q(z_i) - z_i^2| "
            "and alpha^4 (z^6 + 2 z^4)/96 = beta_i^2 (beta_i^4 + 2 alpha^4 beta_i^2)/(96 alpha^8)",
            (Part("4*q(z) - z**2 <= (z**6 + 2*z**4)/96", "z", "[0, inf)"),
             Part("z**2 - 4*q(z) <= (z**6 + 2*z**4)/96", "z", "[0, inf)")),
            Part("z**2 - 4*q(z) <= 0.99*(z**6 + 2*z**4)/96", "z", "[0, inf)")),
        Inequality(
            "q.small-z", "z^2/4 - z^4/192 <= q(z) <= z^2/4 for every real z",
            "§3, eq. (6): q(z) = z^2/4 + O(z^4), with explicit remainder bounds",
            "the alternating Taylor series q = z^2/4 - z^4/192 + z^6/2560 - ... truncated after the "
            "first and second terms; equality to 4th and 6th order at z = 0 (tangency)",
            (Part("q(z) <= z**2/4", "z", "[0, inf)"),
             Part("q(z) >= z**2/4 - z**4/192", "z", "[0, inf)")),
            Part("q(z) >= z**2/4 - 0.99*z**4/192", "z", "[0, inf)")),
        Inequality(
            "q.large-z", "z ln z - z + 2 - 1/z <= q(z) <= z ln z - z + 2 for z > 0",
            "§3, eq. (7) with the erratum q(z) = |z| ln|z| - |z| + 2 - 1/|z| + O(|z|^-3)",
            "both bounds hold on all of (0, inf); they pin the constant 2 the printed eq. (7) omits",
            (Part("q(z) <= z*log(z) - z + 2", "z", "(0, inf)"),
             Part("q(z) >= z*log(z) - z + 2 - 1/z", "z", "(0, inf)")),
            Part("q(z) <= z*log(z) - z + 1.98", "z", "(0, inf)")),
        Inequality(
            "r.not-a-rescaling", "r is not a rescaling a q(b z) of q (a, b > 0)",
            "§5, after eq. (9): r is algebraic, q transcendental, so R_alpha,1 is not Q_alpha,1",
            "if r(z) = a q(b z) for all z, the z^2 and z^4 Taylor coefficients (r: 1/8, -1/128; a q(b z): "
            "a b^2/4, -a b^4/192, exact jets) force b^2 = 3, a = 1/6; the strict inequality on [1/2, 2] "
            "then contradicts it (r = q_4)",
            (Part("q(sqrt(3)*z)/6 > q_4(z)", "z", "[1/2, 2]"),),
            Part("q(sqrt(3)*z)/6 > 1.01*q_4(z)", "z", "[1/2, 2]")),
    ]


def _s_forms(D: int) -> dict:
    """The q_D statements in s in (0, 1/2] (u >= u(1/2) > 0): z = 1 - w, w = s^(D-2), so that
    w^-e = s^-2 and w^-p = s^-D; then u = h_D(z) = s^-D A(s), A = 1 - s^D (2 - s^(D-2))^-p,
    u w = s^-2 A, u^(2/D) = s^-2 A^(2/D), and with G(z) = (D-2)/2 [s^-2 + (2 - w)^-e - 2],
      s^2 (u - q_D(u)) = s^2 (u w + G) = A + g,     g = (D-2)/2 [1 + s^2 (2 - s^(D-2))^-e - 2 s^2],
      f = q_D(u) - u + (D/2) u^(2/D) = s^-2 [(D/2) A^(2/D) - A - g].
    For the large-u bound, with kappa = 2^-e, B = 1 - s^(D-2)/2 and a = 1 - A in [0, 1]:
      s^2 (c_D - f) = phi(a) + (D-2)/2 kappa s^2 (B^-e - 1),  phi(a) = 1 - a - (D/2)(1 - a)^(2/D) + (D-2)/2,
    a sum of two terms that are >= 0 when phi >= 0 on [0, 1] and B^-e >= 1."""
    p, e = Fraction(D, D - 2), Fraction(2, D - 2)
    A = f"(1 - s**{D}*(2 - s**{D - 2})**(-{p}))"
    g = f"{Fraction(D - 2, 2)}*(1 + s**2*(2 - s**{D - 2})**(-{e}) - 2*s**2)"
    return {"gap": f"{A} + {g}", "f": f"({Fraction(D, 2)}*{A}**({Fraction(2, D)}) - {A} - {g})/s**2",
            "c": f"{Fraction(D - 2, 2)}*(2 - 2**(-{e}))",
            "phi": f"1 - a - {Fraction(D, 2)}*(1 - a)**({Fraction(2, D)}) + {Fraction(D - 2, 2)}",
            "B": f"(1 - s**{D - 2}/2)**(-{e})"}


def _depth_statements(D: int) -> list:
    forms, half, power = _s_forms(D), Fraction(D, 2), Fraction(2, D)
    top = 2 ** D  # u(s = 1/2) = 2^D - (2 - 2^(2-D))^-p < 2^D: the two parts overlap
    reduction = (f"q_D is even; u in (0, 2^{D}] is checked as stated, u >= u(1/2) (< 2^{D}) in s in (0, 1/2] "
                 f"with z = 1 - s^{D - 2}, u = h_{D}(z), q_D(u) = u z - G(z) (the algebra is in "
                 f"krtheory.prove.paper._s_forms)")
    return [
        Inequality(
            f"qD{D}.upper", f"q_{D}(u) <= |u| for every real u", "§5, Theorem 3 (FORMULAS §6: checked "
            "numerically only)", reduction,
            (Part(f"q_{D}(u) <= u", "u", f"[0, {top}]"),
             Part(f"{forms['gap']} >= 0", "s", "[0, 1/2]")),
            Part(f"q_{D}(u) <= 0.99*u", "u", "[0, 16777216]"), D),
        Inequality(
            f"qD{D}.lower", f"q_{D}(u) >= |u| - (D/2)|u|^(2/D) for every real u (D = {D})",
            "§5, Theorem 3 (FORMULAS §6: checked numerically only)", reduction,
            (Part(f"q_{D}(u) >= u - {half}*u**({power})", "u", f"(0, {top}]"),
             Part(f"{forms['f']} >= 0", "s", "(0, 1/2]")),
            Part(forms["f"].replace(f"({half}*", f"({Fraction(99, 100) * half}*", 1) + " >= 0", "s", "(0, 1/2]"), D),
        Inequality(
            f"qD{D}.large-u", f"q_{D}(u) <= |u| - (D/2)|u|^(2/D) + c_D, c_D = (D-2)/2 (2 - 2^(-2/(D-2))) "
            f"(D = {D})", "§5, the large-u expansion q_D = |u| - (D/2)|u|^(2/D) + c_D + o(1) (FORMULAS §6)",
            reduction + "; for s in (0, 1/2] s^2 (c_D - f) = phi(a) + (D-2)/2 2^-e s^2 (B^-e - 1) with "
            "a = 1 - A(s) in [0, 1), so phi >= 0 on [0, 1) and B^-e >= 1 on [0, 1/2] suffice",
            (Part(f"q_{D}(u) <= u - {half}*u**({power}) + {forms['c']}", "u", f"(0, {top}]"),
             Part(f"{forms['phi']} >= 0", "a", "[0, 1)"),
             Part(f"{forms['B']} >= 1", "s", "[0, 1/2]")),
            Part(f"s**2*0.99*{forms['c']} - s**2*{forms['f']} >= 0", "s", "(0, 1/2]"), D),
    ]


def inequalities(depths=DEPTHS) -> list:
    """Every registered inequality, the q_D ones for ``depths``."""
    return _q_statements() + [s for D in depths for s in _depth_statements(D)]
