"""Branch and bound over the domain: each box is decided by one of the checks of
:mod:`krtheory.prove.checks` (Taylor form, monotonicity, tangency reduction at an end where f
vanishes exactly), refuted by a point where f < 0 (f <= 0 for a strict inequality), or split
at a simple point (log scale on long ranges). Infinite ends are searched on a log scale up to
2^TAIL_BITS; the tail beyond is decided by :mod:`krtheory.prove.tails` or left undecided.

The outcome lists the pieces that cover the domain (the certificate), or the witness, or the
smallest boxes no check decided.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from fractions import Fraction

from krtheory.prove import checks, tails
from krtheory.prove._flint import flint, working
from krtheory.prove.numbers import certified_lower, exact_text, short_decimals, split_point
from krtheory.prove.statement import Statement, fraction_text

#: Default working precision (bits), box budget, and the finite part of an infinite end.
PREC = 64
MAX_BOXES = 50_000
TAIL_BITS = 64
#: A box narrower than this relative to its size (2^-bits) is not split further.
MIN_WIDTH_BITS = 40
#: ... or narrower than 2^-MIN_ABS_BITS.
MIN_ABS_BITS = 400
#: Undecided boxes listed in an outcome.
SHOWN_UNDECIDED = 10


@dataclasses.dataclass
class Outcome:
    status: str                      # PROVED / REFUTED / UNDECIDED
    pieces: list                     # certificate pieces (dicts), sorted
    witness: str | None = None
    witness_value: str | None = None
    undecided: list = dataclasses.field(default_factory=list)  # [(lo, hi) texts]
    stopped: str | None = None       # "max-boxes" / "max-seconds" when a budget ended the search
    boxes: int = 0
    seconds: float = 0.0
    prec: int = PREC
    degree: int = checks.DEGREE


class _Refuted(Exception):
    def __init__(self, point: Fraction, value: str):
        super().__init__(point)
        self.point, self.value = point, value


def prove(statement: Statement, prec: int = PREC, degree: int = checks.DEGREE, max_boxes: int = MAX_BOXES,
          seconds: float | None = None) -> Outcome:
    """Decide ``statement`` by branch and bound (see the module docstring)."""
    start = time.perf_counter()
    with working(prec, checks.series_length(degree)):
        search = _Search(statement, prec, degree, max_boxes, None if seconds is None else start + seconds)
        try:
            search.run()
        except _Refuted as refuted:
            return Outcome("REFUTED", [], exact_text(refuted.point), refuted.value,
                           boxes=search.boxes, seconds=time.perf_counter() - start, prec=prec, degree=degree)
    pieces = sorted(search.pieces, key=lambda p: -float("inf") if p["lo"] == "-inf" else Fraction(p["lo"]))
    # the boxes given up on (too narrow, f undefined, a tail), smallest first, then those a budget left
    undecided = sorted(search.undecided, key=_width) + sorted(search.unprocessed, key=_width)
    status = "PROVED" if not undecided else "UNDECIDED"
    shown = [[_end(lo, "-inf"), _end(hi, "inf")] for lo, hi in undecided[:SHOWN_UNDECIDED]]
    return Outcome(status, pieces, undecided=shown, stopped=search.stopped, boxes=search.boxes,
                   seconds=time.perf_counter() - start, prec=prec, degree=degree)


def _end(value, infinite: str) -> str:
    return infinite if value is None else exact_text(value)


def _width(box) -> float:
    lo, hi = box
    if lo is None or hi is None:
        return float("inf")
    return hi - lo


class _Search:
    def __init__(self, statement: Statement, prec: int, degree: int, max_boxes: int, deadline):
        self.statement, self.tree, self.prec, self.degree = statement, statement.f, prec, degree
        self.max_boxes, self.deadline = max_boxes, deadline
        self.pieces, self.undecided, self.unprocessed, self.boxes, self.stopped = [], [], [], 0, None
        self.values: dict = {}

    # -- values at points ----------------------------------------------------------------
    def value(self, x: Fraction):
        """f(x) as a ball (nan when it cannot be evaluated), cached."""
        if x not in self.values:
            series = checks.point_series(self.tree, x, 1)
            self.values[x] = checks.coefficient(series, 0) if series is not None else flint().arb("nan")
        return self.values[x]

    def check_point(self, x: Fraction):
        """Raise _Refuted when f(x) < 0 (or f(x) = 0 exactly under a strict relation), x in the domain."""
        if not self.statement.domain.contains(x):
            return
        v = self.value(x)
        if v < 0 or (self.statement.strict and v.contains(0) and checks.fails_at(self.tree, x, True, self.prec)):
            raise _Refuted(*self.witness(x))

    def witness(self, x: Fraction):
        """A short decimal near x where f still fails, re-checked at 4x the precision."""
        domain = self.statement.domain
        lo, hi = x - abs(x) / 1000 - Fraction(1, 10 ** 30), x + abs(x) / 1000 + Fraction(1, 10 ** 30)
        for candidate in [*short_decimals(lo, hi, x), x]:
            if domain.contains(candidate) and checks.fails_at(self.tree, candidate, self.statement.strict,
                                                              4 * self.prec):
                return candidate, checks.value_at(self.tree, candidate, 4 * self.prec).str(10, radius=True)
        raise AssertionError(f"f({x}) < 0 at {self.prec} bits but not at {4 * self.prec}")

    # -- the search ----------------------------------------------------------------------
    def run(self):
        domain = self.statement.domain
        for end, closed in ((domain.lo, domain.lo_closed), (domain.hi, domain.hi_closed)):
            if end is not None and closed:
                self.check_point(end)
        lo, hi = self.ends()
        queue = collections.deque([(lo, hi)] if lo < hi else [])
        while queue:
            a, b = queue.popleft()
            if self.boxes >= self.max_boxes or (self.deadline is not None and time.perf_counter() > self.deadline):
                self.stopped = "max-boxes" if self.boxes >= self.max_boxes else "max-seconds"
                self.unprocessed.extend([(a, b), *queue])
                break
            self.boxes += 1
            decided = self.decide(a, b)
            if decided is None:
                self.undecided.append((a, b))
            elif not decided:
                if b - a <= max(abs(a), abs(b)) / 2 ** MIN_WIDTH_BITS or b - a < Fraction(1, 2 ** MIN_ABS_BITS):
                    self.undecided.append((a, b))
                    continue
                m = split_point(a, b)
                self.check_point(m)
                queue.extend([(a, m), (m, b)])
        for infinite, end, direction in ((domain.lo is None, lo, -1), (domain.hi is None, hi, 1)):
            if infinite and end in self.open_tails:
                self.tail_undecided(end, direction)

    def ends(self):
        """The finite part of the domain left to the boxes, after the end pieces (tails)."""
        domain = self.statement.domain
        self.open_tails = set()
        lo, hi = domain.lo, domain.hi
        if hi is None:
            hi = self.infinite_end(1, lo)
        if lo is None:
            lo = self.infinite_end(-1, hi)
        if domain.lo is not None and not domain.lo_closed and self.singular(lo):
            lo = self.finite_end(lo, 1, hi)
        if domain.hi is not None and not domain.hi_closed and self.singular(hi):
            hi = self.finite_end(hi, -1, lo)
        return lo, hi

    def singular(self, x: Fraction) -> bool:
        """f or f' cannot be evaluated at x (log z, acosh z at 1, ...): an end piece is tried there."""
        series = checks.point_series(self.tree, x, 2)
        return series is None or not all(checks.coefficient(series, k).is_finite() for k in (0, 1))

    def infinite_end(self, side: int, other):
        """A tail piece beyond +-1/tau (the first tau of tails.INFINITE_TAUS that works), or
        the finite end +-2^TAIL_BITS with the tail left open."""
        for tau in tails.INFINITE_TAUS:
            start = side / tau
            if other is not None and side * (start - other) <= 0:
                start = other
            low, high = tails.sign_bounds(self.tree, "inf", Fraction(0), side, tau)
            piece = {"method": "tail", "end": "inf" if side > 0 else "-inf", "tau": fraction_text(tau),
                     "order": tails.ORDER}
            if self.proves(low) and self.add(piece, start if side > 0 else None, None if side > 0 else start, low):
                return start
            if high < 0:
                self.check_point(start)
                self.check_point(2 * start)
        start = side * Fraction(2) ** TAIL_BITS
        if other is not None and side * (start - other) <= 0:
            start = other + side * Fraction(2) ** TAIL_BITS
        self.open_tails.add(start)
        return start

    def finite_end(self, point: Fraction, side: int, other: Fraction):
        """An end piece at an open end where f cannot be evaluated, or the end itself."""
        width = abs(other - point)
        for scale in tails.FINITE_SCALES:
            tau = min(Fraction(1, 2), width / 2) * scale
            low, high = tails.sign_bounds(self.tree, "point", point, side, tau)
            piece = {"method": "tail", "end": fraction_text(point), "side": side, "tau": fraction_text(tau),
                     "order": tails.ORDER}
            near = point + side * tau
            if self.proves(low) and self.add(piece, min(point, near), max(point, near), low):
                return near
            if high < 0:
                self.check_point(point + side * tau)
        return point

    def decide(self, a: Fraction, b: Fraction):
        """True: a piece covers [a, b]; False: split it; None: leave it undecided."""
        tree, degree = self.tree, self.degree
        over = checks.ball_series(tree, a, b, degree + 1)
        centre = (a + b) / 2
        self.check_point(centre)
        if not self.value(centre).is_finite():
            return None  # f is not defined (or not evaluable) inside the box: never split on
        if over is not None:
            bound = checks.taylor_bound(tree, a, b, centre, degree, over)
            if self.proves(bound):
                return self.add({"method": "taylor", "centre": fraction_text(centre), "degree": degree}, a, b, bound)
            end, bound = checks.monotone_bound(tree, a, b, over)
            if end is not None:
                self.check_point(end)
                if self.proves(bound):
                    return self.add({"method": "monotone", "end": fraction_text(end)}, a, b, bound)
        for point, side in ((a, 1), (b, -1)):
            v = self.value(point)
            if v.contains(0) and self.statement.domain.contains(point) or (v.contains(0) and v.rad() == 0):
                order, bound = checks.touch_bound(tree, point, side, b - a, degree)
                if order is not None and self.proves(bound):
                    if order > 0 and self.statement.strict and self.statement.domain.contains(point):
                        raise _Refuted(point, "0 (exactly)")
                    return self.add({"method": "touch", "point": fraction_text(point), "side": side,
                                     "order": order, "degree": degree}, a, b, bound)
        return False

    def proves(self, bound) -> bool:
        """A lower bound of f on a piece proves the claim there: > 0, or >= 0 when not strict."""
        return bound > 0 or (not self.statement.strict and bound >= 0)

    def add(self, piece: dict, a, b, bound) -> bool:
        """Record the piece (True), unless its bound is too small to store (False: not decided)."""
        lower = certified_lower(bound, self.statement.strict)
        if lower is None:
            return False
        piece.update(lo=_end_text(a, "-inf"), hi=_end_text(b, "inf"), lower=lower)
        self.pieces.append(piece)
        return True

    def tail_undecided(self, end: Fraction, direction: int):
        """An infinite tail no expansion decided: sampled far out for a refutation, then undecided."""
        for bits in (TAIL_BITS + 16, 2 * TAIL_BITS, 4 * TAIL_BITS, 16 * TAIL_BITS):
            self.check_point(direction * Fraction(2) ** bits)
        self.undecided.append((end, None) if direction > 0 else (None, end))


def _end_text(value, infinite: str) -> str:
    return infinite if value is None else fraction_text(value)
