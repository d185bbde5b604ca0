"""Replay of a certificate, independent of the search: parse the statement again, check that
the pieces cover the domain end to end with exact rational ends, and recompute every piece's
enclosure with :mod:`krtheory.prove.checks` at the certificate's precision; a REFUTED
certificate's witness is re-evaluated at 4x that precision. Anything that does not check is
rejected (InvalidArgument naming the piece); nothing is searched or split here.
"""

from __future__ import annotations

from fractions import Fraction

from krtheory.errors import InvalidArgument
from krtheory.prove import checks
from krtheory.prove._flint import ball, working
from krtheory.prove.certificate import load
from krtheory.prove.statement import parse_statement

METHODS = ("taylor", "monotone", "touch", "tail")
#: Precision a certificate may ask for (bits).
PREC_RANGE = (16, 4096)


def replay(path) -> dict:
    """{"status", "pieces", "statement"} re-checked from the certificate in ``path``."""
    return replay_record(load(path), f"--replay {path}")


def replay_record(record: dict, where: str = "certificate") -> dict:
    """:func:`replay` of a certificate already read (``where`` names it in errors)."""
    if not isinstance(record, dict):
        raise InvalidArgument(f"{where}: a certificate is a JSON object")
    statement = _statement(record, where)
    prec = record.get("prec")
    if not isinstance(prec, int) or isinstance(prec, bool) or not PREC_RANGE[0] <= prec <= PREC_RANGE[1]:
        raise InvalidArgument(f"{where}: prec must be an integer in {list(PREC_RANGE)}, got {prec!r}")
    status = record.get("status")
    pieces = record.get("pieces")
    if status not in ("PROVED", "REFUTED", "UNDECIDED") or not isinstance(pieces, list):
        raise InvalidArgument(f"{where}: needs a status PROVED/REFUTED/UNDECIDED and a list of pieces")
    if status == "REFUTED":
        _replay_witness(statement, record.get("witness"), prec, where)
    else:
        with working(prec, checks.series_length()):
            for index, piece in enumerate(pieces):
                _replay_piece(statement, piece, index, where)
        if status == "PROVED":
            _check_cover(statement, pieces, where)
    return {"status": status, "pieces": len(pieces), "statement": statement.as_dict()}


def _statement(record, where):
    data = record.get("statement")
    if not isinstance(data, dict):
        raise InvalidArgument(f"{where}: the statement is missing")
    try:
        return parse_statement(data.get("inequality"), data.get("var"), data.get("domain"), data.get("D"))
    except InvalidArgument as error:
        raise InvalidArgument(f"{where}: statement: {error}") from None


def _fraction(value, what: str, where: str) -> Fraction:
    if (not isinstance(value, str) or len(value) > 400
            or len(value.lower().partition("e")[2].lstrip("+-").lstrip("0")) > 3):
        raise InvalidArgument(f"{where}: {what} must be an exact number as text (exponent below 1000), "
                              f"got {str(value)[:40]!r}")
    try:
        return Fraction(value)
    except (ValueError, ZeroDivisionError):
        raise InvalidArgument(f"{where}: {what} {value!r} is not an exact number") from None


def _replay_piece(statement, piece, index: int, where: str) -> None:
    label = f"{where}: piece {index}"
    if not isinstance(piece, dict) or piece.get("method") not in METHODS:
        raise InvalidArgument(f"{label}: method must be one of {', '.join(METHODS)}")
    if piece["method"] == "tail":
        return _replay_tail(statement, piece, label)
    lo, hi = _fraction(piece.get("lo"), "lo", label), _fraction(piece.get("hi"), "hi", label)
    lower = _fraction(piece.get("lower"), "lower", label)
    if not lo < hi:
        raise InvalidArgument(f"{label}: lo {piece['lo']} is not below hi {piece['hi']}")
    _check_lower(statement, lower, piece, label)
    tree, method = statement.f, piece["method"]
    label = f"{label} [{piece['lo']}, {piece['hi']}] ({method})"
    if method == "taylor":
        centre = _fraction(piece.get("centre"), "centre", label)
        degree = _degree(piece, label)
        if not lo <= centre <= hi:
            raise InvalidArgument(f"{label}: the centre is outside the piece")
        bound = checks.taylor_bound(tree, lo, hi, centre, degree)
    elif method == "monotone":
        end = _fraction(piece.get("end"), "end", label)
        found, bound = checks.monotone_bound(tree, lo, hi)
        if found != end:
            raise InvalidArgument(f"{label}: f' does not have the sign that makes f least at {piece['end']}")
    else:
        point = _fraction(piece.get("point"), "point", label)
        side = piece.get("side")
        if (side, point) not in ((1, lo), (-1, hi)):
            raise InvalidArgument(f"{label}: a touch piece starts at its point (side 1) or ends there (side -1)")
        order, bound = checks.touch_bound(tree, point, side, hi - lo, _degree(piece, label))
        if order != piece.get("order"):
            raise InvalidArgument(f"{label}: the exact jet vanishes to order {order}, not {piece.get('order')!r}")
        if order and statement.strict and statement.domain.contains(point):
            raise InvalidArgument(f"{label}: f = 0 at {piece['point']}, which the strict inequality includes")
    if not (bound.is_finite() and bound >= ball(lower)):
        raise InvalidArgument(f"{label}: the enclosure does not check (recomputed lower bound "
                              f"{bound.str(6, radius=False) if bound.is_finite() else 'nan'} < {piece['lower']})")


def _replay_tail(statement, piece, label: str) -> None:
    """An end piece: z >= 1/tau (z <= -1/tau) at an infinite end, (c, c + tau] or [c - tau, c)
    at an open end c; its bracket recomputed by :func:`krtheory.prove.tails.sign_bounds`."""
    from krtheory.prove import tails

    lower = _fraction(piece.get("lower"), "lower", label)
    tau = _fraction(piece.get("tau"), "tau", label)
    if not 0 < tau <= Fraction(1, 2):
        raise InvalidArgument(f"{label}: tau must be in (0, 1/2]")
    _check_lower(statement, lower, piece, label)
    if piece.get("order") != tails.ORDER:
        raise InvalidArgument(f"{label}: tail order must be {tails.ORDER}")
    end, domain = piece.get("end"), statement.domain
    if end in ("inf", "-inf"):
        side = 1 if end == "inf" else -1
        near = piece.get("lo") if side > 0 else piece.get("hi")
        if piece.get("hi" if side > 0 else "lo") != end:
            raise InvalidArgument(f"{label}: a tail at {end} must reach {end}")
        start = _fraction(near, "start", label)
        if side * start < 1 / tau:
            raise InvalidArgument(f"{label}: starts at {near}, inside 1/tau = {1 / tau}")
        if (domain.hi if side > 0 else domain.lo) is not None:
            raise InvalidArgument(f"{label}: the domain has no end at {end}")
        low, _ = tails.sign_bounds(statement.f, "inf", Fraction(0), side, tau)
    else:
        point, side = _fraction(end, "end", label), piece.get("side")
        lo, hi = _fraction(piece.get("lo"), "lo", label), _fraction(piece.get("hi"), "hi", label)
        if side not in (1, -1) or (side == 1 and (lo, hi) != (point, point + tau)) or \
                (side == -1 and (lo, hi) != (point - tau, point)):
            raise InvalidArgument(f"{label}: an end piece at {end} must be the interval of length tau beside it")
        open_end = (point == domain.lo and not domain.lo_closed and side == 1) or \
            (point == domain.hi and not domain.hi_closed and side == -1)
        if not open_end:
            raise InvalidArgument(f"{label}: {end} is not an open end of the domain {domain.text()}")
        low, _ = tails.sign_bounds(statement.f, "point", point, side, tau)
    if not (low.is_finite() and low >= ball(lower)):
        raise InvalidArgument(f"{label}: the expansion does not check (recomputed lower bound "
                              f"{low.str(6, radius=False) if low.is_finite() else 'nan'} < {piece['lower']})")


def _check_lower(statement, lower: Fraction, piece, label: str) -> None:
    """The stored bound proves the claim: > 0 for a strict inequality, >= 0 otherwise."""
    if lower < 0 or (statement.strict and lower == 0):
        raise InvalidArgument(f"{label}: its lower bound {piece['lower']} does not prove "
                              f"{'f > 0' if statement.strict else 'f >= 0'}")


def _degree(piece, label: str) -> int:
    degree = piece.get("degree")
    if not isinstance(degree, int) or isinstance(degree, bool) or not 1 <= degree <= checks.MAX_ORDER:
        raise InvalidArgument(f"{label}: degree must be an integer in [1, {checks.MAX_ORDER}], got {degree!r}")
    return degree


def _check_cover(statement, pieces, where: str) -> None:
    """The pieces, in order, run from the domain's lower end to its upper end without gaps."""
    domain = statement.domain
    if not pieces:
        raise InvalidArgument(f"{where}: no pieces")
    ends = [(_end(p["lo"]), _end(p["hi"])) for p in pieces]
    if ends[0][0] != domain.lo or ends[-1][1] != domain.hi:
        raise InvalidArgument(f"{where}: the pieces run from {pieces[0]['lo']} to {pieces[-1]['hi']}, "
                              f"not over the domain {domain.text()}")
    for index, (left, right) in enumerate(zip(ends, ends[1:])):
        if left[1] is None or right[0] is None or left[1] != right[0]:
            raise InvalidArgument(f"{where}: pieces {index} and {index + 1} leave a gap or overlap between "
                                  f"{pieces[index]['hi']} and {pieces[index + 1]['lo']}")


def _end(text):
    return None if text in ("-inf", "inf") else Fraction(text)


def _replay_witness(statement, witness, prec: int, where: str) -> None:
    x = _fraction(witness, "witness", where)
    if not statement.domain.contains(x):
        raise InvalidArgument(f"{where}: the witness {witness} is outside the domain {statement.domain.text()}")
    if not checks.fails_at(statement.f, x, statement.strict, 4 * prec):
        raise InvalidArgument(f"{where}: at the witness {witness} the inequality does not fail")
