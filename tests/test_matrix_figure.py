"""Figure 5's function through the figure contract (krtheory.experiments._figure) on a reduced
grid: its files, the CSV's columns and problem files, and the data behind the picture."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

from krtheory.experiments import matrix_completion as fig5
from krtheory.experiments._figure import FigureContext, Scale
from krtheory.experiments.registry import figure_function


@pytest.fixture
def small_grid(monkeypatch):
    monkeypatch.setattr(fig5, "ALPHA2", (1e-2, 1e-6))
    monkeypatch.setattr(fig5, "WIDTHS", (10, 1e4, math.inf))
    monkeypatch.setattr(fig5, "LIMIT_C", (1e-3, 1.0, 100.0))


def test_figure5_writes_its_csv_data_and_picture(small_grid, tmp_path):
    pytest.importorskip("matplotlib")
    assert figure_function("5") is fig5.make
    result = fig5.make(FigureContext(out=tmp_path, scale=Scale.QUICK, seeds=2))
    names = {path.name for path in result.files}
    assert {"figure5.csv", "figure5.png", "figure5.svg"} <= names
    lines = [line for line in (tmp_path / "figure5.csv").read_text().splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    assert len(rows) == 2 * (2 * 2 + 4) and set(fig5.COLUMNS) <= set(rows[0])
    for row in rows:
        data = np.load(tmp_path / row["problem"])
        assert data["Y_star"].shape == (10, 10) and data["entries"].shape == (60, 2)
        observed = data["Y_star"][data["entries"][:, 0], data["entries"][:, 1]]
        assert np.array_equal(observed, data["values"])
    # the kernel-limit column changes no unobserved entry; the rich corner fits Y* closely
    kernel = [r for r in rows if r["k"] == "inf" and float(r["c"]) == fig5.KERNEL_C]
    assert all(float(r["rms_unobserved_change"]) < 1e-6 for r in kernel)
    rich = [r for r in rows if r["alpha2"] == "1e-06" and r["k"] == "10"]
    assert all(abs(float(r["excess_nuclear_norm"])) < 0.05 for r in rich)
    assert {c.quantity.split(" (")[0] for c in result.comparisons} >= {"transition alpha^2 k"}


def test_a_point_is_reproducible_from_its_row():
    point = {"problem": "", "seed": 1, "alpha2": 1e-4, "k": 500, "c": "", "max_seconds": 5}
    first, second = fig5.point_value(dict(point)), fig5.point_value(dict(point))
    assert first["excess_nuclear_norm"] == second["excess_nuclear_norm"]
