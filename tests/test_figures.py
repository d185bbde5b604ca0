"""krtheory figure at tiny sizes (files, columns, problems, the paper's values printed) and its
bad input; krtheory sweep's grids."""

import csv
from pathlib import Path

import numpy as np
import pytest

from krtheory.cli import main
from krtheory.experiments import potentials, sparse_regression

pytest.importorskip("matplotlib")


@pytest.fixture
def tiny(monkeypatch):
    """Figure sizes a test can afford (points run in this process: --workers 1)."""
    for name, value in (("DIMENSION", 60), ("ALPHA_N", 20)):
        monkeypatch.setattr(sparse_regression, name, value)
    monkeypatch.setitem(sparse_regression.ALPHA_COUNTS, "quick", 4)
    monkeypatch.setitem(sparse_regression.THRESHOLD_N, "quick", (25, 40))
    monkeypatch.setitem(sparse_regression.L1_N, "quick", (15, 25, 40))
    monkeypatch.setitem(sparse_regression.THRESHOLD_SEEDS, "quick", 2)
    monkeypatch.setattr(sparse_regression, "DEPTHS_3C", (2, 3))
    monkeypatch.setattr(sparse_regression, "SCAN_STEP", 1.0)
    monkeypatch.setattr(sparse_regression, "BISECTIONS", 2)
    monkeypatch.setitem(potentials.POINTS, "quick", 5)
    monkeypatch.setitem(potentials.X_STEPS, "quick", 1)
    monkeypatch.setattr(potentials, "DEPTHS_3A", (2, 3))


def rows_of(path):
    lines = [line for line in Path(path).read_text().splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines))


def test_every_figure_writes_its_picture_csv_and_problems(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["figure", "all", "--quick", "--out", str(out), "--workers", "1"]) == 0
    printed = capsys.readouterr().out
    for stem in ("fig1a", "fig1b", "fig1c", "fig2", "fig3a", "fig3b", "fig3c"):
        assert (out / f"{stem}.png").stat().st_size > 1000 and (out / f"{stem}.svg").is_file()
        assert rows_of(out / f"{stem}.csv")
    fig1a = rows_of(out / "fig1a.csv")
    assert {"problem", "seed", "alpha", "population_error", "population_risk", "backend"} <= set(fig1a[0])
    assert len(fig1a) == 4 * 3  # 4 alphas, 3 seeds at --quick
    for row in fig1a + rows_of(out / "fig1c.csv") + rows_of(out / "fig1c_l1.csv"):
        with np.load(out / row["problem"]) as data:
            assert {"X", "y", "beta_star"} <= set(data.files)
            assert data["X"].shape[1] == 60 and data["X"].shape[0] >= int(row.get("n") or 20)
    # the population error of a row is recomputable from its problem file
    row = fig1a[0]
    with np.load(out / row["problem"]) as data:
        X, y, beta_star = data["X"], data["y"], data["beta_star"]
    from krtheory.experiments.sparse_regression import diagonal_path as DiagonalPath
    beta = DiagonalPath(X, y, 2).solve(float(row["alpha"])).beta
    assert float(row["population_error"]) == pytest.approx(float(np.sum((beta - beta_star) ** 2)), rel=1e-9)
    assert "WITHOUT the noise" in (out / "fig1a.csv").read_text()
    for expected in ("~0.065", "~50 (dashed line)", "57.4, 16.4", "~0.68"):
        assert expected in printed
    # a second run resumes every sweep from its journal: same tables
    before = (out / "fig1c.csv").read_text()
    assert main(["figure", "1c", "--quick", "--out", str(out), "--workers", "1"]) == 0
    assert (out / "fig1c.csv").read_text() == before


@pytest.mark.parametrize("argv, message", [
    (["figure", "9z"], "unknown figure '9z'"),
    (["figure", "2", "--quick", "--paper"], "not allowed with argument"),
    (["figure", "2", "--seeds", "0"], "--seeds must be a positive integer"),
    (["figure", "2", "--workers", "x"], "--workers must be a positive integer"),
])
def test_bad_figure_command_lines_are_one_line_errors(argv, message, tmp_path, capsys):
    assert main(argv + ["--out", str(tmp_path / "o")]) == 3
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


def test_an_out_that_is_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert main(["figure", "2", "--out", str(target)]) == 3
    assert "exists and is not a directory" in capsys.readouterr().err
    assert target.read_text() == "x"


def test_sweep_command_runs_a_grid_and_resumes(tmp_path, capsys):
    out = tmp_path / "s.csv"
    argv = ["sweep", "--experiment", "sparse-regression", "--alpha", "log:0.01:1:3", "--n", "10,20", "--d", "40",
            "--seeds", "2", "--out", str(out), "--workers", "1"]
    assert main(argv) == 0
    rows = rows_of(out)
    assert len(rows) == 3 * 2 * 2
    assert [(r["n"], r["seed"]) for r in rows[:4]] == [("10", "0"), ("10", "0"), ("10", "0"), ("10", "1")]
    assert float(rows[2]["alpha"]) == pytest.approx(1.0) and rows[0]["sweep_status"] == "ok"
    assert main(argv) == 0
    assert "12 from its journal" in capsys.readouterr().out


@pytest.mark.parametrize("extra, message", [
    (["--alpha", "0.1:0.01:1"], "--alpha '0.1:0.01:1'"),
    (["--alpha", "log:0:1:3"], "--alpha 'log:0:1:3'"),
    (["--alpha", "0.1", "--n", "2.5"], "must be integers"),
    (["--alpha", "0.1", "--n", "2000"], "below --d"),
    (["--alpha", "-1"], "positive"),
    (["--n", "10"], "--alpha is required"),
])
def test_bad_sweep_grids_are_refused(extra, message, tmp_path, capsys):
    argv = ["sweep", "--experiment", "sparse-regression", "--out", str(tmp_path / "s.csv")] + extra
    assert main(argv) == 3
    assert message in capsys.readouterr().err
    assert not (tmp_path / "s.csv").exists()


def test_sweep_out_must_be_a_writable_csv(tmp_path, capsys):
    for out, message in ((tmp_path / "s.txt", "must be a .csv"), (tmp_path / "missing" / "s.csv", "does not exist")):
        assert main(["sweep", "--experiment", "l1-error", "--n", "5", "--d", "10", "--out", str(out)]) == 3
        assert message in capsys.readouterr().err


def test_the_claims_verdict_follows_the_share_of_agreeing_seeds():
    from krtheory.claims import Status
    from proofs_checks.sparse_regression_figures import verdict

    holds = verdict([0.5] * 6, "x", {})
    assert holds.status is Status.HOLDS
    assert holds.evidence["share_interval"][0] == pytest.approx(0.025 ** (1 / 6))  # Clopper-Pearson, 6 of 6
    assert verdict([-0.5] * 6, "x", {}).status is Status.REFUTED
    assert verdict([0.5, 0.5, -0.1, 0.5, 0.5, 0.5], "x", {}).status is Status.INCONCLUSIVE
    assert verdict([0.0] * 6, "x", {}).status is Status.REFUTED  # ties count against
