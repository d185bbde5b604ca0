"""Hostile inputs end in InvalidArgument (exit 3 on the command line), never a raw error."""

import time

import numpy as np
import pytest

from krtheory.errors import InvalidArgument
from krtheory._validation import parse_number
from krtheory.cli import main
from krtheory.problem import Problem, load_matrix


def test_uint64_cells_stay_exact():
    problem = Problem(np.array([[2**64 - 1, 1], [3, 4]], dtype=np.uint64), np.array([1, 2]))
    assert problem.X == (("18446744073709551615", "1"), ("3", "4"))
    assert problem.y == ("1", "2")


def test_float32_cell_is_its_exact_binary_value():
    assert Problem([[np.float32(0.1), 1]], [1]).X[0][0] == "0.100000001490116119384765625"


@pytest.mark.parametrize("X, y", [
    (None, [1]), ([[1, 2]], None), ([[True, 1]], [1]), ([[float("nan"), 1]], [1]),
    ([[float("inf"), 1]], [1]), ([["1e400", 1]], [1]), ([[1, 2], [3]], [1, 2]), ([], []),
    ([[]], [1]), ([[b"1", 2]], [1]), ([[None, 2]], [1]), ([[1, 2]], [1, 2]), (5, [1]),
    ("12", [1]), ([[{}, 1]], [1]), ([[10**5000, 1]], [1]), ([["1e999999999", 1]], [1]),
])
def test_problem_refuses_hostile_cells(X, y):
    with pytest.raises(InvalidArgument):
        Problem(X, y)


def test_largest_double_and_tiny_alpha_range_are_accepted():
    assert Problem([["1e308", "-1.7976931348623157e308"]], ["1e-300"]).X[0][0] == "1e308"
    assert parse_number("1e300", "alpha") == "1e300" and parse_number("1e-300", "alpha") == "1e-300"


@pytest.mark.parametrize("text", ["1e999999999", "1e-999999999", "1e100001", "9" * 5000,
                                  "1/" + "3" * 5000, "1/" + "3" * 30000])
def test_huge_exponents_and_digit_counts_are_refused_at_once(text):
    start = time.perf_counter()
    with pytest.raises(InvalidArgument):
        parse_number(text, "x")
    assert time.perf_counter() - start < 0.1


@pytest.mark.parametrize("name, content, fragment", [
    ("X.csv", b"1,2\n\xff\xfe,3\n", "not UTF-8"),
    ("X.json", b"[[1, 2], [\xff, 3]]", "not UTF-8"),
    ("X.csv", b"1,1e400\n", "beyond double range"),
    ("X.json", b"[[1, 1e400]]", "beyond double range"),
    ("X.csv", b"1,1e999999999\n", "exponent"),
    ("X.npy", b"garbage", "not a numeric .npy"),
    ("X.json", b"[" * 100000, "not valid JSON"),
])
def test_unreadable_files_are_input_errors(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InvalidArgument, match=fragment):
        load_matrix(path)


def test_npz_under_an_npy_name(tmp_path):
    path = tmp_path / "X.npy"
    with path.open("wb") as handle:
        np.savez(handle, X=np.eye(2))
    with pytest.raises(InvalidArgument, match="npz"):
        load_matrix(path)


def test_utf8_bom_is_read(tmp_path):
    path = tmp_path / "X.csv"
    path.write_bytes("\ufeff1,2\n".encode())
    assert load_matrix(path) == [["1", "2"]]


def test_cli_non_utf8_csv_exits_3_with_one_line(tmp_path, capsys):
    (tmp_path / "X.csv").write_bytes(b"1,2,3\n\xff,1,2\n")
    (tmp_path / "y.csv").write_text("1\n2\n")
    assert main(["solve", "--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv")]) == 3
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "UTF-8" in err


def test_cli_huge_alpha_exits_3_at_once(tmp_path, capsys):
    (tmp_path / "X.csv").write_text("1,2,3\n")
    (tmp_path / "y.csv").write_text("1\n")
    start = time.perf_counter()
    assert main(["solve", "--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv"),
                 "--alpha", "1e999999999"]) == 3
    assert time.perf_counter() - start < 5
    assert "exponent" in capsys.readouterr().err


@pytest.mark.parametrize("command, cap", [("solve", 3000), ("flow", 1000), ("bounds", 1000),
                                          ("potential", 10000)])
def test_dps_is_capped_and_the_cap_is_in_help(command, cap, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert f"at most {cap}" in capsys.readouterr().out
    for bad in (str(cap + 1), "1e999999999", "4", "x", "9" * 50):
        start = time.perf_counter()
        assert main([command, "--X", "X.csv", "--y", "y.csv", "--z", "1", "--dps", bad]) == 3
        assert time.perf_counter() - start < 2
        err = capsys.readouterr().err
        assert "--dps" in err and err.count("\n") == 1


@pytest.mark.parametrize("depth", ["²", "2²", "٣", "³"])
def test_non_ascii_digit_depth_is_invalid_argument(depth):
    from krtheory._validation import check_depth

    with pytest.raises(InvalidArgument, match="integer >= 2"):
        check_depth(depth)


@pytest.mark.parametrize("where, reason", [("/dev/null", "not a regular file"), (".", "not a regular file"),
                                           ("missing.csv", "no such file")])
def test_an_input_path_that_is_not_a_file_is_named_for_what_it_is(where, reason):
    with pytest.raises(InvalidArgument, match=reason):
        load_matrix(where)


def test_a_number_beyond_pythons_integer_string_limit_says_so():
    import sys

    with pytest.raises(InvalidArgument, match=f"more than {sys.get_int_max_str_digits()} digits"):
        parse_number("1" * (sys.get_int_max_str_digits() + 1), "x")
