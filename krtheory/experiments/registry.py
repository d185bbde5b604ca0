"""``krtheory figure NAME`` -> the function that makes it (``module:function``, imported on use,
so listing the figures imports nothing heavy)."""

from __future__ import annotations

import importlib
from typing import Callable

#: figure name -> "module:function" (the function takes a FigureContext, returns a FigureResult).
FIGURES: dict[str, str] = {
    "5": "krtheory.experiments.matrix_completion:make",
}


def figure_function(name: str) -> Callable:
    module, function = FIGURES[name].split(":")
    return getattr(importlib.import_module(module), function)
