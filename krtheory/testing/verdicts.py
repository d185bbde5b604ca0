"""The outcomes of the assertion helpers in this process, per claim, for the pytest plugin's
``--krtheory-verdicts`` summary (a plain in-memory tally: recording costs nothing)."""

from __future__ import annotations

import collections

#: The three verdicts, in the order the summary shows them.
VERDICTS = ("HOLDS", "REFUTED", "INCONCLUSIVE")

_TALLY: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)


def record(claim: str, verdict: str) -> None:
    """Count one outcome of ``claim`` (a one-line description)."""
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    _TALLY[claim][verdict] += 1


def tally() -> dict[str, dict[str, int]]:
    """{claim: {verdict: count}} in the order the claims were first seen."""
    return {claim: {v: counts[v] for v in VERDICTS} for claim, counts in _TALLY.items()}


def clear() -> None:
    _TALLY.clear()
