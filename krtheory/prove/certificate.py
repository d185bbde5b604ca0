"""Certificates: the statement, the verdict and the pieces with the enclosure used on each,
as JSON that :mod:`krtheory.prove.replay` re-checks.

    {"format": "krtheory-prove-certificate", "version": 1,
     "statement": {"inequality": ..., "var": ..., "domain": ..., "D": ...},
     "status": "PROVED" | "REFUTED" | "UNDECIDED", "prec": bits,
     "pieces": [{"lo": "p/q", "hi": "p/q", "method": "taylor" | "monotone" | "touch",
                 "lower": decimal <= f on the piece (the bracket's, for touch), ...}, ...],
     "witness": decimal (REFUTED), "undecided": [[lo, hi], ...] (UNDECIDED)}

Piece fields by method: taylor {centre, degree}; monotone {end}; touch {point, side, order,
degree} (see :mod:`krtheory.prove.checks`).
"""

from __future__ import annotations

import json
from pathlib import Path

from krtheory.errors import InvalidArgument

FORMAT = "krtheory-prove-certificate"
VERSION = 1


def certificate(statement, outcome) -> dict:
    """The certificate of ``outcome`` (a search Outcome) for ``statement``."""
    record = {"format": FORMAT, "version": VERSION, "statement": statement.as_dict(),
              "status": outcome.status, "prec": outcome.prec, "pieces": outcome.pieces}
    if outcome.witness is not None:
        record["witness"] = outcome.witness
    if outcome.undecided:
        record["undecided"] = outcome.undecided
        record["stopped"] = outcome.stopped
    return record


def load(path) -> dict:
    """The certificate in the file ``path``, its envelope checked (InvalidArgument otherwise)."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidArgument(f"--replay {path}: cannot read ({getattr(error, 'strerror', None) or error})") from None
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidArgument(f"--replay {path}: not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(record, dict) or record.get("format") != FORMAT:
        raise InvalidArgument(f"--replay {path}: not a krtheory prove certificate (format must be {FORMAT!r})")
    if record.get("version") != VERSION:
        raise InvalidArgument(f"--replay {path}: certificate version {record.get('version')!r}, expected {VERSION}")
    return record
