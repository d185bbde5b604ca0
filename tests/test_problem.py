"""krtheory.problem: exact decimal input from CSV, JSON and .npy files, and Problem's hash."""

import pickle
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from krtheory import InvalidArgument, Problem
from krtheory.precision import context
from krtheory.problem import NotOverparametrizedWarning, load_matrix


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


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
