"""``krtheory solve`` against ``krtheory flow`` on a user's CSV problem, references, bad input."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from krtheory.cli import main
from krtheory.precision import context

EXAMPLES = Path(__file__).parent.parent / "examples"
PROBLEM = ["--X", str(EXAMPLES / "X.csv"), "--y", str(EXAMPLES / "y.csv")]


def _json(argv, capsys):
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("alpha, shape", [("0.5", None), ("2", "1,2,0.5,1,1,3,1,1,0.25,1")])
def test_solve_agrees_with_flow_to_25_digits(alpha, shape, capsys, tmp_path):
    options = [f"--alpha={alpha}", *PROBLEM, "--dps", "40"] + ([f"--shape={shape}"] if shape else [])
    solved = _json(["solve", "--family", "diagonal", *options, "--json"], capsys)
    assert main(["flow", "--family", "diagonal", *options, "--json", str(tmp_path / "f.json")]) == 0
    flowed = json.loads((tmp_path / "f.json").read_text())
    assert solved["digits"] >= 25 and flowed["digits"] >= 25
    ctx = context(50)
    a = [ctx.mpf(v) for v in solved["beta"]]
    b = [ctx.mpf(v) for v in flowed["beta"]]
    scale = max(abs(v) for v in a)
    assert max(abs(u - v) for u, v in zip(a, b)) / scale < ctx.mpf("1e-25")


def test_l2_and_l1_references(capsys):
    l2 = _json(["solve", "--family", "l2", *PROBLEM, "--json"], capsys)
    l1 = _json(["solve", "--family", "l1", *PROBLEM, "--json"], capsys)
    assert l1["status"] == "certified" and l1["digits"] >= 48  # verified by a finer solve (dps 50)
    ctx = context(50)
    norm1 = lambda v: sum(abs(ctx.mpf(x)) for x in v)  # noqa: E731
    norm2 = lambda v: ctx.sqrt(sum(ctx.mpf(x) ** 2 for x in v))  # noqa: E731
    # the example's y = X beta* with beta* = 1.5 e_2 - 0.75 e_7 (||beta*||_1 = 9/4): feasible, so
    # the certified l1 minimum cannot exceed it; and each reference is minimal in its own norm
    assert norm1(l1["beta"]) <= ctx.mpf(9) / 4
    assert norm1(l1["beta"]) <= norm1(l2["beta"]) and norm2(l2["beta"]) <= norm2(l1["beta"])


@pytest.mark.parametrize("extra, fragment", [
    (["--alpha=0"], "alpha"),
    (["--alpha=-1"], "alpha"),
    (["--alpha=nan"], "alpha"),
    (["--depth=1"], "depth"),
    (["--depth=2.5"], "depth"),
    (["--shape=1,0,1,1,1,1,1,1,1,1"], "shape entry 2"),
    (["--shape=1,2"], "shape"),
    (["--dps=2"], "dps"),
])
def test_bad_input_exits_3_with_one_line(extra, fragment, capsys):
    assert main(["solve", "--family", "diagonal", *PROBLEM, *extra]) == 3
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and err.count("\n") == 1


def test_inconsistent_system_is_an_input_error(tmp_path, capsys):
    (tmp_path / "X.csv").write_text("1,1,0\n2,2,0\n")
    (tmp_path / "y.csv").write_text("1\n3\n")
    argv = ["--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv")]
    assert main(["solve", "--family", "diagonal", *argv]) == 3
    assert "inconsistent" in capsys.readouterr().err
    assert main(["flow", "--family", "diagonal", *argv]) == 3


def test_certified_solve_reports_a_radius_that_covers_the_reference(capsys):
    certified = _json(["solve", "--backend", "flint", "--certify", "--alpha=0.5", *PROBLEM,
                       "--dps", "40", "--json"], capsys)
    reference = _json(["solve", "--backend", "mpmath", "--alpha=0.5", *PROBLEM, "--dps", "60",
                       "--json"], capsys)
    assert certified["certified"] and certified["backend"] == "flint"
    ctx = context(80)
    radius = ctx.mpf(certified["radius"])
    assert radius < ctx.mpf("1e-38")
    for a, b in zip(certified["beta"], reference["beta"]):
        # the printed digits round the ball's midpoint: allow one unit in the last printed place
        last_place = ctx.mpf(10) ** (ctx.floor(ctx.log10(abs(ctx.mpf(b)))) + 1 - certified["digits"])
        assert abs(ctx.mpf(a) - ctx.mpf(b)) <= radius + last_place


def test_certify_needs_the_flint_backend(capsys):
    assert main(["solve", "--backend", "numpy", "--certify", *PROBLEM]) == 3
    assert "--certify needs the flint backend" in capsys.readouterr().err


def test_stiff_flow_method_agrees_with_solve_at_small_alpha(capsys, tmp_path):
    options = ["--alpha=1e-3", *PROBLEM, "--dps", "30"]
    solved = _json(["solve", "--backend", "mpmath", *options, "--json"], capsys)
    flowed = _json(["flow", "--method", "auto", *options, "--json"], capsys)
    assert flowed["method"].startswith("auto") and flowed["stiff_steps"] > 0 and flowed["digits"] >= 20
    ctx = context(40)
    error = ctx.mpf(flowed["error_estimate"])
    for exact, printed in zip(solved["beta"], flowed["beta"]):
        # flow prints only earned digits: allow its error estimate plus one unit in the last
        # printed place, and the solve's own 30 verified digits
        last_place = ctx.mpf(10) ** Decimal(printed).as_tuple().exponent
        assert abs(ctx.mpf(exact) - ctx.mpf(printed)) <= error + last_place + ctx.mpf("1e-29")


@pytest.mark.parametrize("options", [["--family", "explicit", "--depth", "3"],
                                     ["--family", "l1", "--alpha", "3"],
                                     ["--family", "l2", "--certify"],
                                     ["--family", "l2", "--shape", "1,1,1,1,1,1,1,1,1,1"]])
def test_an_option_the_family_does_not_take_is_refused(options, capsys):
    code = main(["solve", "--X", "examples/X.csv", "--y", "examples/y.csv", *options])
    err = capsys.readouterr().err
    assert code == 3 and "does not take" in err and err.count("\n") == 1
