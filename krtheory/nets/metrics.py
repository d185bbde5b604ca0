"""Laziness metrics: how far training moved a network from its initialization (§7, Fig. 6b).

All are 0 when nothing moved: the cosine "grad distance" 1 - <J_0, J_T>_F / (|J_0|_F |J_T|_F)
between the tangent feature maps (Jacobians on the same inputs) at init and at the end, the
relative parameter movement |theta - theta_0| / |theta_0|, the kernel distance
1 - <K_T, K_0>_F / (|K_T|_F |K_0|_F), and the Hamming distance of the activation patterns (the
fraction of (input, unit) pairs whose ReLU switched).
"""

from __future__ import annotations

import numpy as np

from krtheory.errors import InvalidArgument


def _pair(a, b, name: str):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise InvalidArgument(f"{name}: shapes {a.shape} and {b.shape} differ")
    return a, b


def cosine_distance(a, b, name: str = "cosine distance") -> float:
    """1 - <a, b>_F / (|a|_F |b|_F)."""
    a, b = _pair(a, b, name)
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    if norms == 0:
        raise InvalidArgument(f"{name}: a zero array has no direction")
    return float(1.0 - np.sum(a * b) / norms)


def grad_distance(J0, J1) -> float:
    """Cosine distance between the tangent feature maps at init and at the end (Fig. 6b)."""
    return cosine_distance(J0, J1, "grad distance")


def kernel_distance(K0, K1) -> float:
    """1 - <K_1, K_0>_F / (|K_1|_F |K_0|_F)."""
    return cosine_distance(K0, K1, "kernel distance")


def parameter_movement(theta0, theta) -> float:
    """|theta - theta_0| / |theta_0|."""
    theta0, theta = _pair(theta0, theta, "parameter movement")
    return float(np.linalg.norm(theta - theta0) / np.linalg.norm(theta0))


def hamming_distance(patterns0, patterns1) -> float:
    """Fraction of entries where two boolean activation patterns differ."""
    p0, p1 = np.asarray(patterns0, dtype=bool), np.asarray(patterns1, dtype=bool)
    if p0.shape != p1.shape:
        raise InvalidArgument(f"hamming distance: shapes {p0.shape} and {p1.shape} differ")
    return float(np.mean(p0 != p1)) if p0.size else 0.0
