"""The torch backend of the ReLU networks (extra ``nn``): the same network, loss and flat
parameter layout as :mod:`krtheory.nets.mlp`, with gradients from autograd, in float64 on any
device (a GPU for the large runs)."""

from __future__ import annotations

import numpy as np

from krtheory.errors import MissingExtra
from krtheory.nets.mlp import Architecture


def _torch():
    try:
        import torch
    except ImportError:
        raise MissingExtra("torch", "nn") from None
    return torch


def torch_outputs(arch: Architecture, theta, X):
    """f(theta, X) for torch tensors (float64), layer by layer as in mlp.outputs."""
    torch = _torch()
    total = 0.0
    for sign, layers in arch.copies(theta):
        a = X
        for index, (W, b) in enumerate(layers):
            a = a @ W.T + (b if b is not None else 0.0)
            if index < len(layers) - 1:
                a = torch.relu(a)
        total = total + sign * a
    return total


def torch_objective(arch: Architecture, X, Y, theta0, device: str | None = None):
    """(objective, theta, to_numpy): ``objective(theta) -> (loss float, gradient tensor)`` of
    L = 1/(2N) sum |f - y|^2 by autograd; ``theta`` the initial tensor on ``device``."""
    torch = _torch()
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    X = torch.as_tensor(np.asarray(X, dtype=float), device=device)
    Y = torch.as_tensor(np.asarray(Y, dtype=float), device=device).reshape(len(X), -1)
    n = len(X)

    def objective(theta):
        theta = theta.detach().requires_grad_(True)
        loss = 0.5 * torch.sum((torch_outputs(arch, theta, X) - Y) ** 2) / n
        (grad,) = torch.autograd.grad(loss, theta)
        return float(loss.detach()), grad

    theta = torch.as_tensor(np.array(theta0, dtype=float), device=device)
    return objective, theta, lambda t: t.detach().cpu().numpy()
