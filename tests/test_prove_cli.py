"""``krtheory prove`` on the command line: exit codes 0 PROVED, 1 REFUTED, 2 UNDECIDED, 3 bad
input (one line on stderr, nothing written); the JSON keys the issue names; certificates and
their replay; the list of the paper's inequalities; the missing-extra message."""

from __future__ import annotations

import json
import sys

import pytest

from krtheory.cli import main
from tests.prove_reference import difference_mp


def prove_cli(capsys, *argv):
    code = main(["prove", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_proved_json_has_the_named_keys(capsys, tmp_path):
    cert = tmp_path / "c.json"
    code, out, err = prove_cli(capsys, "--inequality", "q(z) >= z*log(z) - z", "--var", "z",
                               "--domain", "(0, inf)", "--json", "--certificate", str(cert))
    record = json.loads(out)
    assert code == 0 and not err
    assert {"status", "witness", "boxes", "seconds", "certificate", "undecided"} <= set(record)
    assert record["status"] == "PROVED" and record["witness"] is None and record["certificate"] == str(cert)
    assert json.loads(cert.read_text())["status"] == "PROVED"
    code, out, _ = prove_cli(capsys, "--replay", str(cert))
    assert code == 0 and out.startswith("PROVED (replayed)")


def test_refuted_prints_a_witness_that_fails_in_mpmath(capsys, tmp_path):
    code, out, _ = prove_cli(capsys, "--inequality", "q(z) >= z*log(z) - 0.99*z", "--domain", "(0, inf)",
                             f"--json={tmp_path / 'r.json'}", "--certificate", str(tmp_path / "c.json"))
    record = json.loads((tmp_path / "r.json").read_text())
    assert code == 1 and out.startswith("REFUTED") and record["status"] == "REFUTED"
    assert difference_mp("q(z) >= z*log(z) - 0.99*z", "z", record["witness"]) < 0


def test_undecided_lists_the_smallest_boxes(capsys, tmp_path):
    code, out, _ = prove_cli(capsys, "--inequality", "sin(z)**2 >= 0", "--domain", "[3, 4]", "--json",
                             "--certificate", str(tmp_path / "c.json"))
    record = json.loads(out)
    assert code == 2 and record["status"] == "UNDECIDED" and record["undecided"]
    lo, hi = (float(x) for x in record["undecided"][0])
    assert lo <= 3.141592653589793 <= hi


def test_the_default_certificate_is_named_after_the_statement(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = ("--inequality", "exp(z) >= 1 + z", "--domain", "[-1, 1]", "--json")
    first = json.loads(prove_cli(capsys, *argv)[1])["certificate"]
    second = json.loads(prove_cli(capsys, *argv)[1])["certificate"]
    assert first == second and first.startswith("prove-") and (tmp_path / first).exists()


def test_q_D_takes_its_depth_from_the_option(capsys, tmp_path):
    code, out, _ = prove_cli(capsys, "--inequality", "q_D(u) <= u", "--var", "u", "--domain", "[0, 64]",
                             "--D", "4", "--certificate", str(tmp_path / "c.json"))
    assert code == 0 and "PROVED" in out


def test_list_shows_every_registered_inequality(capsys):
    from krtheory.prove.paper import inequalities

    code, out, _ = prove_cli(capsys, "--list", "--json")
    ids = [r["id"] for r in json.loads(out)["inequalities"]]
    assert code == 0 and ids == [i.id for i in inequalities()] and "q.lemma1-upper" in ids


@pytest.mark.parametrize("argv, message", [
    (["--inequality", "q(z) >= ", "--domain", "[0, 1]"], "does not parse"),
    (["--inequality", "z >= 0", "--domain", "[3, 1]"], "below the right end"),
    (["--inequality", "bessel(z) >= 0", "--domain", "[0, 1]"], "unknown function"),
    (["--inequality", "z >= 0"], "needs --domain"),
    (["--domain", "[0, 1]"], "exactly one of"),
    (["--inequality", "z >= 0", "--domain", "[0, 1]", "--replay", "x.json"], "exactly one of"),
    (["--inequality", "q_D(z) >= 0", "--domain", "[0, 1]", "--D", "2"], "--D must be"),
    (["--inequality", "z >= 0", "--domain", "[0, 1]", "--prec", "1e9"], "bits"),
    (["--inequality", "z >= 0", "--domain", "[0, 1]", "--var", "log"], "--var"),
    (["--inequality", "z >= 0", "--domain", "[0, 1]", "--certificate", "/nonexistent/dir/c.json"], "does not exist"),
    (["--replay", "/nonexistent/c.json"], "cannot read"),
])
def test_bad_input_is_one_line_and_exit_3(capsys, tmp_path, argv, message, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = prove_cli(capsys, *argv)
    assert code == 3 and not out and message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_json_and_certificate_must_differ(capsys, tmp_path):
    same = str(tmp_path / "same.json")
    code, _, err = prove_cli(capsys, "--inequality", "z >= 0", "--domain", "[0, 1]", "--json", same,
                             "--certificate", same)
    assert code == 3 and "different files" in err


def test_without_python_flint_the_command_names_the_extra(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "flint", None)  # import flint now raises ImportError
    code, out, err = prove_cli(capsys, "--inequality", "z >= 0", "--domain", "[0, 1]",
                               "--certificate", str(tmp_path / "c.json"))
    assert code == 3 and not out
    assert err.strip() == "krtheory: error: python-flint is not installed: pip install 'krtheory[flint]'"
    assert not (tmp_path / "c.json").exists()
