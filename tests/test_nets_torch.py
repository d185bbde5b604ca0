"""The torch backend: gradients equal numpy's exact ones and autograd's, GD runs the same
iterates; without torch, the backend says which extra to install (these tests skip cleanly)."""

import sys

import numpy as np
import pytest

from krtheory.errors import MissingExtra
from krtheory.nets import mlp, train, univariate


def test_missing_torch_names_the_nn_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now raises ImportError
    with pytest.raises(MissingExtra, match=r"torch is not installed: pip install 'krtheory\[nn\]'"):
        train.gradient_descent(univariate.architecture(3), np.zeros(14), np.zeros((2, 1)), np.zeros(2),
                               lr=0.1, target=1e-3, max_steps=2, backend="torch")


@pytest.mark.parametrize("arch", [mlp.Architecture((2, 5, 4, 1)), mlp.Architecture((3, 6, 2), unbiased=True),
                                  mlp.Architecture((2, 4, 4, 1), bias=False)], ids=str)
def test_numpy_gradient_equals_torch_autograd(arch):
    torch = pytest.importorskip("torch")
    from krtheory.nets.torch_backend import torch_objective

    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((7, arch.sizes[0])), rng.standard_normal((7, arch.sizes[-1]))
    theta = rng.standard_normal(arch.n_parameters)
    loss, grad = mlp.loss_and_gradient(arch, theta, X, Y)
    objective, theta_t, to_numpy = torch_objective(arch, X, Y, theta, "cpu")
    loss_t, grad_t = objective(theta_t)
    assert theta_t.dtype == torch.float64
    assert loss_t == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(to_numpy(grad_t), grad, rtol=1e-11, atol=1e-14)


def test_torch_gradient_descent_runs_the_numpy_iterates():
    pytest.importorskip("torch")
    arch = univariate.architecture(15)
    theta0 = univariate.initialize(15, 1.0, "c", np.random.default_rng(1))
    X, Y = np.linspace(-1, 1, 5)[:, None], np.array([0, 1, 0, 1, 0.0])
    runs = [train.gradient_descent(arch, theta0, X, Y, lr=0.05, target=3e-3, max_steps=50000, backend=b,
                                   device="cpu") for b in ("numpy", "torch")]
    assert runs[0].steps == runs[1].steps
    np.testing.assert_allclose(runs[1].theta, runs[0].theta, rtol=1e-9, atol=1e-12)
