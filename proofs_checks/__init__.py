"""One module per claim of the paper; importing this package registers them all.

Each module builds its :class:`krtheory.claims.Claim` values and passes them to
:func:`krtheory.claims.register`. Add a new module to ``MODULES`` below.
"""

import importlib

MODULES: tuple[str, ...] = (
    "diagonal_theorem1",
    "diagonal_not_explicit",
    "diagonal_limits",
    "diagonal_interpolator_limits",
    "diagonal_kernel",
    "wide_theorem4",
    "depth_theorem3",
    "depth_limits",
    "explicit_regularizer",
    "bounds_theorem2",
    "bounds_lemmas",
    "bounds_depth",
    "dual_trajectory",
    "proved_inequalities",
    "matrix_theorem5",
    "matrix_figure5",
    "sparse_regression_figures",
    "relu_figure7",
    "relu_figure6",
)

for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")
