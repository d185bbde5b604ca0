"""A hash computed once for frozen dataclasses that caches key on (problems, links).

Hashing a Problem's tuples of d x n strings costs ~10 microseconds each time (tuples do not
cache their hash), more than a whole iteration of the float64 fast path. The cached value is
dropped when pickling: string hashes differ between processes.
"""

from __future__ import annotations

import dataclasses

_KEY = "_cached_hash"


def cached_hash(self) -> int:
    """hash() of the fields, computed on first use; set ``__hash__ = cached_hash`` in the class."""
    value = self.__dict__.get(_KEY)
    if value is None:
        value = hash(tuple(getattr(self, field.name) for field in dataclasses.fields(self)))
        object.__setattr__(self, _KEY, value)
    return value


def state_without_hash(self) -> dict:
    """``__getstate__`` that leaves the cached hash out of a pickle."""
    return {key: value for key, value in self.__dict__.items() if key != _KEY}
