"""``krtheory figure NAME`` -> the function that makes it (``module:function``, imported on use,
so listing the figures imports nothing heavy)."""

from __future__ import annotations

import importlib
from typing import Callable

#: figure name -> "module:function" (the function takes a FigureContext, returns a FigureResult).
FIGURES: dict[str, str] = {
    "6a": "krtheory.experiments.relu:figure6a",
    "6b": "krtheory.experiments.relu:figure6b",
    "6c": "krtheory.experiments.relu:figure6c",
    "7": "krtheory.experiments.relu:figure7",
}


def figure_function(name: str) -> Callable:
    module, function = FIGURES[name].split(":")
    return getattr(importlib.import_module(module), function)
