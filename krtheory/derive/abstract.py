"""The contract every derivation meets (diagonal, explicit, wide, custom): its verification
steps, the verdict over them, and its fields as printable strings."""

from __future__ import annotations

import abc


class AbstractDerivation(abc.ABC):
    """A derivation of an implicit (or explicit) regularizer, verified step by step.

    ``steps`` holds :class:`krtheory.derive.checks.Step` records, each three-valued
    (verified / failed / undecided)."""

    steps: tuple

    def verified(self) -> bool:
        """True when every step is verified."""
        from krtheory.derive.checks import StepStatus

        return all(step.status is StepStatus.VERIFIED for step in self.steps)

    @abc.abstractmethod
    def as_dict(self, fmt: str = "sympy") -> dict:
        """The derivation as JSON-able strings (``fmt``: sympy, latex or python), its steps as
        dicts and ``verified``."""
