"""Training a network on the squared loss: full-batch gradient descent with a constant step,
and the gradient flow d theta/dt = -grad L(theta) (eq. 1) with an adaptive integrator, both run
until the training loss is below a target (the paper trains "until the training loss is below
1e-9", Appendix A). Running out of budget raises NoConvergence with the evidence.
"""

from __future__ import annotations

import dataclasses
import math
import time

import numpy as np

from krtheory.errors import InvalidArgument, NoConvergence
from krtheory.nets.mlp import Architecture, loss_and_gradient


@dataclasses.dataclass(frozen=True)
class TrainResult:
    """The final parameters, the steps (GD) or right-hand-side evaluations (flow) used, the
    final loss, the flow time reached (GD: steps * lr), and the wall time."""

    theta: np.ndarray
    steps: int
    loss: float
    time: float
    seconds: float


def _check_positive(value, name: str) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgument(f"Expected {name} > 0 (finite) but got {name}={value!r}")
    return value


def gradient_descent(arch: Architecture, theta0, X, Y, *, lr: float, target: float,
                     max_steps: int, backend: str = "numpy", device: str | None = None) -> TrainResult:
    """theta_{t+1} = theta_t - lr grad L(theta_t) until L < target; NoConvergence (with the
    loss reached; its ``result`` is the last iterate) after ``max_steps`` steps, or when the
    loss blows up.

    ``backend="torch"`` runs the same iteration in torch (float64, on ``device``)."""
    lr, target = _check_positive(lr, "lr"), _check_positive(target, "target")
    if max_steps < 1:
        raise InvalidArgument(f"Expected max_steps >= 1 but got max_steps={max_steps}")
    if backend == "torch":
        from krtheory.nets.torch_backend import torch_objective

        objective, theta, to_numpy = torch_objective(arch, X, Y, theta0, device)
    elif backend == "numpy":
        theta = np.array(theta0, dtype=float)
        X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)

        def objective(t):
            return loss_and_gradient(arch, t, X, Y)

        def to_numpy(t):
            return t
    else:
        raise InvalidArgument(f"Expected backend 'numpy' or 'torch' but got backend={backend!r}")
    start = time.perf_counter()
    loss, grad = objective(theta)
    initial = loss
    for step in range(max_steps):
        if loss < target:
            return TrainResult(to_numpy(theta), step, loss, step * lr, time.perf_counter() - start)
        if not math.isfinite(loss) or loss > 1e6 * max(initial, 1.0):
            raise NoConvergence(f"gradient descent diverged at step {step} (lr {lr:g}): loss {loss:.3g} "
                                f"from {initial:.3g}")
        theta = theta - lr * grad
        loss, grad = objective(theta)
    last = TrainResult(to_numpy(theta), max_steps, loss, max_steps * lr, time.perf_counter() - start)
    if loss < target:
        return last
    error = NoConvergence(f"gradient descent (lr {lr:g}) stopped at the budget of {max_steps} steps with "
                          f"training loss {loss:.3g} >= target {target:g} (initial loss {initial:.3g})")
    error.result = last  # the last iterate, as evidence
    raise error


def gradient_flow(arch: Architecture, theta0, X, Y, *, target: float, t_max: float,
                  rtol: float = 1e-8, atol: float = 1e-10, method: str = "RK45") -> TrainResult:
    """Integrate d theta/dt = -grad L(theta) with scipy's adaptive ``solve_ivp`` until the
    loss crosses ``target`` (a terminal event); NoConvergence if it has not by ``t_max``.

    The event is located to the integrator's tolerance, so the final loss is ``target`` up to
    that tolerance; ``steps`` counts right-hand-side evaluations."""
    from scipy.integrate import solve_ivp

    target, t_max = _check_positive(target, "target"), _check_positive(t_max, "t_max")
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)

    def rhs(_t, theta):
        return -loss_and_gradient(arch, theta, X, Y)[1]

    def below_target(_t, theta):
        return loss_and_gradient(arch, theta, X, Y)[0] - target

    below_target.terminal, below_target.direction = True, -1
    start = time.perf_counter()
    theta0 = np.array(theta0, dtype=float)
    initial = loss_and_gradient(arch, theta0, X, Y)[0]
    if initial < target:
        return TrainResult(theta0, 0, initial, 0.0, 0.0)
    solution = solve_ivp(rhs, (0.0, t_max), theta0, method=method, rtol=rtol, atol=atol,
                         events=below_target)
    theta = solution.y[:, -1]
    loss = loss_and_gradient(arch, theta, X, Y)[0]
    if solution.status != 1:
        raise NoConvergence(f"gradient flow ({method}, rtol {rtol:g}) reached t = {solution.t[-1]:.4g} of "
                            f"t_max {t_max:g} with training loss {loss:.3g} >= target {target:g} "
                            f"(initial {initial:.3g}; {solution.message})")
    return TrainResult(theta, int(solution.nfev), loss, float(solution.t[-1]),
                       time.perf_counter() - start)
