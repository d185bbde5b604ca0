"""Hypothesis strategies for implicit-bias claims: problems, scales, bounds' epsilons, families and
parametrizations (``pip install 'krtheory[test]'``).

Every strategy is built *constructively* (no ``.filter``: each draw is valid, so generation is
fast and examples vary), every number is an exact decimal string (high-precision runs are
reproducible from the printed example), and shrinking goes toward small n and d, round
numbers and scale 1. Bounds are named ``min_value``/``max_value`` and are inclusive.

=====================  ====================================================================
strategy               yields
=====================  ====================================================================
``problems()``         :class:`krtheory.Problem`, n < d, X row-diagonally dominant on n
                       columns (well conditioned, see :func:`problems`), y = X beta* for a
                       sparse planted beta*
``alphas()``           initialization scales alpha = m * 10^e, log-uniform over decades
``epsilons()``         tolerances eps of the bounds, log scale like ``alphas``
``betas()``            nonzero vectors beta of exact decimals (multiples of 1/16)
``depths()``           depths D >= 2 of the diagonal family
``shapes(d)``          initialization shapes w0 (positive entries)
``widths()``           widths k of the wide family
``wide_inits(d)``      (U0, V0): d x k matrices with A_i, B_i > 0 (no degenerate row)
``parametrizations()`` :class:`Parametrization` (expression, init) that
                       ``krtheory solve/flow --parametrization`` take
``families()``         :class:`FamilyCase` (family name, keyword parameters) of the built-ins
=====================  ====================================================================
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from fractions import Fraction

from hypothesis import strategies as st

from krtheory.errors import InvalidArgument
from krtheory.problem import Problem

#: Decimal places of the entries of X (k / 100).
PLACES = 2
#: The planted beta*'s entries are multiples of this.
BETA_STEP = Fraction(1, 4)


def _decimal(value: Fraction) -> str:
    """An exact decimal string of a fraction whose denominator divides a power of 10."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _entries(places: int, bound: int):
    """Exact decimals k / 10^places with |k| <= bound (shrink toward 0)."""
    return st.integers(-bound, bound).map(lambda k: Fraction(k, 10 ** places))


def problems(*, min_n: int = 1, max_n: int = 3, min_d: int = 2, max_d: int = 6, max_support: int = 3,
             margin: str = "0.25") -> st.SearchStrategy[Problem]:
    """Overparametrized problems (n < d), small by default, with exact decimal entries.

    X = [A | B] up to a drawn column permutation, entries of B and off-diagonal entries of A in
    [-0.99, 0.99] (two places), each A_kk = +-(sum_j!=k |A_kj| + m + t), m = ``margin``, t >= 0:
    A is row-diagonally dominant by m, so ||A^-1||_inf <= 1/m and
    cond_2(X) <= n sqrt(d) max|X_kj| / m (a full-rank X is guaranteed, not filtered for).
    beta* has 1 .. ``max_support`` nonzero entries, multiples of 1/4 in [-2, 2]; y = X beta*
    exactly (nonzero: if X beta* = 0, a quarter of pivot column 1 is added).
    """
    if not (1 <= min_n <= max_n and 2 <= min_d <= max_d and max_n < max_d):
        raise InvalidArgument(f"need 1 <= min_n <= max_n < max_d and 2 <= min_d <= max_d, got min_n={min_n}, "
                              f"max_n={max_n}, min_d={min_d}, max_d={max_d}")
    if isinstance(max_support, bool) or not isinstance(max_support, int) or max_support < 1:
        raise InvalidArgument(f"max_support must be an int >= 1, got max_support={max_support!r}")
    m = Fraction(margin)
    if m <= 0 or 10 ** PLACES * m % 1:
        raise InvalidArgument(f"margin must be a positive multiple of 0.01, got margin={margin!r}")
    return _problems(min_n, max_n, min_d, max_d, max_support, m)


@st.composite
def _problems(draw, min_n, max_n, min_d, max_d, max_support, margin) -> Problem:
    n = draw(st.integers(min_n, max_n), label="n")
    d = draw(st.integers(max(min_d, n + 1), max_d), label="d")
    cell = _entries(PLACES, 10 ** PLACES - 1)
    rows = [[draw(cell) for _ in range(d)] for _ in range(n)]
    for k, row in enumerate(rows):
        dominance = sum(abs(v) for j, v in enumerate(row[:n]) if j != k) + margin
        extra = draw(st.integers(0, 10 ** PLACES)) * Fraction(1, 10 ** PLACES)
        row[k] = (dominance + extra) * (-1 if draw(st.booleans()) else 1)
    order = draw(st.permutations(range(d)))
    X = [[row[j] for j in order] for row in rows]
    support = draw(st.lists(st.integers(0, d - 1), min_size=1, max_size=min(max_support, d), unique=True))
    beta = [Fraction(0)] * d
    for j in support:
        beta[j] = draw(st.integers(1, 8)) * BETA_STEP * (-1 if draw(st.booleans()) else 1)
    y = [sum(x * b for x, b in zip(row, beta)) for row in X]
    if not any(y):
        pivot = order.index(0)
        beta[pivot] += BETA_STEP
        y = [sum(x * b for x, b in zip(row, beta)) for row in X]
    return Problem.from_rows([[_decimal(v) for v in row] for row in X], [_decimal(v) for v in y],
                             name=f"hypothesis-{n}x{d}", warn=False)


def betas(*, min_size: int = 1, max_size: int = 8, max_value: str = "4") -> st.SearchStrategy[tuple[str, ...]]:
    """Nonzero vectors beta (1 <= length <= 8 by default) of exact decimals, multiples of 1/16 with
    |beta_i| <= max_value; one drawn entry is forced nonzero (constructive); shrinks toward
    (0.0625, 0, ..., 0)."""
    bound = Fraction(str(max_value)) * 16
    if isinstance(min_size, bool) or not 1 <= min_size <= max_size or bound < 1 or bound % 1:
        raise InvalidArgument(f"betas: need 1 <= min_size <= max_size and max_value a multiple of 1/16 >= 1/16, "
                              f"got min_size={min_size}, max_size={max_size}, max_value={max_value}")
    k = int(bound)

    @st.composite
    def build(draw):
        entries = draw(st.lists(st.integers(-k, k), min_size=min_size, max_size=max_size))
        where = draw(st.integers(0, len(entries) - 1))
        if entries[where] == 0:
            entries[where] = draw(st.integers(1, k)) * (-1 if draw(st.booleans()) else 1)
        return tuple(_decimal(Fraction(e, 16)) for e in entries)

    return build()


def _log_scale(min_value, max_value, name: str) -> st.SearchStrategy[str]:
    """m * 10^e with m in 1..9, e integer, inside [min_value, max_value]: e is drawn first and
    m within the bounds of its decade, so every draw is valid; shrinks toward 10^0 = 1 when 1
    is inside the bounds, else toward the bound nearer to 1, and toward m = 1."""
    lo, hi = (Fraction(str(v)) for v in (min_value, max_value))
    if not 0 < lo <= hi:
        raise InvalidArgument(f"{name}: need 0 < min_value <= max_value, got min_value={min_value}, "
                              f"max_value={max_value}")
    low, high = _decade(lo), _decade(hi)
    if low == high and _mantissas(lo, hi, low) is None:
        raise InvalidArgument(f"{name}: no m * 10^e (m = 1..9) lies in [{min_value}, {max_value}]")
    decades = [e for e in range(low, high + 1) if _mantissas(lo, hi, e) is not None]
    decades.sort(key=lambda e: (abs(e), e))  # sampled_from shrinks toward the first: 10^0
    return st.sampled_from(decades).flatmap(
        lambda e: st.integers(*_mantissas(lo, hi, e)).map(lambda m: _power_text(m, e)))


def _decade(value: Fraction) -> int:
    e = len(str(value.numerator // value.denominator)) - 1 if value >= 1 else -1
    while Fraction(10) ** e > value:
        e -= 1
    while Fraction(10) ** (e + 1) <= value:
        e += 1
    return e


def _mantissas(lo: Fraction, hi: Fraction, e: int):
    scale = Fraction(10) ** e
    first, last = max(1, -(-lo // scale)), min(9, hi // scale)
    return (int(first), int(last)) if first <= last else None


def _power_text(m: int, e: int) -> str:
    """"20", "0.03", "5e-9": plain decimals down to 1e-4, exponent form below."""
    return _decimal(Fraction(m) * Fraction(10) ** e) if e >= -4 else f"{m}e{e}"


def alphas(*, min_value: str = "0.01", max_value: str = "100") -> st.SearchStrategy[str]:
    """Initialization scales alpha = m * 10^e (m = 1..9) in [min_value, max_value], as exact
    strings ("3e-2", "1", "20"): a log scale, every decade as likely; shrinks toward 1."""
    return _log_scale(min_value, max_value, "alphas")


def epsilons(*, min_value: str = "1e-6", max_value: str = "0.5") -> st.SearchStrategy[str]:
    """Tolerances eps of the bounds (Theorem 2's eps-approximation), a log scale like :func:`alphas`."""
    return _log_scale(min_value, max_value, "epsilons")


def depths(*, min_value: int = 2, max_value: int = 5) -> st.SearchStrategy[int]:
    """Depths D of the diagonal family (eq. 10), shrinking toward min_value."""
    if isinstance(min_value, bool) or not 2 <= min_value <= max_value:
        raise InvalidArgument(f"depths: need 2 <= min_value <= max_value, got {min_value}, {max_value}")
    return st.integers(min_value, max_value)


def shapes(d: int, *, min_value: str = "0.5", max_value: str = "2") -> st.SearchStrategy[tuple[str, ...]]:
    """Initialization shapes w0 (d positive entries, two decimal places) in [min_value, max_value];
    shrinks toward the all-min_value shape."""
    lo, hi = (Fraction(str(v)) * 10 ** PLACES for v in (min_value, max_value))
    if not 0 < lo <= hi or lo % 1 or hi % 1:
        raise InvalidArgument(f"shapes: need 0 < min_value <= max_value with two decimal places, got "
                              f"min_value={min_value}, max_value={max_value}")
    entry = st.integers(int(lo), int(hi)).map(lambda k: _decimal(Fraction(k, 10 ** PLACES)))
    return st.lists(entry, min_size=d, max_size=d).map(tuple)


def widths(*, min_value: int = 1, max_value: int = 3) -> st.SearchStrategy[int]:
    """Widths k of the wide family (paper §6)."""
    if isinstance(min_value, bool) or not 1 <= min_value <= max_value:
        raise InvalidArgument(f"widths: need 1 <= min_value <= max_value, got {min_value}, {max_value}")
    return st.integers(min_value, max_value)


def _nonzero(places: int = 1, bound: int = 9):
    """Exact decimals k / 10^places, 1 <= |k| <= bound, shrinking toward +1/10^places ... 0.1."""
    return st.builds(lambda k, negative: Fraction(-k if negative else k, 10 ** places),
                     st.integers(1, bound), st.booleans())


@st.composite
def _unbalanced_unit(draw):
    """(u0, v0) with u0 + v0 != 0 and u0 - v0 != 0 (A, B > 0): u0 in 0.1 .. 2 and |v0| < u0 (one
    decimal each); shrinks toward (1, 0), away from the small scales where the flow is stiff."""
    u0 = 10 + draw(st.integers(-9, 10))
    return Fraction(u0, 10), Fraction(draw(st.integers(-(u0 - 1), u0 - 1)), 10)


def wide_inits(d: int, *, width: int | st.SearchStrategy[int] | None = None):
    """(U0, V0) for the wide family: d x k lists of exact decimal strings in which every row's
    first unit is unbalanced (|V0_i1| < U0_i1), so A_i, B_i > 0 (no degenerate row)."""
    k_strategy = widths() if width is None else width if isinstance(width, st.SearchStrategy) else st.just(width)

    @st.composite
    def build(draw):
        k = draw(k_strategy)
        U0, V0 = [], []
        for _ in range(d):
            first = draw(_unbalanced_unit())
            rest = [(draw(_entries(1, 9)), draw(_entries(1, 9))) for _ in range(k - 1)]
            units = [first, *rest]
            U0.append([_decimal(u) for u, _ in units])
            V0.append([_decimal(v) for _, v in units])
        return U0, V0

    return build()


@dataclasses.dataclass(frozen=True)
class Parametrization:
    """A per-coordinate parametrization beta_i = P(theta_i) as ``krtheory solve/flow
    --parametrization EXPR --init NAME=VALUE,...`` take it, ``init`` {name: exact decimal}."""

    expression: str
    init: dict

    def init_text(self) -> str:
        """The --init option: ``u=0.7,v=0.2``."""
        return ",".join(f"{k}={v}" for k, v in self.init.items())


#: The shapes of parametrizations drawn by :func:`parametrizations`.
KINDS = ("unbalanced", "diagonal", "wide")


def parametrizations(*, kinds=KINDS, max_depth: int = 3, max_width: int = 2) -> st.SearchStrategy[Parametrization]:
    """Polynomial parametrizations the derivation engine derives and the flow integrates:

    * ``unbalanced``: ``u*v`` from u(0) > |v(0)| (Azulay et al.'s unbalanced depth-2 model;
      the biased link A e^{2s} - B e^{-2s}),
    * ``diagonal``: ``u**D - v**D`` from u(0) = v(0) = c in [0.2, 2] (Theorems 1, 3; D <= ``max_depth``),
    * ``wide``: ``u1*v1 + ... + uk*vk`` (paper §6; k <= ``max_width``), first unit unbalanced.

    Initial values are one-decimal exact numbers; shrinks toward the first kind, D = 2, k = 1.
    """
    kinds = tuple(kinds)
    if not kinds or set(kinds) - set(KINDS):
        raise InvalidArgument(f"kinds must be a non-empty subset of {KINDS}, got kinds={kinds!r}")
    builders = {"unbalanced": _unbalanced(), "diagonal": _diagonal(max_depth), "wide": _wide(max_width)}
    return st.sampled_from(kinds).flatmap(builders.__getitem__)


def _unbalanced():
    return _unbalanced_unit().map(lambda uv: Parametrization("u*v", {"u": _decimal(uv[0]), "v": _decimal(uv[1])}))


def _diagonal(max_depth: int):
    def build(depth, c):
        return Parametrization(f"u**{depth} - v**{depth}", {"u": c, "v": c})

    return st.builds(build, depths(max_value=max_depth), alphas(min_value="0.2", max_value="2"))


def _wide(max_width: int):
    @st.composite
    def build(draw):
        k = draw(widths(max_value=max_width))
        first = draw(_unbalanced_unit())
        units = [first, *((draw(_nonzero()), draw(_nonzero())) for _ in range(k - 1))]
        init = {}
        for j, (u0, v0) in enumerate(units, start=1):
            init[f"u{j}"], init[f"v{j}"] = _decimal(u0), _decimal(v0)
        return Parametrization(" + ".join(f"u{j}*v{j}" for j in range(1, k + 1)), init)

    return build()


@dataclasses.dataclass(frozen=True)
class FamilyCase:
    """A built-in family and the keyword parameters of its ``link``/``model``
    (:data:`krtheory.FAMILIES`), for a problem of dimension ``d``."""

    family: str
    parameters: dict


def families(d: int, *, names=("diagonal", "wide"), max_depth: int = 3,
             alpha_min: str = "0.1", alpha_max: str = "10") -> st.SearchStrategy[FamilyCase]:
    """Built-in families with flows and links for a problem of dimension ``d``: diagonal (depth,
    alpha on a log scale, shape or None) and wide (U0, V0 from :func:`wide_inits`)."""
    names = tuple(names)
    if not names or set(names) - {"diagonal", "wide"}:
        raise InvalidArgument(f"names must be a non-empty subset of ('diagonal', 'wide'), got {names!r}")
    diagonal = st.builds(lambda depth, alpha, shape: FamilyCase("diagonal", {"depth": depth, "alpha": alpha,
                                                                             "shape": shape}),
                         depths(max_value=max_depth), alphas(min_value=alpha_min, max_value=alpha_max),
                         st.none() | shapes(d))
    wide = wide_inits(d).map(lambda uv: FamilyCase("wide", {"U0": uv[0], "V0": uv[1]}))
    cases = {"diagonal": diagonal, "wide": wide}
    return st.sampled_from(names).flatmap(cases.__getitem__)
