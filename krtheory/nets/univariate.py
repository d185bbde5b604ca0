"""The univariate two-layer ReLU net of §7.1 / Figure 7: f(x) = w_2 relu(w_1 x + b_1) + b_2,
width k, unbiased (two copies, f(theta(0)) = 0), started at alpha * w_0.

The standard w_0 (panel a) has w_1, b_1 ~ N(0, 1) and w_2 ~ N(0, 2/k) (standard deviation
sqrt(2/k), He's scale for fan-in k), b_2 = 0. Panels (b) and (c) rescale the layers without
changing the output: (k^-e w_1, k^-e b_1, k^e w_2) with e = 0.5 and 0.25 (ReLU is positively
homogeneous). The infinite-width tangent kernel of each panel is a panel-dependent mix of the
output-layer and first-layer kernels (:func:`layer_weights`): the output layer dominates (a) by a
factor k, the first layer dominates (b) by a factor k, and (c) weighs them equally.
"""

from __future__ import annotations

import numpy as np

from krtheory.errors import InvalidArgument
from krtheory.nets.kernels import input_layer_kernel, output_layer_kernel
from krtheory.nets.mlp import Architecture

#: the layer-scaling exponent e of each panel of Figure 7
PANEL_EXPONENTS = {"a": 0.0, "b": 0.5, "c": 0.25}


def architecture(width: int) -> Architecture:
    return Architecture((1, width, 1), bias=True, unbiased=True)


def _exponent(panel: str) -> float:
    if panel not in PANEL_EXPONENTS:
        raise InvalidArgument(f"Expected panel a, b or c but got panel={panel!r}")
    return PANEL_EXPONENTS[panel]


def initialize(width: int, alpha: float, panel: str, rng: np.random.Generator) -> np.ndarray:
    """alpha * w_0 for the panel's layer scaling (both copies equal)."""
    e = _exponent(panel)
    first = width ** -e
    w1 = first * rng.standard_normal((width, 1))
    b1 = first * rng.standard_normal(width)
    w2 = width ** e * np.sqrt(2.0 / width) * rng.standard_normal((1, width))
    layers = [(alpha * w1, alpha * b1), (alpha * w2, np.zeros(1))]
    return architecture(width).pack(layers)


def layer_weights(width: int, alpha: float, panel: str) -> tuple[float, float, float]:
    """The infinite-width tangent kernel of the unbiased net at alpha * w_0 is
    c_out K_out + c_in K_in + c_b with K_out, K_in the unit-Gaussian kernels of
    :mod:`krtheory.nets.kernels` (two copies): c_out = 2 k (alpha k^-e)^2 (sum over units of
    relu^2 of first-layer weights of variance (alpha k^-e)^2), c_in = 2 k E a^2 with
    E a^2 = (alpha k^e)^2 2/k, and c_b = 2 from b_2."""
    e = _exponent(panel)
    return (2 * width * (alpha * width ** -e) ** 2, 2 * width * (alpha * width ** e) ** 2 * 2 / width, 2.0)


def infinite_width_kernel(x1, x2, width: int, alpha: float, panel: str,
                          layers: str = "all") -> np.ndarray:
    """The mean tangent kernel of the panel's init as the number of units grows (at fixed
    scaling constants): ``layers`` 'all', 'output' (only w_2 trains) or 'input' (w_1, b_1)."""
    c_out, c_in, c_b = layer_weights(width, alpha, panel)
    parts = {"output": c_out * output_layer_kernel(x1, x2),
             "input": c_in * input_layer_kernel(x1, x2)}
    if layers == "all":
        return parts["output"] + parts["input"] + c_b
    if layers in parts:
        return parts[layers]
    raise InvalidArgument(f"Expected layers 'all', 'output' or 'input' but got layers={layers!r}")
