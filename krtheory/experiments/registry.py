"""``krtheory figure NAME`` -> the function that makes it (``module:function``, imported on use,
so listing the figures imports nothing heavy)."""

from __future__ import annotations

import importlib
from typing import Callable

#: figure name -> "module:function" (the function takes a FigureContext, returns a FigureResult).
FIGURES: dict[str, str] = {
    "1a": "krtheory.experiments.sparse_regression:fig1a",
    "1b": "krtheory.experiments.sparse_regression:fig1b",
    "1c": "krtheory.experiments.sparse_regression:fig1c",
    "2": "krtheory.experiments.potentials:fig2",
    "3a": "krtheory.experiments.potentials:fig3a",
    "3b": "krtheory.experiments.potentials:fig3b",
    "3c": "krtheory.experiments.sparse_regression:fig3c",
    "5": "krtheory.experiments.matrix_completion:make",
    "6a": "krtheory.experiments.relu:figure6a",
    "6b": "krtheory.experiments.relu:figure6b",
    "6c": "krtheory.experiments.relu:figure6c",
    "7": "krtheory.experiments.relu:figure7",
}

#: ``krtheory sweep --experiment NAME`` -> "module:function" of its point function, and the
#: point fields it takes (the grid options of the command).
EXPERIMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sparse-regression": ("krtheory.experiments.sparse_regression:alpha_point", ("d", "n", "depth", "seed", "alpha")),
    "largest-alpha": ("krtheory.experiments.sparse_regression:threshold_point", ("d", "n", "depth", "seed")),
    "l1-error": ("krtheory.experiments.sparse_regression:l1_point", ("d", "n", "seed")),
}


def _load(target: str) -> Callable:
    module, function = target.split(":")
    return getattr(importlib.import_module(module), function)


def figure_function(name: str) -> Callable:
    return _load(FIGURES[name])


def experiment_function(name: str) -> Callable:
    """The point function of a built-in experiment (for ``krtheory sweep``)."""
    return _load(EXPERIMENTS[name][0])
