"""Custom parametrizations end to end: ``krtheory solve``/``flow --parametrization --init`` and the
Python API (the family's link and model), against the flow (independent evidence), the
hand-typed links of tests.helpers (Theorem 1), the wide family (§6), and closed forms of
conjectured potentials; bad input as one line."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from krtheory import FAMILIES, Problem, integrate_flow, predict
from krtheory.cli import main
from krtheory.errors import InvalidArgument, NotApplicable
from krtheory.families.custom_models import custom_link, custom_model, initial_pattern
from krtheory.families.custom_potential import potential_argmin
from krtheory.families.wide import wide_link
from krtheory.precision import context
from tests.helpers import depth2_link

EXAMPLES = Path(__file__).parent.parent / "examples"
PROBLEM = ["--X", str(EXAMPLES / "X.csv"), "--y", str(EXAMPLES / "y.csv")]
SMALL = Problem.from_rows([["1", "0.5", "-0.25"], ["0", "1", "0.75"]], ["0.5", "-1"], name="small")


def _run_json(argv, tmp_path, name):
    out = tmp_path / f"{name}.json"
    assert main([*argv, "--json", str(out)]) == 0
    return json.loads(out.read_text())


def _last_place(text: str) -> Decimal:
    """One unit in the last printed place of a decimal string."""
    return Decimal(1).scaleb(Decimal(text).as_tuple().exponent)


def test_done_when_solve_and_flow_agree_to_the_digits_they_print(tmp_path, capsys):
    """The issue's command pair on examples/: every printed flow digit is the solve's (within one
    unit of the flow's last printed place, the solve certified far beyond it)."""
    argv = ["--parametrization", "u*v", "--init", "u=0.7,v=0.2", *PROBLEM]
    solved = _run_json(["solve", *argv], tmp_path, "solve")
    flowed = _run_json(["flow", *argv], tmp_path, "flow")
    assert solved["family"] == flowed["model"]["family"] == "custom"
    assert solved["derivation_verified"] is True and solved["digits"] >= 40
    assert flowed["digits"] >= 25
    for s, f in zip(solved["beta"], flowed["beta"], strict=True):
        assert abs(Decimal(s) - Decimal(f)) <= _last_place(f), (s, f)
    # the same through the plain text output
    assert main(["solve", *argv]) == 0 and "certified    yes" in capsys.readouterr().out


def test_equal_starts_of_u2_minus_v2_are_theorem_1():
    """u**2 - v**2 from u(0) = v(0) = alpha is the depth-2 diagonal net: the hand-typed Theorem 1
    link (tests.helpers) gives the same prediction."""
    alpha = "0.7"
    link = FAMILIES["custom"].link(SMALL.d, parametrization="u**2 - v**2", init={"u": alpha, "v": alpha})
    ours, reference = predict(SMALL, link, dps=40), predict(SMALL, depth2_link(alpha, SMALL.d), dps=40)
    ctx = context(40)
    assert max(abs(a - b) for a, b in zip(ours.beta, reference.beta)) < ctx.mpf("1e-35")


def test_a_width_two_polynomial_is_the_wide_family():
    """u1*v1 + u2*v2 with per-coordinate starts (files of d values) equals the wide family's link
    for the same U0, V0 (§6), and its flow reaches the same limit."""
    U0 = [["0.5", "0.2"], ["0.7", "0.1"], ["0.3", "0.4"]]
    V0 = [["0.1", "0.3"], ["0.2", "0.6"], ["0.4", "0.1"]]
    init = {"u1": [r[0] for r in U0], "u2": [r[1] for r in U0], "v1": [r[0] for r in V0], "v2": [r[1] for r in V0]}
    link, derivation = custom_link("u1*v1 + u2*v2", init, SMALL.d)
    ours, wide = predict(SMALL, link, dps=40), predict(SMALL, wide_link(U0, V0), dps=40)
    flow = integrate_flow(custom_model("u1*v1 + u2*v2", init), SMALL, dps=30)
    ctx = context(40)
    assert max(abs(a - b) for a, b in zip(ours.beta, wide.beta)) < ctx.mpf("1e-35")
    assert flow.digits >= 20
    assert max(abs(a - ctx.mpf(b)) for a, b in zip(ours.beta, flow.beta)) < ctx.mpf("1e-20")


def test_per_coordinate_init_files_on_the_command_line(tmp_path):
    (tmp_path / "u0.csv").write_text("0.5\n0.7\n0.3\n")
    (tmp_path / "X.csv").write_text("1,0.5,-0.25\n0,1,0.75\n")
    (tmp_path / "y.csv").write_text("0.5\n-1\n")
    argv = ["--parametrization", "u*v", "--init", f"u={tmp_path / 'u0.csv'},v=0.1",
            "--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv"), "--dps", "30"]
    solved = _run_json(["solve", *argv], tmp_path, "solve")
    flowed = _run_json(["flow", *argv], tmp_path, "flow")
    assert flowed["model"]["init"] == {"u": ["0.5", "0.7", "0.3"], "v": "0.1"}
    for s, f in zip(solved["beta"], flowed["beta"], strict=True):
        assert abs(Decimal(s) - Decimal(f)) <= _last_place(f)


def test_the_pattern_shares_symbols_between_equal_columns_and_keeps_signs():
    pattern, values = initial_pattern({"u": "0.5", "v": "0.5", "w": ("-1", "-2"), "x": "0"}, 2)
    assert pattern == {"u": "c1", "v": "c1", "w": "-c2", "x": "0"}
    assert values == {"c1": (Decimal("0.5"),) * 2, "c2": (1, 2)}


def test_a_conjectured_quadratic_potential_has_the_closed_form_argmin():
    """phi(z) = (z - u)^2: argmin ||beta - u||_2 s.t. X beta = y, i.e. u + X^T (X X^T)^-1 (y - X u)
    (numpy, float64)."""
    import numpy as np

    found = potential_argmin("(z - u)**2", {"u": ("0.1", "-0.2", "0.3")}, SMALL, dps=30)
    X, y, u = np.array(SMALL.X_float()), np.array(SMALL.y_float()), np.array([0.1, -0.2, 0.3])
    expected = u + X.T @ np.linalg.solve(X @ X.T, y - X @ u)
    assert found.digits >= 28
    assert np.allclose([float(b) for b in found.beta], expected, rtol=0, atol=1e-14)


def test_solve_potential_option_matches_the_derived_solve_for_azulays_potential(tmp_path):
    """Azulay et al.'s closed form phi' = asinh(2z/Delta) - asinh(2 beta(0)/Delta), Delta = u^2 - v^2,
    typed by hand, has the derived link's argmin (two independent routes)."""
    azulay = "z*asinh(2*z/(u*u - v*v)) - sqrt(4*z**2 + (u*u - v*v)**2)/2 - z*asinh(2*u*v/(u*u - v*v))"
    argv = ["--parametrization", "u*v", "--init", "u=0.7,v=0.2", *PROBLEM, "--dps", "40"]
    derived = _run_json(["solve", *argv], tmp_path, "derived")
    conjectured = _run_json(["solve", *argv, "--potential", azulay], tmp_path, "conjectured")
    assert conjectured["digits"] >= 38 and conjectured["certified"] is False
    ctx = context(40)
    assert max(abs(ctx.mpf(a) - ctx.mpf(b)) for a, b in zip(derived["beta"], conjectured["beta"])) < ctx.mpf("1e-37")


@pytest.mark.parametrize("argv, fragment", [
    (["solve", "--parametrization", "u*v", *PROBLEM], "--parametrization needs --init"),
    (["flow", "--init", "u=1", *PROBLEM], "--parametrization needs --init"),
    (["solve", "--family", "diagonal", "--parametrization", "u*v", "--init", "u=1,v=2", *PROBLEM],
     "go with --family custom only"),
    (["solve", "--parametrization", "u*v", "--init", "u=1,v=2", "--alpha", "2", *PROBLEM],
     "--family custom does not take --alpha"),
    (["solve", "--parametrization", "u*v", "--init", "u=a,v=2", *PROBLEM], "--init u: 'a' is not a number"),
    (["flow", "--parametrization", "u*v", "--init", "u=1e999999,v=1", *PROBLEM], "--init u"),
    (["flow", "--parametrization", "u*v", "--init=u=nan,v=1", *PROBLEM], "not finite"),
    (["flow", "--parametrization", "u*v", "--init", "u=1,,v=1", *PROBLEM], "must be NAME=VALUE"),
    (["flow", "--parametrization", "u*v", "--init", "u=1,u=2", *PROBLEM], "gives u twice"),
    (["flow", "--parametrization", "u*v", "--init", "u=0.5,w=2", *PROBLEM], "names not in init: v"),
    (["solve", "--parametrization", "u*v", "--init", "u=0.5,v=0.5", *PROBLEM], "keeps the sign of beta_i(0)"),
    (["flow", "--parametrization", "exp(u)*v", "--init", "u=0.5,v=0.1", *PROBLEM], "polynomial"),
    (["solve", "--parametrization", "u*v", "--init", "u=0.5,v=0.1", "--potential", "z**2", "--certify",
      *PROBLEM], "--potential"),
    (["solve", "--family", "l1", "--potential", "z**2", *PROBLEM], "--potential goes with"),
    (["solve", "--parametrization", "u*v", "--init", "u=0.5,v=0.1", "--potential", "q**2", *PROBLEM],
     "potential='q**2' uses q"),
    (["solve", "--parametrization", "u*v", "--init", "u=0.5,v=0.1", "--potential=-z**2", *PROBLEM],
     "not strictly convex"),
])
def test_bad_custom_input_is_one_line(argv, fragment, capsys):
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1, err


def test_a_per_coordinate_file_of_the_wrong_length_or_mixed_signs(tmp_path, capsys):
    (tmp_path / "u0.csv").write_text("0.5\n0.7\n")
    assert main(["solve", "--parametrization", "u*v", "--init", f"u={tmp_path / 'u0.csv'},v=0.1", *PROBLEM]) == 3
    assert "one entry per coordinate" in capsys.readouterr().err
    (tmp_path / "square.csv").write_text("0.5,0.7\n0.3,0.1\n")
    (tmp_path / "garbage.csv").write_text("0.5\nabc\n0.1\n")
    for name, fragment in (("square.csv", "expected one row or one column"), ("garbage.csv", "not a number")):
        assert main(["flow", "--parametrization", "u*v", "--init", f"u={tmp_path / name},v=0.1", *PROBLEM]) == 3
        err = capsys.readouterr().err
        assert fragment in err and err.count("\n") == 1, err
    with pytest.raises(InvalidArgument, match="one sign"):
        custom_link("u*v", {"u": ("0.5", "-0.5", "0.1"), "v": "0.1"}, 3)
    with pytest.raises(NotApplicable, match="polynomial"):
        custom_model("sin(u)*v", {"u": "1", "v": "2"})
