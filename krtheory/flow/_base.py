"""The stepper contract of the flow: one step of ``theta' = -2 g grad P(theta)`` (paper eq. (1)).

:func:`krtheory.flow.driver.integrate_flow` is a loop over step points that knows nothing of
how a step is taken: it asks the current stepper for the flow at a point (:meth:`AbstractStepper.at`),
then for one step from there (:meth:`AbstractStepper.step`), and carries the returned local
error to the end (:mod:`krtheory.flow.error`). The steppers are :class:`krtheory.flow.taylor.TaylorStepper`
(explicit, variable-order Taylor series) and :class:`krtheory.flow.radau.RadauStepper` (implicit
Radau IIA collocation, for the stiff tail).
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class FlowPoint:
    """The flow at a step point: theta and t (numbers of the working context), the fixed-point
    bits P, g = X^T r (P-bit integers), the loss L(theta) (working context, exact from the
    fixed-point residual then rounded) and ``prepared``, the stepper's own data at this point
    (the Taylor jet; theta in fixed point for Radau)."""

    theta: list
    t: object
    P: int
    g: list
    loss: object
    prepared: object


@dataclasses.dataclass(frozen=True)
class StepRecord:
    """One step taken: theta and t at its end (working context; t exact), the step h as a float
    (for the step control), ``local_error`` (2-norm over all parameters: truncation plus
    rounding), ``h_next`` (the stepper's proposal for its next step, None: choose afresh),
    ``limited`` (the step was held down by stability, not accuracy) and ``dense(tau)``, theta at
    a flow time inside the step (None when the stepper has no dense output: it then ends its
    step at the ``until`` time it was given)."""

    theta: list
    t: object
    h: float
    local_error: float
    h_next: float | None
    limited: bool = False
    dense: Callable | None = None


class AbstractStepper(abc.ABC):
    """One integrator of the flow for one kernel (:class:`krtheory.flow._kernel._Kernel`)."""

    #: "taylor" or "radau": which stepper the driver's switch is on.
    name: str

    @abc.abstractmethod
    def at(self, theta, t, P: int, h: float | None) -> FlowPoint:
        """The flow at theta (time t, P fixed-point bits), prepared for a step near h."""

    @abc.abstractmethod
    def step(self, point: FlowPoint, h: float | None, log2_tol: float, *, info, J,
             until=None, check: Callable[[], None] = lambda: None) -> StepRecord:
        """One step from ``point``: h the proposed step (None: from the fastest time scale
        1/info.lam), local tolerance 2^log2_tol (absolute), ``info`` the float64 control data
        at the point (:class:`krtheory.flow._kernel._FloatInfo`), ``J`` the Jacobian there (or
        None), ``until`` the next requested sample time (a step without dense output ends
        there at the latest), ``check()`` the caller's budgets (run before every attempt;
        raises NoConvergence)."""
