"""krtheory.cli.verify: exit codes, the JSON report, --list and --progress; the console script
and the light ``import krtheory``."""

import dataclasses
import json
import subprocess
import sys

import pytest

from krtheory.claims import Status, Verdict
from krtheory.cli import main
from tests.helpers import toy_claim


def test_verify_with_nothing_registered_exits_2(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {})
    assert main(["verify", f"--json={tmp_path / 'v.json'}"]) == 2
    out = capsys.readouterr().out
    assert "nothing was verified" in out
    report = json.loads((tmp_path / "v.json").read_text())
    assert report["schema"] == "krtheory.verdicts/1" and report["exit_code"] == 2
    assert report["verdicts"] == []


def test_verify_json_and_exit_code_with_atoy_claim(monkeypatch, capsys, tmp_path):
    claim = toy_claim(lambda c: Verdict(Status.REFUTED, "counterexample found", {"x": 1}))
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
    claim = toy_claim(lambda c: runs.append(c) or Verdict(Status.HOLDS, "ok"))
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {claim.id: claim})
    assert main(["verify", claim.id, claim.id]) == 0
    assert len(runs) == 1


def test_verify_list_shows_only_the_named_claims(monkeypatch, capsys):
    named = toy_claim(lambda c: Verdict(Status.HOLDS, "ok"))
    other = dataclasses.replace(named, id="test.other", statement="another statement")
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {named.id: named, other.id: other})
    assert main(["verify", "--list", named.id]) == 0
    out = capsys.readouterr().out
    assert named.id in out and other.id not in out and "another statement" not in out


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
    claim = toy_claim(lambda c: Verdict(Status.HOLDS, "ok"))
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {claim.id: claim})
    assert main(["verify"]) == 0
    plain = capsys.readouterr()
    assert "[1/1] test.claim" in plain.err
    assert main(["verify", "--progress"]) == 0
    barred = capsys.readouterr()
    assert "[1/1]" not in barred.err and "verify" in barred.err
    assert barred.out == plain.out
