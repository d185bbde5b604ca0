"""The contract of a family: one parametrization (or reference) and what the commands build from it.

A family names itself, says in one line what it is, and declares the commands that take it
(``derive``, ``potential``, ``solve``, ``flow``). Each command's method (:meth:`derivation`,
:meth:`potential`, :meth:`link` or :meth:`reference`, :meth:`model`) is implemented by the families that declare the
command; the others refuse it with NotApplicable. The registry of the families is
:data:`krtheory.families.registry.FAMILIES`.
"""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING, ClassVar

from krtheory.errors import NotApplicable

if TYPE_CHECKING:
    from krtheory.derive.abstract import AbstractDerivation
    from krtheory.flow.models import SeparableModel
    from krtheory.links import Link

#: The commands a family can take.
COMMANDS = ("derive", "potential", "solve", "flow")


class AbstractFamily(abc.ABC):
    """One family: ``name`` (its --family value), ``description`` (one line) and ``commands``
    (the subset of COMMANDS that take it)."""

    name: ClassVar[str]
    description: ClassVar[str]
    commands: ClassVar[frozenset[str]]
    #: True for a reference interpolator (min-norm l1/l2): no link, no flow, no derivation.
    is_reference: ClassVar[bool] = False
    #: True for the matrix families (§6): their data are matrix measurements, not X, y.
    takes_matrices: ClassVar[bool] = False

    def takes(self, command: str) -> bool:
        """Whether ``krtheory COMMAND --family NAME`` exists."""
        return command in self.commands

    def derivation(self, **params) -> AbstractDerivation:
        """The verified derivation of the family's regularizer (``derive``)."""
        raise self._refused("derivation")

    def potential(self, z, dps: int, **params) -> tuple[str, int]:
        """The potential at ``z`` to ``dps`` verified digits: (decimal string, digits) (``potential``)."""
        raise self._refused("potential")

    def link(self, d: int, **params) -> Link:
        """The separable link of the family's implicit bias on R^d (``solve``)."""
        raise self._refused("link")

    def model(self, **params) -> SeparableModel:
        """The parametrization whose gradient flow ``flow`` integrates."""
        raise self._refused("flow model")

    def reference(self, problem, *, dps: int):
        """The reference interpolator of ``problem`` at ``dps`` digits (l1/l2 ``solve``)."""
        raise self._refused("reference interpolator")

    def _refused(self, what: str) -> NotApplicable:
        return NotApplicable(f"family {self.name} has no {what} (it takes: {', '.join(sorted(self.commands))})")

    def __repr__(self):
        return f"<family {self.name}: {self.description}>"
