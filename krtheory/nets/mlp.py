"""Fully connected ReLU networks in numpy with exact gradients (§7, Appendix A).

A network of ``sizes = (d, n_1, ..., n_{L-1}, m)`` computes z_l = a_{l-1} W_l^T + b_l,
a_l = relu(z_l) (l < L), f = z_L. Its parameters live in one flat vector theta, layer by layer
(W_1, b_1, W_2, b_2, ...; the b_l only when ``bias``). The *unbiased* network of §7 (the trick of
Chizat and Bach, used for Figure 7) is f = g(theta_+) - g(theta_-) with two copies of the same
network started equal, so f(theta(0)) = 0 whatever the scale; for depth 2 this is exactly the
net whose hidden units are duplicated with opposite output signs. The loss is the squared loss
L(theta) = 1/(2N) sum_n |f(theta, x_n) - y_n|^2. relu'(0) is taken as 0.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from krtheory.errors import InvalidArgument


@dataclasses.dataclass(frozen=True)
class Architecture:
    """Layer widths ``(d, n_1, ..., m)``, whether the layers have biases, and whether the
    network is the unbiased difference of two copies."""

    sizes: tuple[int, ...]
    bias: bool = True
    unbiased: bool = False

    def __post_init__(self):
        sizes = tuple(self.sizes)
        if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1
                                 for n in sizes):
            raise InvalidArgument(f"Expected layer sizes (d, ..., m) of positive integers, at least "
                                  f"two, but got sizes={self.sizes!r}")
        object.__setattr__(self, "sizes", tuple(int(n) for n in sizes))

    @property
    def depth(self) -> int:
        """The number of weight layers L (the paper's D)."""
        return len(self.sizes) - 1

    def layer_shapes(self) -> list[tuple[tuple[int, int], tuple[int, ...] | None]]:
        """(shape of W_l, shape of b_l or None) for one copy."""
        return [((n_out, n_in), (n_out,) if self.bias else None)
                for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:])]

    @property
    def copy_size(self) -> int:
        return sum(w[0] * w[1] + (b[0] if b else 0) for w, b in self.layer_shapes())

    @property
    def n_parameters(self) -> int:
        return self.copy_size * (2 if self.unbiased else 1)

    @property
    def signs(self) -> np.ndarray:
        """The output sign of each copy: (1,) or (1, -1) for the unbiased network."""
        return np.array([1.0, -1.0]) if self.unbiased else np.array([1.0])

    def stacked(self, theta) -> list[tuple]:
        """[(W_l, b_l)] with a leading copy axis (views into ``theta``): W_l of shape
        (copies, n_l, n_{l-1}), b_l of shape (copies, n_l) or None."""
        if tuple(theta.shape) != (self.n_parameters,):
            raise InvalidArgument(f"Expected a parameter vector of length {self.n_parameters} but "
                                  f"got shape {tuple(theta.shape)}")
        rows = theta.reshape(len(self.signs), self.copy_size)
        layers, offset = [], 0
        for (w_shape, b_shape) in self.layer_shapes():
            size = w_shape[0] * w_shape[1]
            W = rows[:, offset:offset + size].reshape((len(self.signs),) + w_shape)
            offset += size
            b = None
            if b_shape:
                b = rows[:, offset:offset + b_shape[0]]
                offset += b_shape[0]
            layers.append((W, b))
        return layers

    def copies(self, theta) -> list[tuple[float, list]]:
        """[(sign, [(W_1, b_1), ...])] per copy -- views into ``theta``."""
        layers = self.stacked(theta)
        return [(float(sign), [(W[c], None if b is None else b[c]) for W, b in layers])
                for c, sign in enumerate(self.signs)]

    def pack(self, layers: list) -> np.ndarray:
        """The flat vector of one copy's [(W_l, b_l)], doubled for the unbiased network."""
        one = np.concatenate([np.concatenate([np.ravel(W)] + ([np.ravel(b)] if self.bias else []))
                              for W, b in layers])
        if one.shape != (self.copy_size,):
            raise InvalidArgument(f"Expected layers of shapes {self.layer_shapes()} but the packed "
                                  f"copy has {one.size} entries")
        return np.concatenate([one, one]) if self.unbiased else one


def uniform_he(arch: Architecture, alpha: float, rng: np.random.Generator) -> np.ndarray:
    """"Uniform He initialization multiplied by alpha" (Appendix A): W_l ~ U[-s, s] with
    s = sqrt(6 / fan_in), biases 0, all times ``alpha``."""
    layers = []
    for (n_out, n_in), b_shape in arch.layer_shapes():
        bound = np.sqrt(6.0 / n_in)
        layers.append((alpha * rng.uniform(-bound, bound, (n_out, n_in)),
                       np.zeros(b_shape) if b_shape else None))
    return arch.pack(layers)


def _check_inputs(arch: Architecture, X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != arch.sizes[0]:
        raise InvalidArgument(f"Expected inputs of shape (N, {arch.sizes[0]}) but got {X.shape}")
    return X


def _forward(layers, X):
    """The pre-activations z_l and activations a_l of the stacked copies (a_0 = X), each of
    shape (copies, N, n_l)."""
    activations, pre = [np.broadcast_to(X, (layers[0][0].shape[0],) + X.shape)], []
    for index, (W, b) in enumerate(layers):
        z = activations[-1] @ W.transpose(0, 2, 1)
        if b is not None:
            z = z + b[:, None, :]
        pre.append(z)
        if index < len(layers) - 1:
            activations.append(np.maximum(z, 0.0))
    return pre, activations


def outputs(arch: Architecture, theta, X) -> np.ndarray:
    """f(theta, X): shape (N, m)."""
    X = _check_inputs(arch, X)
    pre, _ = _forward(arch.stacked(np.asarray(theta, dtype=float)), X)
    return np.tensordot(arch.signs, pre[-1], axes=1)


def _backward(arch, layers, pre, activations, delta, per_sample: bool) -> np.ndarray:
    """The gradient of sum_n <delta_n, z_L(x_n)> w.r.t. the stacked (W_l, b_l), from the output
    back (delta: (copies, N, m), signs included), flattened in theta's layout; ``per_sample``
    keeps the sample axis (the Jacobian rows: shape (N, P))."""
    grads = []
    for index in range(len(layers) - 1, -1, -1):
        W, b = layers[index]
        a = activations[index]
        if per_sample:
            gW = np.einsum("cni,cnj->ncij", delta, a)
            gb = delta.transpose(1, 0, 2)
        else:
            gW = delta.transpose(0, 2, 1) @ a
            gb = delta.sum(axis=1)
        grads.append((gW, gb if b is not None else None))
        if index:
            delta = (delta @ W) * (pre[index - 1] > 0)
    copies = len(arch.signs)
    leading = (len(delta[0]), copies) if per_sample else (copies,)
    parts = []
    for gW, gb in grads[::-1]:
        parts.append(gW.reshape(leading + (-1,)))
        if gb is not None:
            parts.append(gb.reshape(leading + (-1,)))
    flat = np.concatenate(parts, axis=-1)
    return flat.reshape(leading[:-1] + (-1,))


def loss_and_gradient(arch: Architecture, theta, X, Y) -> tuple[float, np.ndarray]:
    """L(theta) = 1/(2N) sum_n |f(x_n) - y_n|^2 and its exact gradient (backpropagation)."""
    X = _check_inputs(arch, X)
    Y = np.asarray(Y, dtype=float).reshape(len(X), -1)
    layers = arch.stacked(np.asarray(theta, dtype=float))
    pre, acts = _forward(layers, X)
    residual = np.tensordot(arch.signs, pre[-1], axes=1) - Y
    delta = arch.signs[:, None, None] * residual[None] / len(X)
    return float(0.5 * np.sum(residual ** 2) / len(X)), _backward(arch, layers, pre, acts, delta, False)


def jacobian(arch: Architecture, theta, X) -> np.ndarray:
    """The exact Jacobian d f(theta, x_n) / d theta of a scalar-output network: (N, P)."""
    if arch.sizes[-1] != 1:
        raise InvalidArgument(f"the Jacobian is for scalar outputs; this network has "
                              f"{arch.sizes[-1]} outputs")
    X = _check_inputs(arch, X)
    layers = arch.stacked(np.asarray(theta, dtype=float))
    pre, acts = _forward(layers, X)
    delta = np.broadcast_to(arch.signs[:, None, None], (len(arch.signs), len(X), 1))
    return _backward(arch, layers, pre, acts, delta, True)


def activation_patterns(arch: Architecture, theta, X) -> np.ndarray:
    """The boolean pattern 1[z_l > 0] of every hidden unit of every copy on every input:
    shape (N, number of hidden units)."""
    X = _check_inputs(arch, X)
    pre, _ = _forward(arch.stacked(np.asarray(theta, dtype=float)), X)
    parts = [np.concatenate(list(z > 0), axis=1) for z in pre[:-1]]
    return np.concatenate(parts, axis=1) if parts else np.zeros((len(X), 0), dtype=bool)
