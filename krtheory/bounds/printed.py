"""The printed bounds of one problem (:func:`printed_bounds`): the reference norms
||beta*_l1||_1 and ||beta*_l2||_2 (:func:`references`) and every bound of
:mod:`krtheory.bounds.formulas` at them, with the digits on which each value is verified."""

from __future__ import annotations

import dataclasses
import functools

from krtheory.bounds.formulas import (DEFAULT_DPS, MAX_DEPTH_CHECKED, check_eps, decimal_beside, depth_bound,
                                      lemma1_alpha, lemma2_alpha, lemma2_least_dimension, lemma3_alpha,
                                      theorem2_l1_bound, theorem2_l2_bound)
from krtheory.errors import InvalidArgument
from krtheory.precision import GUARD_DIGITS, agreeing_digits_of_numbers, check_dps, context, to_decimal
from krtheory.problem import Problem
from krtheory._validation import check_depth, check_instance

#: References and bounds are recomputed this many digits higher to verify their digits.
VERIFY_EXTRA_DIGITS = 20


@dataclasses.dataclass(frozen=True)
class References:
    """||beta*_l1||_1, ||beta*_l2||_2^2 and max_i |beta*_l2,i| at ``dps`` digits (numbers of ``ctx``),
    each with an error estimate: the difference from a recomputation VERIFY_EXTRA_DIGITS higher
    plus 10^-dps of the value. ``coarse`` holds (norm1, norm2) at dps, for verifying bound digits."""

    norm1: object
    norm1_error: object
    norm2sq: object
    norm2sq_error: object
    l2_max: object
    l1_certified: bool
    l1_reason: str
    coarse: tuple
    dps: int
    ctx: object = dataclasses.field(repr=False, compare=False)

    @property
    def norm2(self):
        return self.ctx.sqrt(self.norm2sq)


@functools.lru_cache(maxsize=64)
def _norms(problem, dps: int):
    from krtheory.references import min_l1, min_l2

    l1, l2 = min_l1(problem, dps=dps), min_l2(problem, dps=dps)
    ctx = context(dps + GUARD_DIGITS)
    return (ctx.fsum(abs(ctx.convert(b)) for b in l1.beta), ctx.fsum(ctx.convert(b) ** 2 for b in l2.beta),
            max(abs(ctx.convert(b)) for b in l2.beta), l1.certified, l1.reason)


def references(problem, dps: int = DEFAULT_DPS) -> References:
    """The reference norms the bounds and guarantees use. Raises InvalidArgument for a problem with
    no interpolant (inconsistent X beta = y) and for y = 0 (every guarantee is then trivial)."""
    check_instance(problem, Problem, "problem")
    dps = check_dps(dps)
    coarse = _norms(problem, dps)
    fine = _norms(problem, dps + VERIFY_EXTRA_DIGITS)
    ctx = context(dps + VERIFY_EXTRA_DIGITS + GUARD_DIGITS)
    if fine[0] == 0:
        raise InvalidArgument(f"{problem.name}: y = 0, so beta*_l1 = beta*_l2 = 0 and every bound is vacuous")
    floor = ctx.mpf(10) ** (-dps)
    errors = [abs(ctx.convert(a) - ctx.convert(b)) + floor * abs(ctx.convert(b)) for a, b in zip(coarse[:2], fine[:2])]
    return References(ctx.convert(fine[0]), errors[0], ctx.convert(fine[1]), errors[1], ctx.convert(fine[2]),
                      fine[3], fine[4], (coarse[0], coarse[0].context.sqrt(coarse[1])), dps, ctx)


@dataclasses.dataclass(frozen=True)
class PrintedBounds:
    """The bounds for one problem, eps and depth (numbers of the references' context).

    ``l1``: Theorem 2's l1 condition at depth 2, the §6 condition at depth >= 3 (alpha at or below);
    ``l2``: Theorem 2's l2 condition (alpha at or above; None at depth >= 3: no statement).
    Lemma 1 uses B = ||beta*_l1||_1, Lemma 3 ||beta*_l2||_2 (depth 2 only); ``lemma2`` is None
    where d < max{e, 12^(4 eps)}. ``digits``: significant digits on which every value agrees
    with its recomputation from the coarser references.
    """

    eps: str
    depth: int
    d: int
    l1: object
    l2: object | None
    lemma1: object | None
    lemma2: object | None
    lemma3: object | None
    digits: int
    refs: References

    def alpha_l1(self) -> str:
        """The l1 condition rounded down to an exact decimal (a safe probe point)."""
        return decimal_beside(self.refs.ctx, self.l1, self.digits, "below")

    def alpha_l2(self) -> str | None:
        """The l2 condition rounded up to an exact decimal."""
        return None if self.l2 is None else decimal_beside(self.refs.ctx, self.l2, self.digits, "above")

    def as_strings(self, digits: int = 15) -> dict:
        shown = min(digits, self.digits)
        values = {"l1_bound": self.l1, "l2_bound": self.l2, "lemma1_alpha": self.lemma1,
                  "lemma2_alpha": self.lemma2, "lemma3_alpha": self.lemma3}
        return {k: None if v is None else to_decimal(self.refs.ctx, v, shown) for k, v in values.items()}


def _bound_values(norm1, norm2, d: int, eps: str, depth: int, ctx) -> list:
    if depth >= 3:
        return [depth_bound(norm1, d, eps, depth, ctx), None, None, None, None]
    lemma2 = lemma2_alpha(d, eps, ctx) if d >= lemma2_least_dimension(eps, ctx) else None
    return [theorem2_l1_bound(norm1, d, eps, ctx), theorem2_l2_bound(norm2, eps, ctx),
            lemma1_alpha(norm1, d, eps, ctx), lemma2, lemma3_alpha(norm2, eps, ctx)]


def printed_bounds(problem, eps, *, depth: int = 2, dps: int = DEFAULT_DPS) -> PrintedBounds:
    """Every printed bound for ``problem`` and ``eps`` (0 < eps < d at depth 2) at ``dps`` digits."""
    check_instance(problem, Problem, "problem")
    depth = check_depth(depth, MAX_DEPTH_CHECKED)
    eps = check_eps(eps, problem.d if depth == 2 else None)
    refs = references(problem, dps)
    exact = references(problem, dps + _lost_digits(refs, problem.d, eps, depth))
    values = _bound_values(exact.norm1, exact.norm2, problem.d, eps, depth, exact.ctx)
    coarse_ctx = exact.coarse[0].context
    coarse = _bound_values(exact.coarse[0], exact.coarse[1], problem.d, eps, depth, coarse_ctx)
    digits = min([min(dps, int(agreeing_digits_of_numbers(exact.ctx, v, exact.ctx.convert(c))))
                  for v, c in zip(values, coarse) if v is not None])
    return PrintedBounds(eps, depth, problem.d, *values, digits=digits, refs=refs)


def _lost_digits(refs, d: int, eps: str, depth: int) -> int:
    """Digits the bounds lose to conditioning: a bound b^p or exp(c/B) has relative condition
    number |p| or |ln bound| with respect to the norms, and its exponent must itself be exact to
    the digits shown, so the references are taken log10(2 + 1/eps + d/(eps B) + max |ln bound|)
    digits higher (e.g. ~31 more at eps = 1e-30, where exp(-d/(eps B)) ~ 10^(-2.5e30))."""
    ctx = refs.ctx
    e = ctx.mpf(eps)
    values = _bound_values(refs.norm1, refs.norm2, d, eps, depth, ctx)
    size = 2 + 1 / e + d / (e * refs.norm1) + max(abs(ctx.log(v)) for v in values if v is not None)
    return int(ctx.ceil(ctx.log10(size))) + 1
