"""The fixed-point kernel of the flow: the monomial plan of one polynomial P and problem, the
Taylor recurrence generated as Python (one order per call), and the float64 control data.

Both steppers (:mod:`krtheory.flow.taylor`, :mod:`krtheory.flow.radau`) evaluate the right-hand
side of paper eq. (1), ``theta_i' = -2 g_i grad P(theta_i)``, ``g = X^T r``, through this plan, on
P-bit fixed-point integers (mpmath's MPZ, i.e. gmpy2 mpz).
"""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction
from itertools import islice
from operator import mul

import numpy as np
from mpmath.libmp import MPZ

from krtheory.problem import Problem

#: Fixed-point guard bits beyond the working precision (sums of up to q_max + 1 products).
FIXED_GUARD_BITS = 16

def fixed_to_float(v, P: int) -> float:
    """The fixed-point integer v as the float64 v 2^-P (correctly rounded while |v| < 2^1024;
    beyond, from its leading 64 bits: P passes ~960 bits when a parameter decays to ~1e-80)."""
    try:
        return math.ldexp(v, -P)
    except OverflowError:
        extra = int(v).bit_length() - 64
        return math.ldexp(float(v >> extra), extra - P)


def float_to_fixed(x: float, P: int) -> int:
    """floor(x 2^P) for a float64 x >= 0, exact at any P."""
    try:
        return int(math.ldexp(x, P))
    except OverflowError:
        mantissa, exponent = math.frexp(x)
        return int(math.ldexp(mantissa, 53)) << (exponent - 53 + P)


def _to_fixed(theta, P: int):
    """theta (numbers of the working context) as a d x m numpy array of P-bit integers (exact:
    P is from :meth:`_Kernel.fixed_bits`)."""
    return np.array([[MPZ(v.context.to_fixed(v, P)) for v in row] for row in theta], dtype=object)


@dataclasses.dataclass
class _FloatInfo:
    """float64 control data at one point: step-size and error-growth estimates only."""

    lam: float         # bound of the largest eigenvalue of Hess L
    mu: float          # bound of the logarithmic norm of -Hess L
    grad_sq: object    # |grad P(theta_i)|^2 per coordinate (numpy array)
    theta_max: float   # max |theta_ij|
    speed: float       # max |theta_ij'| <= 2 max_i |g_i| |grad P_i|
    theta: object      # theta (d x m numpy array)
    g: object          # g = X^T r (numpy array, from the exact fixed-point residual)


class _Kernel:
    """The recurrence plan for one polynomial P and problem: which monomials are Cauchy
    products of which, and the fixed-point X, y at each number of bits used."""

    def __init__(self, polynomial, problem: Problem):
        self.polynomial = polynomial
        self.m = m = polynomial.n_parameters
        self.X, self.y = problem.X_fraction(), problem.y_fraction()
        self.X_float = problem.X_float()
        self.column_norms = np.sqrt((self.X_float ** 2).sum(axis=0))
        self._fixed = {}
        unit = lambda j: tuple(int(i == j) for i in range(m))  # noqa: E731
        index = {unit(j): j for j in range(m)}
        #: (node, a, b): node = node a * node b, in topological order; nodes 0..m-1 are theta
        self.products: list[tuple[int, int, int]] = []
        self.n_nodes = m

        def node(e):
            """Node of the monomial theta**e (None for e = 0, the constant 1)."""
            if not any(e):
                return None
            if e not in index:
                if all(k % 2 == 0 for k in e):
                    a = b = node(tuple(k // 2 for k in e))
                else:
                    j = next(i for i in range(m) if e[i] % 2)
                    a, b = node(e[:j] + (e[j] - 1,) + e[j + 1:]), j
                index[e] = self.n_nodes
                self.products.append((self.n_nodes, a, b))
                self.n_nodes += 1
            return index[e]

        self.beta_terms = [(c, node(e)) for c, e in polynomial.terms()]
        #: theta_j' = -2 g dP/dtheta_j: one combination node per j, -2 c e_j folded in
        self.gradient = []
        for j in range(m):
            terms = [(-2 * c, node(e)) for c, e in polynomial.derivative(j)]
            self.gradient.append((self.n_nodes, terms))
            self.n_nodes += 1
        #: one Taylor order of this plan as generated Python, and the P- and H-dependent
        #: constants it takes (see _OrderProgram)
        self.order_program = _OrderProgram(self)

    def fixed_bits(self, theta, prec: int) -> int:
        """Bits P such that every nonzero parameter converts exactly (P >= prec - mag) with
        guard bits for the sums; rounded up to a multiple of 32 so that the fixed-point X, y
        are reused."""
        below = max([0] + [-int(v.context.mag(v)) for row in theta for v in row if v])
        return 32 * math.ceil((prec + below + FIXED_GUARD_BITS) / 32)

    def data(self, P: int):
        """X, X^T, y as P-bit fixed-point integers (exact rationals, rounded down)."""
        if P not in self._fixed:
            X = [[_fixed(v, P) for v in row] for row in self.X]
            self._fixed[P] = (X, [list(col) for col in zip(*X)], [_fixed(v, P) for v in self.y])
        return self._fixed[P]

    def float_info(self, theta, g0, P: int) -> _FloatInfo:
        th = np.array([[float(v) for v in row] for row in theta])
        grad_sq, hess = self.polynomial.jet_float(th)
        hess_norm = np.abs(np.linalg.eigvalsh(hess)).max(axis=1)
        g = np.array([fixed_to_float(v, P) for v in g0])
        lam_A = float(np.linalg.eigvalsh(2.0 * (self.X_float * grad_sq) @ self.X_float.T)[-1])
        mu = float(2.0 * np.max(np.abs(g) * hess_norm))
        speed = float(2.0 * np.max(np.abs(g) * np.sqrt(grad_sq)))
        return _FloatInfo(lam_A + mu, mu, grad_sq, float(np.abs(th).max()), speed, th, g)


def _fixed(c: Fraction, P: int):
    """floor(c 2^P) as mpmath's integer type (gmpy2's mpz when available: faster products)."""
    return MPZ((c.numerator << P) // c.denominator)



class _OrderProgram:
    """One order of the Taylor recurrence of a _Kernel, generated as straight-line Python (no
    loops over the plan's nodes and terms, which cost as much as the products for depth 2; the
    Cauchy sums pair each list with the other one reversed, so no slice is copied: every node
    holds exactly orders 0..k when read, the parameters' orders k+1 being appended last).

    ``run(series, g, X, XT, y, k, P, C)`` appends order k of every monomial node of every
    coordinate (squares by the symmetric half of the Cauchy sum, floor-shifted by P), of g = X^T r
    with r = X beta - y (beta = sum_t c_t monomial_t: integer c_t exact, the others P-bit fixed
    point), and order k+1 of each parameter,
    ``theta_j,k+1 = floor(floor(floor(S 2^-P) M_j 2^-P) / (k+1))`` with S = sum_l g_l (dP/dtheta_j)_{k-l}
    and M_j = (-2 c H) as P-bit fixed point for a single-term derivative c theta**e (else the
    derivative gets a node of its own and M_j = H); returns (r, max_j |theta_j,k+1|).
    ``constants(P, H_fixed)`` are the numbers C it reads."""

    def __init__(self, kernel: "_Kernel"):
        self._makers = []  # (P, H_fixed) -> the constant C[i]
        single = [len(terms) == 1 and terms[0][1] is not None for _, terms in kernel.gradient]
        # nodes whose earlier orders are read (product operands, gradient sources and combinations);
        # the others (e.g. w+^2 and w-^2 at depth 2) only feed beta at order k: a local each
        kept = set(range(kernel.m)) | {v for _, a, b in kernel.products for v in (a, b)}
        for (node, terms), one in zip(kernel.gradient, single):
            kept |= {terms[0][1]} if one else {node} | {n for _, n in terms if n is not None}
        self._local = {n for n, _, _ in kernel.products if n not in kept}
        lines = ["def run(series, gs, X, XT, y, k, P, C):",
                 "    k1 = k + 1", "    half = k1 >> 1", "    mid = k >> 1", "    odd = k & 1",
                 "    beta = []", "    push = beta.append", "    for nd in series:"]
        for n, a, b in kernel.products:
            store = f"x{n} = " if n in self._local else f"nd[{n}].append"
            if a == b:
                lines += [f"        A = nd[{a}]",
                          "        v = sum(map(mul, islice(A, half), reversed(A))) << 1",
                          "        if not odd:", "            v += A[mid] * A[mid]",
                          f"        {store}(v >> P)"]
            else:
                lines.append(f"        {store}(sum(map(mul, nd[{a}], reversed(nd[{b}]))) >> P)")
        lines += [f"        push({self._combination(kernel.beta_terms)})",
                  "    r = [sum(map(mul, row, beta)) >> P for row in X]",
                  "    if k == 0:", "        r = [a - b for a, b in zip(r, y)]",
                  "    big = 0", "    for nd, g, col in zip(series, gs, XT):",
                  "        g.append(sum(map(mul, col, r)) >> P)"]
        updates = []  # all orders k+1 are appended after all are computed: they read orders <= k
        for (node, terms), one in zip(kernel.gradient, single):
            if one:  # c theta**e: c folded into M_j
                c, source = terms[0]
                multiplier = self._constant(lambda P, H, c=c: (_fixed(c, P) * H) >> P)
            else:
                lines.append(f"        nd[{node}].append({self._combination(terms)})")
                source, multiplier = node, self._constant(lambda P, H: H)
            updates.append(f"(((sum(map(mul, g, reversed(nd[{source}]))) >> P) * {multiplier}) >> P) // k1")
        for j, update in enumerate(updates):
            lines.append(f"        t{j} = {update}")
        for j in range(len(updates)):
            lines += [f"        nd[{j}].append(t{j})",
                      f"        if t{j} > big:", f"            big = t{j}", f"        elif -t{j} > big:",
                      f"            big = -t{j}"]
        lines.append("    return r, big")
        namespace = {"mul": mul, "islice": islice}
        exec(compile("\n".join(lines), "<krtheory.flow._kernel order program>", "exec"), namespace)
        self.run = namespace["run"]

    def _constant(self, maker) -> str:
        self._makers.append(maker)
        return f"C[{len(self._makers) - 1}]"

    def _combination(self, terms) -> str:
        """Order k of sum_t c_t monomial_t as an expression: integer c_t as literals, the others
        as P-bit fixed-point constants summed and shifted once, constants only at order 0."""
        value = lambda n: f"x{n}" if n in self._local else f"nd[{n}][k]"  # noqa: E731
        literal = {1: "", -1: "-"}
        whole = [f"{literal.get(c.numerator, f'{c.numerator} * ')}{value(n)}"
                 for c, n in terms if c.denominator == 1 and n is not None]
        parts = [f"{self._constant(lambda P, H, c=c: _fixed(c, P))} * {value(n)}"
                 for c, n in terms if c.denominator != 1 and n is not None]
        constants = [c for c, n in terms if n is None]
        expression = " + ".join(whole) or "0"
        if parts:
            expression += f" + (({' + '.join(parts)}) >> P)"
        if constants:
            total = self._constant(lambda P, H: sum((_fixed(c, P) for c in constants), MPZ(0)))
            expression += f" + ({total} if k == 0 else 0)"
        return expression

    def constants(self, P: int, H_fixed) -> list:
        return [maker(P, H_fixed) for maker in self._makers]
