"""Exact input, precision policy, verdicts and the CLI skeleton (issue: Foundation)."""

import dataclasses
import json
import pickle
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest

from krtheory import InvalidArgument, Problem
from krtheory.claims import (Claim, Domain, RunConfig, Status, Verdict, exit_code, register,
                             verdict_record)
from krtheory.cli import main
from krtheory.errors import NoConvergence
from krtheory.precision import Tolerance, check_dps, context, lambdify
from krtheory.problem import NotOverparametrizedWarning, load_matrix

DATA = Path(__file__).parent / "data"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# -- exact decimal input -------------------------------------------------------------------
def test_csv_decimal_is_exact_at_60_digits(tmp_path):
    X = write(tmp_path / "X.csv", "0.1,0.2,0.3\n1e-30,7,-2.5\n")
    y = write(tmp_path / "y.csv", "0.3\n-1\n")
    problem = Problem.from_files(X, y)
    ctx = context(60)
    x11 = problem.X_mp(ctx)[0][0]
    # 1/10 correctly rounded at 60 digits: |x - 1/10| <= half an ulp, far below float's 1e-17
    assert abs(x11 - ctx.mpf(1) / 10) <= ctx.eps * x11
    assert abs(x11 - ctx.mpf(0.1)) > ctx.mpf("1e-18")  # not the double nearest 0.1
    assert problem.X[1][0] == "1e-30"
    assert Fraction(problem.y[0]) == Fraction(3, 10)


def test_json_numbers_stay_exact(tmp_path):
    X = write(tmp_path / "X.json", '{"X": [[0.1, 1, 2], [3, 4, 5.000000000000000000000000001]]}')
    y = write(tmp_path / "y.json", "[0.1, 2]")
    problem = Problem.from_files(X, y)
    assert problem.X[1][2] == "5.000000000000000000000000001"
    ctx = context(40)
    # correctly rounded at 40 digits: within half an ulp of 5 (~5e-40) of the exact value
    assert abs(problem.X_mp(ctx)[1][2] - 5 - ctx.mpf("1e-27")) <= 5 * ctx.eps


def test_npy_takes_the_exact_binary_value(tmp_path):
    np.save(tmp_path / "X.npy", np.array([[0.1, 1.0, 2.0]]))
    np.save(tmp_path / "y.npy", np.array([0.5]))
    problem = Problem.from_files(tmp_path / "X.npy", tmp_path / "y.npy")
    assert Fraction(problem.X[0][0]) == Fraction(0.1)  # the double, exactly


def test_y_as_one_row_or_one_column(tmp_path):
    X = write(tmp_path / "X.csv", "1,2,3\n4,5,6\n")
    row = Problem.from_files(X, write(tmp_path / "yr.csv", "1,2\n"))
    col = Problem.from_files(X, write(tmp_path / "yc.csv", "1\n2\n"))
    assert row.y == col.y == ("1", "2")


@pytest.mark.parametrize("content, fragment", [
    ("1,2,3\n4,5\n", "row 2 has 2 columns, expected 3"),
    ("1,2,3\n4,abc,6\n", "row 2, column 2: 'abc' is not a number"),
    ("1,nan,3\n", "row 1, column 2: 'nan' is not finite"),
    ("1,2,-inf\n", "row 1, column 3: '-inf' is not finite"),
    ("", "empty file"),
    ("\n\n", "empty file"),
])
def test_bad_matrix_files_name_file_row_and_column(tmp_path, content, fragment):
    path = write(tmp_path / "X.csv", content)
    with pytest.raises(InvalidArgument, match=fragment) as info:
        load_matrix(path)
    assert str(path) in str(info.value)


def test_mismatched_n_between_X_and_y(tmp_path):
    X = write(tmp_path / "X.csv", "1,2,3\n4,5,6\n")
    y = write(tmp_path / "y.csv", "1\n2\n3\n")
    with pytest.raises(InvalidArgument, match="n=2 rows .* 3 values"):
        Problem.from_files(X, y)


def test_missing_file_and_bad_json(tmp_path):
    with pytest.raises(InvalidArgument, match="no such file"):
        load_matrix(tmp_path / "nope.csv")
    with pytest.raises(InvalidArgument, match="not valid JSON"):
        load_matrix(write(tmp_path / "X.json", "[[1, 2"))
    with pytest.raises(InvalidArgument, match="is not finite"):
        load_matrix(write(tmp_path / "X.json", "[[1, NaN]]"))


def test_not_overparametrized_is_a_warning(tmp_path):
    with pytest.warns(NotOverparametrizedWarning, match="n=2 >= d=2"):
        Problem.from_rows([[1, 0], [0, 1]], [1, 1])


def test_random_dyadic_problem_is_exactly_consistent():
    problem = Problem.random_dyadic(np.random.default_rng(1), 3, 8, 2)
    X, y = problem.X_fraction(), problem.y_fraction()
    assert all(v.denominator <= 2 ** 10 for row in X for v in row)
    assert len(y) == 3 and problem.d == 8


# -- precision policy ----------------------------------------------------------------------
def test_cached_hash_survives_pickling_across_processes():
    # Problem hashes once (its tuples of strings are slow to hash); the cached value must not
    # travel in a pickle, since string hashes differ between processes
    problem = Problem.from_rows([["1", "0.5", "2"]], ["3"], name="p")
    assert {problem: 1}[Problem.from_rows([["1", "0.5", "2"]], ["3"], name="p")] == 1
    code = ("import pickle, sys; from krtheory import Problem; "
            "q = pickle.loads(sys.stdin.buffer.read()); "
            "p = Problem.from_rows([['1', '0.5', '2']], ['3'], name='p'); "
            "print(hash(q) == hash(p), {p: 1}[q])")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(problem),
                         capture_output=True, check=True, env={"PYTHONHASHSEED": "random"}).stdout
    assert out.split() == [b"True", b"1"]


def test_context_is_private_and_lambdify_uses_it():
    import sympy

    z = sympy.Symbol("z")
    ctx = context(50)
    f = lambdify(z, sympy.asinh(z / 2), ctx)
    value = f(ctx.mpf(1))
    exact = sympy.N(sympy.asinh(sympy.Rational(1, 2)), 60)
    assert abs(value - ctx.mpf(str(exact))) < ctx.mpf("1e-49")
    assert mpmath.mp.dps == 15


def test_lambdify_keeps_rationals_exact():
    """A plain namespace would print Rational(-5, 3) as the float -5/3 (16 digits)."""
    import sympy

    z = sympy.Symbol("z")
    expr = (1 - z) ** sympy.Rational(-5, 3) + z / 3
    ctx = context(60)
    value = lambdify(z, expr, ctx)(ctx.mpf(1) / 2)
    exact = sympy.N(expr.subs(z, sympy.Rational(1, 2)), 70)
    assert abs(value - ctx.mpf(str(exact))) < ctx.mpf("1e-58")


def test_the_leak_guard_would_catch_a_global_change():
    """The autouse fixture asserts the global precision after each test; check its logic here
    by changing and restoring it inside the test, and showing the change is visible."""
    before = mpmath.mp.prec
    mpmath.mp.dps = 40
    try:
        assert mpmath.mp.prec != before
    finally:
        mpmath.mp.prec = before


def test_check_dps_and_tolerance():
    assert check_dps("30") == 30
    for bad in (0, -5, "x", 10 ** 9):
        with pytest.raises(InvalidArgument, match="dps"):
            check_dps(bad)
    tol = Tolerance.from_dps(40, 15, "flow truncation")
    assert tol.digits == 25 and tol.as_dict()["relative"] == "1e-25"
    with pytest.raises(ValueError):
        Tolerance.from_dps(10, 10, "too much slack")


# -- verdicts and registry -------------------------------------------------------------------
def _claim(check):
    return Claim("test.claim", "statement", "§0", Domain("nowhere"), Tolerance(10, "test"), check)


def test_claim_turns_krtheory_errors_into_inconclusive():
    def gives_up(config):
        raise NoConvergence("step budget exhausted")

    verdict = _claim(gives_up).run(RunConfig())
    assert verdict.status is Status.INCONCLUSIVE
    assert "step budget exhausted" in verdict.summary


def test_exit_codes():
    holds, refuted, unsure = (Verdict(s, "") for s in Status)
    assert exit_code([holds, holds]) == 0
    assert exit_code([holds, refuted, unsure]) == 1
    assert exit_code([holds, unsure]) == 2
    assert exit_code([]) == 2


def test_verdict_record_schema():
    claim = _claim(lambda c: Verdict(Status.HOLDS, "ok", {"digits": context(30).mpf(2) / 3}))
    record = verdict_record(claim, claim.run(RunConfig()))
    assert set(record) == {"id", "status", "statement", "reference", "domain", "tolerance",
                           "summary", "certified", "seconds", "evidence"}
    assert record["status"] == "HOLDS" and record["evidence"]["digits"].startswith("0.666")
    json.dumps(record)


# -- CLI ---------------------------------------------------------------------------------
def test_verify_with_nothing_registered_exits_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {})
    assert main(["verify", f"--json={tmp_path / 'v.json'}"]) == 2
    out = capsys.readouterr().out
    assert "nothing was verified" in out
    report = json.loads((tmp_path / "v.json").read_text())
    assert report["schema"] == "krtheory.verdicts/1" and report["exit_code"] == 2
    assert report["verdicts"] == []


def test_verify_json_and_exit_code_with_a_claim(monkeypatch, capsys, tmp_path):
    claim = _claim(lambda c: Verdict(Status.REFUTED, "counterexample found", {"x": 1}))
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {claim.id: claim})
    assert main(["verify", "--json", str(tmp_path / "v.json")]) == 1
    report = json.loads((tmp_path / "v.json").read_text())
    assert report["counts"] == {"HOLDS": 0, "REFUTED": 1, "INCONCLUSIVE": 0}
    assert report["verdicts"][0]["evidence"] == {"x": 1}


@pytest.mark.parametrize("argv", [
    ["verify", "no.such.claim"],
    ["verify", "--quick", "--full"],
    ["verify", "--bogus"],
    ["verify", "--seed=-1"],
    ["verify", "--list", "no.such.claim"],
    ["frobnicate"],
    [],
])
def test_usage_errors_exit_3_with_one_line(argv, capsys):
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err


def test_verify_runs_a_repeated_claim_once(monkeypatch, capsys):
    runs = []
    claim = _claim(lambda c: runs.append(c) or Verdict(Status.HOLDS, "ok"))
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {claim.id: claim})
    assert main(["verify", claim.id, claim.id]) == 0
    assert len(runs) == 1


def test_verify_list_shows_only_the_named_claims(monkeypatch, capsys):
    named = _claim(lambda c: Verdict(Status.HOLDS, "ok"))
    other = dataclasses.replace(named, id="test.other", statement="another statement")
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {named.id: named, other.id: other})
    assert main(["verify", "--list", named.id]) == 0
    out = capsys.readouterr().out
    assert named.id in out and other.id not in out and "another statement" not in out


@pytest.mark.parametrize("make", [
    lambda: RunConfig(seed=-1),
    lambda: RunConfig(seed=1.5),
    lambda: RunConfig(mode="slow"),
    lambda: Tolerance.from_dps(10, 10, "all digits lost"),
])
def test_bad_run_settings_are_invalid_arguments(make):
    with pytest.raises(InvalidArgument):
        make()


def test_registering_an_id_twice_is_an_invalid_argument(monkeypatch):
    monkeypatch.setattr("krtheory.claims.REGISTRY", {})
    claim = _claim(lambda c: Verdict(Status.HOLDS, "ok"))
    register(claim)
    with pytest.raises(InvalidArgument):
        register(claim)


def test_json_into_missing_directory_is_an_input_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {})
    assert main(["verify", "--json", str(tmp_path / "no" / "v.json")]) == 3
    assert not (tmp_path / "no").exists()
    assert "does not exist" in capsys.readouterr().err


def test_console_script_runs_in_a_subprocess():
    result = subprocess.run([sys.executable, "-m", "krtheory.cli", "verify", "--list"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_import_is_light():
    code = ("import sys, krtheory; heavy = {'matplotlib', 'hypothesis', 'sympy', 'scipy', "
            "'dask'} & set(sys.modules); print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


def test_verify_progress_replaces_the_per_claim_lines(monkeypatch, capsys):
    """--progress shows a bar on stderr (tqdm, or 'verify i/n' lines without it) instead of the
    log lines; the verdict table on stdout is the same."""
    claim = _claim(lambda c: Verdict(Status.HOLDS, "ok"))
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {claim.id: claim})
    assert main(["verify"]) == 0
    plain = capsys.readouterr()
    assert "[1/1] test.claim" in plain.err
    assert main(["verify", "--progress"]) == 0
    barred = capsys.readouterr()
    assert "[1/1]" not in barred.err and "verify" in barred.err
    assert barred.out == plain.out
