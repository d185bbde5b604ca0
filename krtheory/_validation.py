"""Validators shared by the models, the derivation engine and the links: each returns the value
normalized (exact strings, ints) or raises InvalidArgument naming the argument and its value."""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from fractions import Fraction

from krtheory.errors import InvalidArgument

_NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


#: Bounds checked on the text before any big-integer work (``1e999999999`` would build a
#: billion-digit integer; 10**100000 takes milliseconds): every documented range (alpha in
#: [1e-300, 1e300], double-range cells, tolerances) and exact internal scales such as alpha**D
#: are far inside them. The exponent bound is precision.MAX_DPS's; Python's int-string limit
#: (4300 digits by default) refuses long digit strings before MAX_DIGITS does.
MAX_EXPONENT = 100_000
MAX_DIGITS = 20_000
_DECIMAL = re.compile(r"[+-]?(?P<int>\d*)(?:\.(?P<frac>\d*))?(?:[eE](?P<exp>[+-]?\d+))?")
_RATIO = re.compile(r"[+-]?(?P<p>\d+)/(?P<q>\d+)")
#: A short plain decimal (the common CSV cell): valid and inside the bounds by its form alone,
#: so it skips the checks below (they cost ~20 us a cell: 0.8 s on a 50 x 400 problem).
_PLAIN = re.compile(r"[+-]?(?:\d{1,40}\.?\d{0,40}|\.\d{1,40})(?:[eE][+-]?\d{1,5})?", re.ASCII)


_PLAIN_ROW = re.compile(rf"(?:{_PLAIN.pattern},)*{_PLAIN.pattern}", re.ASCII)


def plain_cells(cells) -> bool:
    """Whether every cell is a str in the short plain form (no whitespace) of :data:`_PLAIN` and
    far inside double range: then each is valid and normalized as it stands (what
    :func:`parse_number` and a range check would return). One regex match and one float()
    per cell: ~1 us a cell against ~4 us cell by cell (a 50 x 400 CSV is checked twice)."""
    if not all(type(cell) is str for cell in cells):
        return False
    joined = ",".join(cells)
    if joined.count(",") != len(cells) - 1 or not _PLAIN_ROW.fullmatch(joined):
        return False  # a comma inside a cell, or a cell that needs the full checks
    return max(abs(float(cell)) for cell in cells) < 1e308


def exact_decimal(value) -> str:
    """An exact decimal string for an int, float (its exact binary value), numeric string or
    other number (str of it: Fraction, Decimal, mpf); numpy scalars are taken exactly too."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (bool, bytes)) or value is None:
        raise TypeError(f"{type(value).__name__} is not a number here")
    return str(Decimal(value)) if isinstance(value, float) else str(value)


def _check_size(cell: str, where: str) -> None:
    """Refuse a decimal whose exponent or digit count exceeds the bounds above, or a p/q whose
    integers have more than MAX_DIGITS digits, from the text alone."""
    ratio = _RATIO.fullmatch(cell)
    if ratio:
        if max(len(ratio["p"]), len(ratio["q"])) > MAX_DIGITS:
            raise InvalidArgument(f"{where}: {cell[:20]}... has more than {MAX_DIGITS} digits")
        return
    match = _DECIMAL.fullmatch(cell)
    if not match or not (match["int"] or match["frac"]):
        raise InvalidArgument(f"{where}: {cell[:40]!r} is not a number")
    digits = len(match["int"]) + len(match["frac"] or "")
    if digits > MAX_DIGITS:
        raise InvalidArgument(f"{where}: {cell[:20]}... has more than {MAX_DIGITS} digits")
    exponent = match["exp"] or "0"
    if len(exponent.lstrip("+-").lstrip("0")) > 6 or abs(int(exponent)) > MAX_EXPONENT:
        raise InvalidArgument(f"{where}: {cell[:40]!r} has a decimal exponent beyond "
                              f"+-{MAX_EXPONENT}")


def parse_number(text, where: str) -> str:
    """Validate one cell and return it as a normalized exact string (decimal or p/q)."""
    if type(text) is str and _PLAIN.fullmatch(cell := text.strip()):
        return cell
    try:
        cell = exact_decimal(text)
    except (TypeError, ValueError):
        shown = str(text)[:40] if isinstance(text, (str, bytes)) else type(text).__name__
        raise InvalidArgument(f"{where}: {shown!r} is not a number") from None
    if cell.lower() in _NON_FINITE:
        raise InvalidArgument(f"{where}: {cell!r} is not finite (NaN and infinity are not allowed)")
    if cell == "":
        raise InvalidArgument(f"{where}: empty cell")
    _check_size(cell, where)
    try:
        Fraction(cell)
    except (ValueError, ZeroDivisionError) as error:
        if "limit" in str(error):  # Python's int-string limit (sys.set_int_max_str_digits)
            raise InvalidArgument(f"{where}: {cell[:20]}... has more than {sys.get_int_max_str_digits()} "
                                  "digits (Python's integer-string limit)") from None
        raise InvalidArgument(f"{where}: {cell[:40]!r} is not a number") from None
    return cell


def check_positive_int(value, name: str, minimum: int = 1) -> int:
    """An int >= ``minimum`` (``True`` and ``2.0`` are not ints here)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidArgument(f"{name} must be an integer >= {minimum} but got {name}={value!r}")
    return value


def check_depth(depth, max_depth: int | None = None) -> int:
    """An integer depth D >= 2 (``"3"`` is accepted, ``2.5``, ``True`` and ``"x"`` are not)."""
    text = str(depth).strip()
    ascii_integer = text.lstrip("+-").isascii() and text.lstrip("+-").isdigit()  # not "²"
    if isinstance(depth, (bool, float)) or not ascii_integer or int(text) < 2:
        raise InvalidArgument(f"depth must be an integer >= 2 but got depth={depth!r}")
    if max_depth is not None and int(text) > max_depth:
        raise InvalidArgument(f"depth must be an integer in [2, {max_depth}] but got depth={depth!r}")
    return int(text)


def check_positive(value, name: str) -> str:
    """A finite number > 0, as its exact string."""
    text = parse_number(value, name)
    if Fraction(text) <= 0:
        raise InvalidArgument(f"{name} must be > 0 but got {name}={value!r}")
    return text


def check_shape(shape, d: int | None = None) -> tuple[str, ...]:
    """A shape w0: finite non-zero entries (Theorem 1 needs no zero entry), ``d`` of them if given."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise InvalidArgument(f"shape must be a sequence of numbers but got shape={shape!r}")
    entries = tuple(parse_number(v, f"shape entry {i}") for i, v in enumerate(shape, start=1))
    if not entries:
        raise InvalidArgument("shape must not be empty")
    for i, v in enumerate(entries, start=1):
        if Fraction(v) == 0:
            raise InvalidArgument(f"shape entry {i} is zero (w0 must have no zero entries, paper "
                                  "Theorem 1)")
    if d is not None and len(entries) != d:
        raise InvalidArgument(f"shape has {len(entries)} entries but the problem has d={d} coordinates")
    return entries


def check_instance(value, kind: type, name: str):
    """``value`` itself when it is a ``kind`` (e.g. a Problem or a Link handed to a front door),
    else InvalidArgument naming the argument, what it needs and what it got."""
    if not isinstance(value, kind):
        raise InvalidArgument(f"{name} must be a krtheory {kind.__name__} but got {type(value).__name__}")
    return value
