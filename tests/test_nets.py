"""ReLU networks: exact gradients and Jacobians against central finite differences, the
tangent kernel against the analytic univariate Jacobian, the closed-form infinite-width kernels
against 1-D quadrature and a Monte-Carlo wide net, exact kernel interpolation, GD against the
flow, the kernel regime at large scale, and the laziness metrics."""

import numpy as np
import pytest
from scipy.integrate import quad

from krtheory.errors import InvalidArgument, NoConvergence, NotApplicable
from krtheory.nets import kernels, metrics, mlp, train, univariate

X9 = np.linspace(-np.sqrt(3), np.sqrt(3), 9)[:, None]
Y9 = np.array([0, 0, 0, 1, 1, 1, 0, 0, 0.0])


def _random_theta(arch, seed=0):
    """A generic point: both copies of an unbiased net differ, no pre-activation near a kink."""
    return np.random.default_rng(seed).standard_normal(arch.n_parameters)


def _far_from_kinks(arch, theta, X, margin=1e-3):
    pre, _ = mlp._forward(arch.stacked(theta), X)
    assert all(np.abs(z).min() > margin for z in pre[:-1])


def _finite_difference(fn, theta, h=1e-6):
    columns = []
    for i in range(theta.size):
        e = np.zeros_like(theta)
        e[i] = h
        columns.append((fn(theta + e) - fn(theta - e)) / (2 * h))
    return np.stack(columns, axis=-1)


ARCHS = [mlp.Architecture((2, 4, 3, 1)), mlp.Architecture((2, 5, 1), unbiased=True),
         mlp.Architecture((3, 4, 4, 2), bias=False), mlp.Architecture((1, 3, 1), unbiased=True)]


@pytest.mark.parametrize("arch", ARCHS, ids=str)
def test_loss_gradient_matches_finite_differences(arch):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((6, arch.sizes[0]))
    Y = rng.standard_normal((6, arch.sizes[-1]))
    theta = _random_theta(arch)
    _far_from_kinks(arch, theta, X)
    _, grad = mlp.loss_and_gradient(arch, theta, X, Y)
    numeric = _finite_difference(lambda t: np.array(mlp.loss_and_gradient(arch, t, X, Y)[0]), theta)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("arch", [a for a in ARCHS if a.sizes[-1] == 1], ids=str)
def test_jacobian_matches_finite_differences(arch):
    X = np.random.default_rng(2).standard_normal((5, arch.sizes[0]))
    theta = _random_theta(arch, 3)
    _far_from_kinks(arch, theta, X)
    numeric = _finite_difference(lambda t: mlp.outputs(arch, t, X)[:, 0], theta)
    np.testing.assert_allclose(mlp.jacobian(arch, theta, X), numeric, rtol=1e-6, atol=1e-8)


def test_unbiased_net_is_zero_at_init_and_uniform_he_bounds():
    arch = mlp.Architecture((2, 30, 30, 1), bias=False, unbiased=True)
    theta = mlp.uniform_he(arch, 2.5, np.random.default_rng(0))
    X = np.random.default_rng(1).standard_normal((7, 2))
    assert np.all(mlp.outputs(arch, theta, X) == 0)
    (_, first), _ = arch.copies(theta)
    W1, W2 = first[0][0], first[1][0]
    assert np.abs(W1).max() <= 2.5 * np.sqrt(6 / 2) and np.abs(W2).max() <= 2.5 * np.sqrt(6 / 30)
    # U[-s, s] has variance s^2/3 = 2/fan_in (He); 900 draws: within 15%
    assert np.var(W2) == pytest.approx(2.5 ** 2 * 2 / 30, rel=0.15)


def test_tangent_kernel_matches_the_analytic_univariate_jacobian():
    """df/da_j = relu(w_j x + b_j), df/dw_j = a_j 1[.] x, df/db_j = a_j 1[.], df/db_2 = 1, for
    each copy (the second with the opposite sign): K = sum over both copies."""
    k = 7
    arch = univariate.architecture(k)
    theta = _random_theta(arch, 4)
    x = np.array([-1.3, -0.2, 0.4, 1.1])
    K = np.zeros((4, 4))
    for _, layers in arch.copies(theta):
        (w, b), (a, _) = layers
        w, a = w[:, 0], a[0]
        z = np.outer(x, w) + b
        on = (z > 0).astype(float)
        feats = np.hstack([a * on * x[:, None], a * on, np.maximum(z, 0), np.ones((4, 1))])
        K += feats @ feats.T
    np.testing.assert_allclose(kernels.tangent_kernel(arch, theta, x[:, None]), K, rtol=1e-12)


def _quadrature_kernels(x, xp, sw, sb):
    """E over (w, b) ~ N(0, diag(sw^2, sb^2)) by polar coordinates: the radius integrates in
    closed form (E r^2 = 2 for relu * relu, E r^0 = 1 for the indicators), the angle by quad."""
    def relu(t):
        return max(t, 0.0)

    def on(t):
        return float(t > 0)

    def mean(fn):
        breaks = [p for p in np.linspace(0, 2 * np.pi, 9)]
        return sum(quad(fn, lo, hi, limit=200, epsabs=1e-13)[0] for lo, hi in zip(breaks[:-1], breaks[1:])) / (2 * np.pi)

    def u(p, z):
        return sw * z * np.cos(p) + sb * np.sin(p)

    out = 2 * mean(lambda p: relu(u(p, x)) * relu(u(p, xp)))
    inn = mean(lambda p: on(u(p, x)) * on(u(p, xp))) * (x * xp + 1)
    return out, inn


@pytest.mark.parametrize("sw, sb", [(1.0, 1.0), (0.5, 2.0)])
def test_closed_form_kernels_match_quadrature(sw, sb):
    xs = np.array([-1.7, -0.3, 0.0, 0.9])
    Kout = kernels.output_layer_kernel(xs, xs, sw, sb)
    Kin = kernels.input_layer_kernel(xs, xs, sw, sb)
    for i, x in enumerate(xs):
        for j, xp in enumerate(xs):
            out, inn = _quadrature_kernels(x, xp, sw, sb)
            assert Kout[i, j] == pytest.approx(out, rel=1e-7, abs=1e-10)
            assert Kin[i, j] == pytest.approx(inn, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("panel", ["a", "b", "c"])
def test_infinite_width_kernel_matches_a_monte_carlo_wide_net(panel):
    """The empirical kernel of one wide init is a mean over 2k i.i.d. unit terms; it must lie
    within 5 standard errors (estimated from the same units) of the closed form."""
    k = 40000
    x = np.array([-1.5, -0.4, 0.3, 1.2])
    arch = univariate.architecture(k)
    theta = univariate.initialize(k, 1.3, panel, np.random.default_rng(7))
    J = mlp.jacobian(arch, theta, x[:, None])
    K = J @ J.T
    expected = univariate.infinite_width_kernel(x, x, k, 1.3, panel)
    # per-unit contributions (first copy's w, b, a features of unit j), for the standard error
    (_, layers), _ = arch.copies(theta)
    (w, b), (a, _) = layers
    z = np.outer(x, w[:, 0]) + b
    on = (z > 0)
    terms = (np.maximum(z, 0)[:, None, :] * np.maximum(z, 0)[None, :, :]
             + (a[0] ** 2) * (on[:, None, :] & on[None, :, :]) * (np.outer(x, x) + 1)[:, :, None])
    standard_error = 2 * np.sqrt(k * terms.var(axis=2))
    assert np.all(np.abs(K - expected) <= 5 * standard_error + 1e-9), (K - expected) / standard_error


def test_kernel_predictor_interpolates_the_training_data():
    arch = univariate.architecture(50)
    theta = univariate.initialize(50, 1.0, "a", np.random.default_rng(0))
    np.testing.assert_allclose(kernels.kernel_predictor(arch, theta, X9, Y9, X9), Y9, atol=1e-9)


def test_kernel_interpolation_refuses_a_singular_gram_matrix():
    with pytest.raises(NotApplicable, match="singular"):
        kernels.interpolate(np.ones((3, 3)), np.ones((2, 3)), np.ones(3))


def test_large_scale_training_reaches_the_kernel_predictor_of_its_init():
    """Kernel regime (§3): at alpha = 100 the trained net is the kernel interpolant of its own
    tangent kernel at init, far closer than at alpha = 3."""
    k, grid = 60, np.linspace(-1.7, 1.7, 101)[:, None]
    arch = univariate.architecture(k)
    gaps = []
    for alpha in (3.0, 100.0):
        theta0 = univariate.initialize(k, alpha, "c", np.random.default_rng(0))
        lam = np.linalg.eigvalsh(kernels.tangent_kernel(arch, theta0, X9))[-1] / 9
        result = train.gradient_descent(arch, theta0, X9, Y9, lr=0.5 / lam, target=1e-10, max_steps=100000)
        f = mlp.outputs(arch, result.theta, grid)[:, 0]
        gaps.append(np.abs(f - kernels.kernel_predictor(arch, theta0, X9, Y9, grid)).max())
    assert gaps[1] < 1e-2 and gaps[1] < gaps[0] / 10, gaps


def test_gradient_descent_approaches_the_flow_as_the_step_shrinks():
    """GD with step lr is Euler's method for the flow (eq. 1): at the flow time the flow needs
    to halve the loss, its parameters differ from the flow's by O(lr)."""
    arch = mlp.Architecture((1, 6, 1), unbiased=True)
    theta0 = univariate.initialize(6, 1.0, "a", np.random.default_rng(3))
    X, Y = X9[::2], Y9[::2]
    initial = mlp.loss_and_gradient(arch, theta0, X, Y)[0]
    flow = train.gradient_flow(arch, theta0, X, Y, target=initial / 2, t_max=1e4, rtol=1e-11, atol=1e-13)
    gaps = []
    for lr in (flow.time / 200, flow.time / 2000):
        theta = theta0.copy()
        for _ in range(int(round(flow.time / lr))):
            theta = theta - lr * mlp.loss_and_gradient(arch, theta, X, Y)[1]
        gaps.append(np.abs(theta - flow.theta).max())
    assert flow.loss == pytest.approx(initial / 2, rel=1e-6)
    assert gaps[1] < 1e-2 * np.abs(flow.theta - theta0).max() and 5 < gaps[0] / gaps[1] < 20, gaps


def test_training_reports_steps_and_raises_on_the_budget():
    arch = univariate.architecture(20)
    theta0 = univariate.initialize(20, 1.0, "c", np.random.default_rng(0))
    result = train.gradient_descent(arch, theta0, X9, Y9, lr=1e-2, target=1e-2, max_steps=100000)
    assert result.loss < 1e-2 and result.steps > 0
    assert mlp.loss_and_gradient(arch, result.theta, X9, Y9)[0] == result.loss
    with pytest.raises(NoConvergence, match="budget of 3 steps"):
        train.gradient_descent(arch, theta0, X9, Y9, lr=1e-3, target=1e-9, max_steps=3)
    with pytest.raises(NoConvergence, match="diverged"):
        train.gradient_descent(arch, theta0, X9, Y9, lr=1e3, target=1e-9, max_steps=1000)
    with pytest.raises(NoConvergence, match="t_max"):
        train.gradient_flow(arch, theta0, X9, Y9, target=1e-9, t_max=1e-3)


@pytest.mark.parametrize("call, match", [
    (lambda: mlp.Architecture((3,)), "at least two"),
    (lambda: mlp.Architecture((2, 0, 1)), "positive integers"),
    (lambda: mlp.outputs(mlp.Architecture((2, 3, 1)), np.zeros(5), np.zeros((1, 2))), "length 13"),
    (lambda: mlp.outputs(mlp.Architecture((2, 3, 1)), np.zeros(13), np.zeros((1, 3))), r"\(N, 2\)"),
    (lambda: mlp.jacobian(mlp.Architecture((2, 3, 2)), np.zeros(17), np.zeros((1, 2))), "scalar"),
    (lambda: train.gradient_descent(mlp.Architecture((1, 2, 1)), np.zeros(7), X9, Y9, lr=-1,
                                    target=1, max_steps=5), "lr > 0"),
    (lambda: train.gradient_descent(mlp.Architecture((1, 2, 1)), np.zeros(7), X9, Y9, lr=1,
                                    target=1, max_steps=5, backend="jax"), "backend"),
    (lambda: univariate.initialize(5, 1.0, "d", np.random.default_rng()), "panel"),
    (lambda: metrics.grad_distance(np.zeros(3), np.ones(3)), "zero array"),
    (lambda: metrics.kernel_distance(np.ones((2, 2)), np.ones((3, 3))), "shapes"),
])
def test_bad_input_is_one_clear_error(call, match):
    with pytest.raises(InvalidArgument, match=match):
        call()


def test_laziness_metrics_on_known_values():
    assert metrics.grad_distance(np.eye(3), 5 * np.eye(3)) == pytest.approx(0, abs=1e-15)
    assert metrics.grad_distance(np.array([1.0, 0]), np.array([0, 2.0])) == 1.0
    assert metrics.kernel_distance(np.array([[1.0, 1]]), np.array([[1.0, 0]])) == pytest.approx(1 - 1 / np.sqrt(2))
    assert metrics.parameter_movement(np.array([3.0, 4]), np.array([3.0, 5])) == pytest.approx(0.2)
    assert metrics.hamming_distance([[True, False], [True, True]], [[True, True], [False, True]]) == 0.5
