"""The Krawczyk certificate of the KKT system F(lam) = X beta(lam) - y = 0 (the paper's dual
problem, eqs. (18)–(19)): on the box M = lam~ +- rho,

    K(M) = lam~ - C F(lam~) + (I - C J(M)) (M - lam~),   C ~ J(lam~)^-1,

with F(lam~) enclosed in ball arithmetic and J(M) over the whole box: the weights of J by ball
arithmetic on M, the matrix product either in double with rigorous a priori rounding bounds
(krtheory.solve._float_enclosure: I - C J(M) only has to be bounded well below 1) or, when that
test fails, in arb. K(M) in the interior of M proves that M holds exactly one zero lam*, and
that it lies in K(M) (rho is inflated a bounded number of times). beta* then lies in the balls
a h(b X^T K(M)).
"""

from __future__ import annotations

import dataclasses

from krtheory._linalg import independent_rows
from krtheory.errors import InvalidArgument
from krtheory.solve._arb import double_above, floor_log2, scaled_doubles, to_arb
from krtheory.solve._arb_system import ArbSystem

#: Epsilon-inflation: rho starts at INFLATION |C F(lam~)| (plus a floor of 2^-bits |lam~_j|)
#: and is widened to INFLATION max(rho, |K(M) - lam~|) at most INFLATIONS times.
INFLATION = 16
INFLATIONS = 6


@dataclasses.dataclass(frozen=True)
class Certificate:
    """The outcome of the Krawczyk test at one centre: ``passed``; the balls that then hold the
    unique zero lam* (one per kept row) and beta*; otherwise ``reason``."""

    passed: bool
    lam_balls: list | None
    beta_balls: list | None
    reason: str


def krawczyk(problem, link, lam, *, bits: int) -> Certificate:
    """The Krawczyk test at ``bits`` around ``lam`` (one value per row of X: floats, exact
    strings, mpf or arb; the rows kept by :func:`independent_rows` are used)."""
    kept = independent_rows(problem)
    if isinstance(lam, (str, bytes)) or len(lam) != problem.n:
        raise InvalidArgument(f"lam must have one entry per row of X (n={problem.n}), got lam={lam!r}")
    return certify(ArbSystem(problem, link, kept, bits), [to_arb(lam[i]) for i in kept])


def certify(system, lam) -> Certificate:
    """The Krawczyk test K(M) in int(M) for M = lam +- rho with epsilon-inflation (module
    docstring); ``lam``: exact arb midpoints, one per kept row. The products of J(M) are
    bounded in double first (fast) and, when that test fails, enclosed in arb."""
    if system.X_double_exact:
        certificate = _krawczyk_test(system, lam, _DoubleProducts)
        if certificate.passed:
            return certificate
    return _krawczyk_test(system, lam, _ArbProducts)


class _Singular(Exception):
    """The Jacobian at the centre could not be inverted by this method."""


class _ArbProducts:
    """C = mid(J(centre))^-1 and (I - C J(M)) (M - centre) enclosed in arb."""

    name = "J(M) enclosed in arb"

    def __init__(self, system, w_centre):
        flint = system.flint
        self.system = system
        self.identity = flint.arb_mat(system.n, system.n, [int(i == j) for i in range(system.n)
                                                           for j in range(system.n)])
        try:
            self.C = system.jacobian(w_centre).mid().solve(self.identity, algorithm="approx").mid()
        except ZeroDivisionError:
            raise _Singular("the Jacobian at the centre is singular at this precision") from None

    def spread(self, w_box, rho):
        box = self.system.column([self.system.flint.arb(0, r) for r in rho])
        return ((self.identity - self.C * self.system.jacobian(w_box)) * box).entries()


class _DoubleProducts:
    """C = 2^-s C_s with C_s the double inverse of the scaled J(centre); |(I - C J(M)) (M - centre)|
    bounded by krtheory.solve._float_enclosure from the weights' enclosures on M."""

    name = "J(M) bounded in double"

    def __init__(self, system, w_centre):
        from krtheory.solve._float_enclosure import DoubleJacobian

        arb = system.flint.arb
        self.w_scaled, self.shift = scaled_doubles(w_centre)
        self.jacobian = DoubleJacobian(system.X_double, self.w_scaled)
        if not self.jacobian.usable:
            raise _Singular("double does not hold the Jacobian at the centre or its inverse")
        n = system.n
        self.C = system.flint.arb_mat(n, n, self.jacobian.C.ravel().tolist()) * arb((1, -self.shift))
        self.arb = arb

    def spread(self, w_box, rho):
        arb = self.arb
        factor = arb((1, -self.shift))
        r = [double_above(abs(w * factor - arb(float(v))).upper()) for w, v in zip(w_box, self.w_scaled)]
        k = max(floor_log2(v) for v in rho)
        rho_scaled = [double_above(v * arb((1, -k))) for v in rho]
        bound = self.jacobian.spread(r, rho_scaled)
        if bound is None:
            return [arb("nan")] * len(rho)
        return [arb(0, arb(float(b)) * arb((1, k))) for b in bound]


def _krawczyk_test(system, lam, products) -> Certificate:
    """One run of the test with the products of J formed by ``products`` (_ArbProducts or
    _DoubleProducts); F(lam~) and the weights of J on M always in arb."""
    flint = system.flint
    arb = flint.arb
    with flint.ctx.workprec(system.bits):
        center = system.column(lam)
        u = system.u(center)
        if not system.inside(u):
            return Certificate(False, None, None, "the centre lies outside the link's domain")
        F = system.residual(system.beta(u))
        try:
            method = products(system, system.weights(u))
        except _Singular as singular:
            return Certificate(False, None, None, str(singular))
        C = method.C
        delta = (C * F).entries()
        # a floor for rho on lam's own scale (|lam~_j| or the linear estimate |(C y)_j|: lam
        # may be ~1e-600 in the kernel regime), 2^-bits only when both vanish (y = 0)
        scales = [abs(v) + abs(e) for v, e in zip(lam, (C * system.y).entries())]
        floors = [(s if s != 0 else arb(1)) * arb(2) ** -system.bits for s in scales]
        rho = [(INFLATION * abs(dj).upper() + f).upper().mid() for dj, f in zip(delta, floors)]
        for _ in range(INFLATIONS + 1):
            u_box = system.u(system.column([v + arb(0, r) for v, r in zip(lam, rho)]))
            if not system.inside(u_box):
                return Certificate(False, None, None, "the box around the centre reaches the domain's boundary")
            spread = method.spread(system.weights(u_box), rho)
            offsets = [-dj + sj for dj, sj in zip(delta, spread)]
            sizes = [abs(o).upper() for o in offsets]
            if all(size.is_finite() and size < r for size, r in zip(sizes, rho)):
                lam_balls = [v + o for v, o in zip(lam, offsets)]
                beta_balls = system.beta(system.u(system.column(lam_balls)))
                return Certificate(True, lam_balls, beta_balls, f"K(M) lies in the interior of M ({method.name})")
            if not all(size.is_finite() for size in sizes):
                break
            rho = [(INFLATION * max(r, size)).mid() for r, size in zip(rho, sizes)]
    return Certificate(False, None, None, f"K(M) is not inside M after {INFLATIONS} inflations at "
                                          f"{system.bits} bits (ill-conditioned, or the centre is not close to a zero)")
