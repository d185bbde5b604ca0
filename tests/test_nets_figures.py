"""Figures 6 and 7 at toy size: the files of the figure contract (CSV with seeds and a
``problem`` column, data/*.npz, PNG + SVG), Figure 7's curves as ``panel,alpha,x,f``, the
MNIST route through ``options['mnist_dir']``, and the reference splines."""

import csv

import numpy as np
import pytest

from krtheory.errors import InvalidArgument
from krtheory.experiments import relu
from krtheory.experiments._figure import FigureContext, Scale
from krtheory.experiments.registry import FIGURES, figure_function
from tests.test_nets_idx import write_mnist

pytest.importorskip("matplotlib")


def _rows(path):
    with open(path) as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def test_registry_names_the_four_figures():
    assert {"6a", "6b", "6c", "7"} <= set(FIGURES)
    assert figure_function("7") is relu.figure7


def test_splines_interpolate_and_differ():
    reference = relu.splines(relu.FIG7_X)
    np.testing.assert_allclose(reference["linear"], relu.FIG7_Y, atol=1e-15)
    np.testing.assert_allclose(reference["cubic"], relu.FIG7_Y, atol=1e-12)
    assert relu.sup_distance(*relu.splines().values()) > 0.1


def test_figure7_files(tmp_path, monkeypatch):
    monkeypatch.setitem(relu.FIG7_SIZES, Scale.QUICK, (12, 300))
    monkeypatch.setattr(relu, "FIG7_ALPHAS", (1e-2, 10.0))
    result = relu.figure7(FigureContext(out=tmp_path, scale=Scale.QUICK))
    names = {p.name for p in result.files}
    assert {"figure7.csv", "figure7_summary.csv", "figure7.png", "figure7.svg"} <= names
    curves = _rows(tmp_path / "figure7.csv")
    assert list(curves[0])[:4] == ["panel", "alpha", "x", "f"]
    assert {r["panel"] for r in curves} <= {"a", "b", "c"}
    summary = _rows(tmp_path / "figure7_summary.csv")
    assert len(summary) == 6 and all(r["seed"] == "0" and r["problem"] == "data/figure7.npz" for r in summary)
    data = np.load(tmp_path / "data" / "figure7.npz")
    np.testing.assert_array_equal(data["y"], relu.FIG7_Y)
    assert any("not converged" in c.ours or c.ours for c in result.comparisons)


def test_figure6ab_share_one_sweep(tmp_path, monkeypatch):
    monkeypatch.setitem(relu.FIG6_SCALES, Scale.QUICK, ((1.0,), 1, (1e-1, 200)))
    monkeypatch.setattr(relu, "FIG6_DEPTHS", (2,))
    a = relu.figure6a(FigureContext(out=tmp_path, scale=Scale.QUICK))
    b = relu.figure6b(FigureContext(out=tmp_path, scale=Scale.QUICK))
    assert (tmp_path / "figure6a.png").exists() and (tmp_path / "figure6b.svg").exists()
    rows = _rows(tmp_path / "figure6.csv")
    assert rows[0]["problem"] == "data/figure6_seed0.npz" and rows[0]["seed"] == "0"
    assert a.name == "6a" and b.name == "6b"


def test_figure6c_reads_mnist_from_options(tmp_path, monkeypatch):
    mnist = tmp_path / "mnist"
    mnist.mkdir()
    write_mnist(mnist, n_train=30, n_test=10, rows=3, cols=3)
    monkeypatch.setitem(relu.FIG6C_SIZES, Scale.QUICK, (8, 30, 20))
    monkeypatch.setattr(relu, "FIG6C_ALPHAS", (1.0,))
    out = tmp_path / "out"
    relu.figure6c(FigureContext(out=out, scale=Scale.QUICK, options={"mnist_dir": str(mnist)}))
    rows = _rows(out / "figure6c.csv")
    assert rows[0]["dataset"] == "mnist" and 0 <= float(rows[0]["last_layer_error"]) <= 1
    assert rows[0]["problem"] == f"mnist:{mnist}" and rows[0]["seed"] == "0"
    (mnist / "t10k-images-idx3-ubyte").write_bytes(b"\x00\x00\x08")
    with pytest.raises(InvalidArgument, match="t10k-images-idx3-ubyte: truncated IDX header"):
        relu.figure6c(FigureContext(out=tmp_path / "out2", scale=Scale.QUICK, options={"mnist_dir": str(mnist)}))


def test_figure6c_on_the_bundled_digits(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.setitem(relu.FIG6C_SIZES, Scale.QUICK, (8, 50, 30))
    monkeypatch.setattr(relu, "FIG6C_ALPHAS", (1.0,))
    result = relu.figure6c(FigureContext(out=tmp_path, scale=Scale.QUICK))
    rows = _rows(tmp_path / "figure6c.csv")
    assert rows[0]["dataset"] == "digits8x8" and rows[0]["problem"] == "data/figure6c_seed0.npz"
    data = np.load(tmp_path / "data" / "figure6c_seed0.npz")
    assert data["X_train"].shape == (50, 64) and len(data["y_test"]) == 1797 - 50
    assert result.name == "6c" and (tmp_path / "figure6c.png").exists()
