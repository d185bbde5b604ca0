"""``krtheory flow --family matrix`` and ``krtheory solve --family nuclear``: JSON keys, results
against numpy closed forms, and adversarial input files (one line, exit 3, nothing written)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from krtheory.cli import main

ENTRIES = "0,0,1\n0,2,0.5\n# a comment\n\n1,1,-0.25\n1,2,2\n"
U0, V0 = "0.1,0.2\n-0.3,0.05\n", "0.2,-0.1\n0.15,0.3\n-0.2,0.1\n"


@pytest.fixture
def files(tmp_path):
    for name, text in (("e.csv", ENTRIES), ("U0.csv", U0), ("V0.csv", V0)):
        (tmp_path / name).write_text(text)
    return tmp_path


def _flow(files, *extra):
    return ["flow", "--family", "matrix", "--entries", str(files / "e.csv"), "--U0", str(files / "U0.csv"),
            "--V0", str(files / "V0.csv"), *extra]


def test_flow_json_has_the_public_keys_and_fits_the_entries(files, capsys):
    assert main(_flow(files, "--json")) == 0
    record = json.loads(capsys.readouterr().out)
    assert {"M", "loss", "time", "status", "error_estimate", "digits", "accuracy"} <= set(record)
    M = np.array([[float(v) for v in row] for row in record["M"]])
    assert M.shape == (2, 3) and record["status"] == "converged"
    for (i, j), v in {(0, 0): 1, (0, 2): 0.5, (1, 1): -0.25, (1, 2): 2}.items():
        assert abs(M[i, j] - v) <= float(record["error_estimate"])


def test_flow_dps_writes_the_requested_digits(files, tmp_path):
    out = tmp_path / "out.json"
    assert main(_flow(files, "--dps", "20", f"--json={out}", "--shape", "2x3")) == 0
    record = json.loads(out.read_text())
    assert len(record["M"]) == 2 and record["dps"] == 20 and record["digits"] >= 18


def test_sensing_measurements_file(files, capsys):
    mats = [{"X": [[1, 0, 0], [0, 0, 1]], "y": "1"}, {"X": [[0, 1, 0], [1, 0, 0]], "y": 0.5},
            {"X": [[0, 0, 1], [0, 1, 1]], "y": "-0.2"}]
    (files / "m.json").write_text(json.dumps(mats))
    argv = ["flow", "--family", "matrix", "--measurements", str(files / "m.json"), "--U0",
            str(files / "U0.csv"), "--V0", str(files / "V0.csv"), "--json"]
    assert main(argv) == 0
    M = np.array([[float(v) for v in row] for row in json.loads(capsys.readouterr().out)["M"]])
    for m in mats:
        assert abs(np.sum(np.array(m["X"]) * M) - float(m["y"])) < 1e-8


def test_nuclear_solve_of_a_fully_observed_matrix(tmp_path, capsys):
    Y = np.random.default_rng(0).standard_normal((3, 4))
    (tmp_path / "e.csv").write_text("".join(f"{i},{j},{float(Y[i, j])!r}\n" for i in range(3) for j in range(4)))
    assert main(["solve", "--family", "nuclear", "--entries", str(tmp_path / "e.csv"), "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert abs(float(record["nuclear_norm"]) - np.linalg.svd(Y, compute_uv=False).sum()) < 1e-12
    assert float(record["gap"]) < 1e-12 and len(record["M"]) == 3


@pytest.mark.parametrize("entries, extra, message", [
    ("0,0\n", (), "row 1: expected 3 columns"),
    ("0,0,1,2\n", (), "expected 3 columns"),
    ("0,0,abc\n", (), "row 1, column 3: 'abc' is not a number"),
    ("0,0,nan\n", (), "not finite"),
    ("0,0,1\n1,1,2\n0,0,1\n", (), "row 3: entry (0, 0) repeats row 1"),
    ("-1,0,1\n", (), "index '-1' is negative"),
    ("0,1.5,1\n", (), "index '1.5' is not a non-negative integer"),
    ("0,0,1\n2,1,1\n", ("--shape", "2x2"), "row 2: entry (2, 1) is outside --shape 2x2"),
    ("0,0,1\n", ("--shape", "10"), "expected D1xD2"),
    ("0,0,1\n", ("--shape", "0x3"), "each side must be at least 1"),
    ("0,0,1\n", ("--shape", "200x200"), "more than 10000 cells"),
    ("0,0,1\n999999999,0,1\n", (), "the largest indices + 1: 1000000000x1 has more than 10000 cells"),
    ("0,0,1\n", ("--shape", "3x-1"), "expected D1xD2"),
    ("# only a comment\n", (), "no entries"),
    ("0,0,1\n", ("--X", "x.csv"), "does not take --X"),
])
def test_bad_entries_files_and_options_are_one_line(tmp_path, capsys, entries, extra, message):
    (tmp_path / "e.csv").write_text(entries)
    out = tmp_path / "out.json"
    argv = ["solve", "--family", "nuclear", "--entries", str(tmp_path / "e.csv"), *extra, "--json", str(out)]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize("argv, message", [
    (["--family", "matrix"], "needs exactly one of --entries FILE or --measurements FILE"),
    (["--family", "matrix", "--entries", "E"], "needs --U0 and --V0"),
    (["--family", "matrix", "--entries", "E", "--measurements", "E"], "exactly one of"),
    (["--family", "matrix", "--entries", "E", "--U0", "U", "--V0", "U"], "V0 has 2 rows but the shape 2x3 needs 3"),
    (["--family", "matrix", "--entries", "E", "--U0", "U", "--V0", "V", "--method", "radau"], "--method"),
    (["--family", "matrix", "--entries", "E", "--U0", "U", "--V0", "V", "--progress"], "--progress"),
    (["--family", "diagonal", "--entries", "E"], "does not take --entries"),
    (["--family", "diagonal"], "needs --X and --y"),
])
def test_bad_flow_command_lines(files, capsys, argv, message):
    names = {"E": files / "e.csv", "U": files / "U0.csv", "V": files / "V0.csv"}
    argv = ["flow", *[str(names.get(a, a)) for a in argv]]
    assert main(argv) == 3
    assert message in capsys.readouterr().err


def test_bad_measurements_file(files, capsys):
    (files / "m.json").write_text(json.dumps([{"X": [[1, 0]], "y": 1}, {"X": [[1], [0]], "y": 2}]))
    argv = ["flow", "--family", "matrix", "--measurements", str(files / "m.json"), "--U0",
            str(files / "U0.csv"), "--V0", str(files / "V0.csv")]
    assert main(argv) == 3
    assert "measurement 2: expected a 1x2 matrix" in capsys.readouterr().err
