"""The warm CLI path: cached built-in derivations are used without sympy, and every shortcut
gives what the sympy route gives (checked against sympy itself, and across processes)."""

import json
import os
import pickle
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest
import sympy

from krtheory import _cache
from krtheory.derive.engine import derive_diagonal
from krtheory.derive.potential import PotentialProgram, builtin_program, potential_value, program
from krtheory.families.diagonal import _polynomial_at, implicit_link, link_data
from krtheory.links import Link
from krtheory._validation import plain_cells


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv(_cache.ENV_DIR, str(tmp_path))
    monkeypatch.delenv(_cache.ENV_SWITCH, raising=False)
    return tmp_path


def _run(code: str, cache: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, **{_cache.ENV_DIR: cache})
    env.pop(_cache.ENV_SWITCH, None)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)


# -- exact scales from srepr text, against sympy's own substitution --------------------------------
C = sympy.Symbol("c", positive=True)


@pytest.mark.parametrize("expr", [C ** 2, 3 * C, 15 * C ** 3, sympy.Rational(-1, 2) - 3 / C ** 2,
                                  (C + 1) ** 3 / 7, sympy.Integer(4)])
@pytest.mark.parametrize("c", [Fraction(3, 7), Fraction(10) ** 300, Fraction(1, 10 ** 300)])
def test_polynomial_scales_equal_sympy_substitution(expr, c):
    expected = expr.subs(C, sympy.Rational(c.numerator, c.denominator))
    assert _polynomial_at(sympy.srepr(expr), c) == Fraction(expected.p, expected.q)


@pytest.mark.parametrize("expr", [sympy.sqrt(C), sympy.exp(C), C ** sympy.Rational(1, 3), sympy.pi * C])
def test_non_polynomial_scales_are_left_to_sympy(expr):
    assert _polynomial_at(sympy.srepr(expr), Fraction(2)) is None


# -- a link from text is the link from sympy ----------------------------------------------------------
@pytest.mark.parametrize("depth", [2, 3, 5])
def test_text_link_equals_and_hashes_like_the_parsed_link(depth):
    data = link_data(derive_diagonal(depth))
    parts = {"nu": data["nu"], "h": data["h"], "G": data["G"], "radius": data["radius"]}
    lazy = Link.from_text("l", parts, amplitude=("1/3", "2"), rate=("5", "7/2"))
    eager = Link("l", *(sympy.sympify(parts[p]) for p in ("nu", "h", "G", "radius")),
                 amplitude=("1/3", "2"), rate=("5", "7/2"))
    assert hash(lazy) == hash(eager)
    assert lazy == eager and lazy.h == eager.h and lazy.radius == eager.radius
    assert pickle.loads(pickle.dumps(lazy)) == eager


def test_text_link_checks_its_parts_when_parsed():
    lazy = Link.from_text("bad", {"nu": "Symbol('nu')", "h": "Symbol('x')", "G": "Integer(0)",
                                  "radius": "oo"}, amplitude=("1",), rate=("1",))
    with pytest.raises(Exception, match="other than nu"):
        lazy.h


def test_implicit_link_from_a_warm_cache_imports_no_sympy(tmp_path):
    code = ("import sys; from krtheory.families.diagonal import implicit_link; "
            "link = implicit_link('diagonal', 3, '1e-3', ['1', '2', '1/3'], 3); "
            "print('sympy' in sys.modules, link.amplitude, link.rate)")
    cold = _run(code, str(tmp_path))
    warm = _run(code, str(tmp_path))
    assert cold.returncode == warm.returncode == 0, cold.stderr + warm.stderr
    assert cold.stdout.startswith("True") and warm.stdout.startswith("False")
    assert cold.stdout.split(" ", 1)[1] == warm.stdout.split(" ", 1)[1]
    # a(c) = c^3, b(c) = 3c at c = alpha |w0_i| (Theorem 3's scale rule), typed here
    c = [Fraction(1, 1000) * w for w in (1, 2, Fraction(1, 3))]
    amplitude = tuple(f"{(x ** 3).numerator}/{(x ** 3).denominator}" for x in c)
    rate = tuple(f"{(3 * x).numerator}/{(3 * x).denominator}" for x in c)
    assert warm.stdout.split(" ", 1)[1].strip() == f"{amplitude} {rate}"


# -- potential programs ---------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [2, 3])
def test_program_round_trips_through_json(depth):
    compiled = program(derive_diagonal(depth))
    again = PotentialProgram.from_dict(json.loads(json.dumps(compiled.as_dict())))
    assert again == compiled
    assert potential_value(again, "-2.5", 25) == potential_value(derive_diagonal(depth), "-2.5", 25)


def test_corrupt_program_entry_is_rederived(cache_dir):
    first = builtin_program("diagonal", 2)
    (path,) = [p for p in cache_dir.iterdir() if p.name.startswith("potential-")]
    entry = json.loads(path.read_text())
    entry["payload"] = {**entry["payload"], "terms": 7, "radius": "1/0"}
    path.write_text(json.dumps(entry))
    assert builtin_program("diagonal", 2) == first


def test_warm_potential_call_imports_no_sympy_and_prints_the_closed_form(tmp_path):
    code = ("import sys; from krtheory.cli import main; main(['potential', '--depth', '2', '--z', '3']); "
            "print('sympy' in sys.modules)")
    cold, warm = _run(code, str(tmp_path)), _run(code, str(tmp_path))
    assert cold.returncode == warm.returncode == 0, cold.stderr + warm.stderr
    assert cold.stdout.splitlines()[-1] == "True" and warm.stdout.splitlines()[-1] == "False"
    assert cold.stdout.splitlines()[0] == warm.stdout.splitlines()[0]
    # Theorem 1: q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2), typed here and evaluated by mpmath
    import mpmath

    with mpmath.workdps(40):
        expected = 2 - mpmath.sqrt(13) + 3 * mpmath.asinh(mpmath.mpf(3) / 2)
        assert warm.stdout.startswith(f"q(3) = {mpmath.nstr(expected, 30)}")


# -- plain CSV rows -----------------------------------------------------------------------------------
@pytest.mark.parametrize("cells, plain", [(["1", "-2.5", "3e-7", ".5"], True), (["1,2", "3"], False),
                                          (["1e400"], False), ([" 1"], False), (["1", 2], False),
                                          (["nan"], False), (["1/3"], False), (["1e307", "-9e307"], True)])
def test_plain_cells(cells, plain):
    assert plain_cells(cells) is plain


def test_warm_float64_solve_imports_neither_sympy_nor_scipy_and_prints_the_same(tmp_path):
    code = ("import sys; from krtheory.cli import main; "
            "main(['solve', '--backend', 'numpy', '--depth', '3', '--alpha', '0.5', "
            f"'--X', {str(EXAMPLES / 'X.csv')!r}, '--y', {str(EXAMPLES / 'y.csv')!r}]); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'sympy', 'scipy'}))")
    cold, warm = _run(code, str(tmp_path)), _run(code, str(tmp_path))
    assert cold.returncode == warm.returncode == 0, cold.stderr + warm.stderr
    assert warm.stdout.splitlines()[-1] == "[]"
    assert cold.stdout.splitlines()[:-1] == warm.stdout.splitlines()[:-1]
    # the mpmath backend (independent: no float64 evaluator) agrees with the printed beta
    reference = _run(code.replace("'numpy'", "'mpmath'"), str(tmp_path))
    import mpmath

    def betas(text):
        return [mpmath.mpf(line.split()[1]) for line in text.splitlines() if line.split()[:1] and line.split()[0].isdigit()]

    fast, exact = betas(warm.stdout), betas(reference.stdout)
    assert len(fast) == len(exact) > 0
    assert max(abs(a - b) for a, b in zip(fast, exact)) <= 1e-12 * max(abs(b) for b in exact)


@pytest.mark.parametrize("terms", [["x0 +* 2"], ["__import__('os').getcwd()"], "x0", [1]])
def test_a_stored_program_that_is_not_mpmath_source_is_rederived(cache_dir, terms):
    first = builtin_program("diagonal", 2)
    _cache.store("potential", {"family": "diagonal", "depth": 2}, {**first.as_dict(), "terms": terms})
    assert builtin_program("diagonal", 2) == first
    assert potential_value(builtin_program("diagonal", 2), "3", 20) == potential_value(first, "3", 20)


@pytest.mark.parametrize("payload", [{"kind": "power", "ln_A": 0.0, "k": -1.0, "p": 2.0}, "x",
                                     {"kind": "exp", "ln_A": "0", "k": 1.0, "p": None}])
def test_a_stored_float64_form_of_the_wrong_shape_is_recomputed(cache_dir, payload):
    from krtheory.solve import _evaluate

    link = implicit_link("diagonal", 3, "1", None, 2)
    first = _evaluate._odd_data(link)
    (path,) = [p for p in cache_dir.iterdir() if p.name.startswith("float64-odd-form-")]
    entry = json.loads(path.read_text())
    _cache.store("float64-odd-form", entry["key"]["parameters"], payload)
    assert _evaluate._odd_data(link) == first == {"kind": "power", "ln_A": 0.0, "k": 1.0, "p": 3.0}


# -- exact rows of large problems persist across processes ----------------------------------------
def _large_problem(seed: int):
    """60 x 80 decimal data (4800 cells, above PERSISTED_CELLS) with rows 20 and 41 dependent."""
    import random

    from krtheory.problem import Problem

    rng = random.Random(seed)
    cells = [[rng.randint(-999, 999) for _ in range(80)] for _ in range(60)]
    cells[20] = [3 * v for v in cells[3]]
    cells[41] = [a - b for a, b in zip(cells[0], cells[1])]
    X = [[f"{v}e-3" for v in row] for row in cells]
    y = [rng.randint(-9, 9) for _ in range(60)]
    y[20], y[41] = 3 * y[3], y[0] - y[1]
    y = [str(v) for v in y]
    return Problem.from_rows(X, y, warn=False)


def test_exact_rows_of_a_large_problem_are_reused_from_the_cache(cache_dir, monkeypatch):
    from krtheory import _linalg

    problem = _large_problem(1)
    assert problem.n * problem.d >= _linalg.PERSISTED_CELLS
    expected = _linalg._fraction_rows(problem)  # the independent elimination in fractions
    assert expected == (tuple(i for i in range(60) if i not in (20, 41)), True)
    _linalg.exact_rows.cache_clear()
    assert _linalg.exact_rows(problem) == expected
    assert len(list(cache_dir.glob("exact-rows-*.json"))) == 1

    def refuse(problem):
        raise AssertionError("recomputed although the selection is stored")

    monkeypatch.setattr(_linalg, "_select_rows", refuse)
    _linalg.exact_rows.cache_clear()
    assert _linalg.exact_rows(problem) == expected
    _linalg.exact_rows.cache_clear()


@pytest.mark.parametrize("kept", [[0, 99], [3, 1], [1, 1], ["0"], "all", [0.0]])
def test_a_stored_row_selection_that_is_not_increasing_rows_of_the_problem_is_recomputed(cache_dir, kept):
    from krtheory import _linalg

    problem = _large_problem(2)
    parameters = {"data": _linalg._data_digest(problem)}
    _cache.store("exact-rows", parameters, {"kept": kept, "consistent": True})
    _linalg.exact_rows.cache_clear()
    assert _linalg.exact_rows(problem) == _linalg._fraction_rows(problem)
    assert _cache.load("exact-rows", parameters)["kept"] != kept  # overwritten with the right one
    _linalg.exact_rows.cache_clear()


def test_small_problems_do_not_touch_the_cache(cache_dir):
    from krtheory import _linalg
    from krtheory.problem import Problem

    _linalg.exact_rows.cache_clear()
    _linalg.exact_rows(Problem.from_rows([["1", "2", "3"]], ["1"], warn=False))
    assert not list(cache_dir.glob("exact-rows-*.json"))


def test_a_command_line_imports_only_its_own_command_module(tmp_path):
    code = ("import sys; from krtheory.cli import main; "
            "main(['potential', '--family', 'diagonal', '--depth', '2', '--z', '3']); "
            "print(sorted(m for m in sys.modules if m.startswith('krtheory.cli.') and m.count('.') == 2))")
    result = _run(code, str(tmp_path))
    assert result.returncode == 0, result.stderr
    commands = [m for m in eval(result.stdout.splitlines()[-1]) if m.rsplit(".", 1)[1] in
                ("verify", "derive", "potential", "solve", "flow", "bounds")]
    assert commands == ["krtheory.cli.potential"]
