"""The README's worked example (examples/test_unbalanced_depth2.py) as a user runs it: pytest in a
fresh directory (no Hypothesis database), the krtheory plugin loaded; the two true claims pass,
the potential with its scale off by 2 fails with the shrunk, re-verified counterexample."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_worked_example_passes_twice_and_fails_once_readably(tmp_path):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                   "KRTHEORY_REPLAY_DIR": str(tmp_path / "replay")}
    environment.pop("CI", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-p", "krtheory.testing.pytest_plugin", "-p",
                          "_hypothesis_pytestplugin", "-p", "no:cacheprovider", "-q", "--krtheory-verdicts",
                          str(ROOT / "examples" / "test_unbalanced_depth2.py")],
                         cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=600)
    out = run.stdout
    assert run.returncode == 1 and "1 failed, 2 passed" in out, out[-3000:]
    assert "FAILED" in out and "test_a_potential_with_the_scale_off_by_two_is_refuted" in out
    failure = out.split("AssertionError: implicit bias REFUTED", 1)[1]
    for fragment in ("(n=1, d=2)", "(re-verified); 20 asked", "beta flow", "beta claimed", "residuals",
                     "replay          krtheory flow --parametrization 'u*v' --init u="):
        assert fragment in failure, failure[:2000]
    assert "krtheory verdicts" in out
