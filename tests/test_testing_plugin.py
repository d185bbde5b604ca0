"""The pytest plugin (entry point pytest11 ``krtheory``): header, markers, the highprec deadline,
the profiles on Hypothesis's built-in ``ci``, the --krtheory-verdicts summary, and that loading
it imports nothing heavy. Runs pytest in a subprocess on a throwaway test file."""

import os
import subprocess
import sys
import tomllib
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]

USER_TESTS = '''
import pytest
from krtheory import Problem
from krtheory.testing import assert_implicit_bias

SMALL = Problem.from_rows([["1", "0.5", "-0.25"], ["0", "1", "0.75"]], ["0.5", "-1"], name="small")

def test_a_claim():
    assert_implicit_bias("u*v", {"u": "0.7", "v": "0.2"}, SMALL, digits=10)

@pytest.mark.slow
def test_marked_slow():
    pass

def test_a_registered_style_claim():
    from krtheory import Claim, Domain, RunConfig, Status, Tolerance, Verdict
    claim = Claim("user.sum", "1 + 1 = 2", "0", Domain("integers"), Tolerance.criterion("exact"),
                  lambda config: Verdict(Status.HOLDS, "checked"))
    assert claim.run(RunConfig()).status is Status.HOLDS

def test_profile_name():
    from hypothesis import settings
    print("PROFILE", settings.get_current_profile_name(), settings.default.max_examples, settings.default.deadline)
'''
#: No krtheory import; Hypothesis's default profile (deadline 200 ms) unless marked highprec.
PLAIN_TESTS = '''
import time
import pytest
from hypothesis import given, strategies as st

@given(st.integers(0, 1))
def test_deadline(k):
    time.sleep(0.3)

@pytest.mark.highprec
@given(st.integers(0, 1))
def test_highprec(k):
    time.sleep(0.3)
'''


def _environment(tmp_path):
    """This checkout first on the path, replays under tmp_path, CI unset (local Hypothesis defaults),
    no plugin autoloading (an installed krtheory's entry point would register the plugin twice):
    the plugins are named with -p."""
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "KRTHEORY_REPLAY_DIR": str(tmp_path / "replay"),
                   "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    environment.pop("CI", None)
    return environment


def _pytest(tmp_path, *options, file="test_user.py", text=USER_TESTS):
    (tmp_path / file).write_text(text)
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "krtheory.testing.pytest_plugin", "-p",
                           "_hypothesis_pytestplugin", "-p", "no:cacheprovider", "-q", "-rA", *options, str(tmp_path / file)], cwd=tmp_path,
                          env=_environment(tmp_path), capture_output=True, text=True, timeout=300)


def test_header_markers_profile_and_the_verdict_summary(tmp_path):
    run = _pytest(tmp_path, "--krtheory-verdicts", "--hypothesis-profile", "krtheory-dev", "-v")
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    assert "krtheory" in out and "mpmath" in out and "(backend " in out and "hypothesis" in out
    assert "PROFILE krtheory-dev 5 None" in out  # our profile, loaded by Hypothesis's own option
    assert "krtheory verdicts" in out
    summary = out.split("krtheory verdicts")[1]
    assert "flow of beta = u*v from u=0.7, v=0.2 -> the derived regularizer's argmin" in summary
    assert summary.split("argmin")[1].split()[:3] == ["1", "0", "0"]  # HOLDS, REFUTED, INCONCLUSIVE
    assert summary.split("user.sum")[1].split()[:3] == ["1", "0", "0"]  # a Claim.run, tallied by id


def test_highprec_drops_the_deadline_and_no_summary_without_the_option(tmp_path):
    run = _pytest(tmp_path, file="test_plain.py", text=PLAIN_TESTS)
    assert "PASSED test_plain.py::test_highprec" in run.stdout  # 0.3 s examples, deadline dropped
    assert "FAILED test_plain.py::test_deadline" in run.stdout and "DeadlineExceeded" in run.stdout
    assert "krtheory verdicts" not in run.stdout


def test_loading_the_plugin_imports_nothing_heavy():
    code = ("import sys, krtheory.testing.pytest_plugin; "
            "print(sorted(m for m in ('sympy', 'hypothesis', 'mpmath', 'numpy', 'krtheory.testing.strategies') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)},
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_the_entry_point_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"krtheory": "krtheory.testing.pytest_plugin"}


def test_the_profiles_build_on_hypothesis_ci_profile(monkeypatch):
    from hypothesis import Phase, settings

    from krtheory.testing.profiles import PROFILES, register_profiles

    monkeypatch.setenv("CI", "1")
    register_profiles()
    ci = settings.get_profile("krtheory")
    monkeypatch.delenv("CI")
    register_profiles()
    local = settings.get_profile("krtheory")
    builtin = settings.get_profile("ci")
    assert ci.derandomize and (ci.database, ci.print_blob) == (builtin.database, builtin.print_blob)
    assert not local.derandomize
    for profile in (ci, local):
        assert profile.deadline is None and Phase.explain not in profile.phases
    assert {name: settings.get_profile(name).max_examples for name in PROFILES} == PROFILES
