"""--json FILE: checked before the work, written atomically with the user's umask, through symlinks."""

import json
import math
import os
import stat
from pathlib import Path

import pytest

from krtheory.cli import main

POTENTIAL = ["potential", "--depth", "2", "--z", "1"]


@pytest.fixture
def no_work(monkeypatch):
    """Make the potential command's run() fail the test if it is reached."""
    def run(args):
        raise AssertionError("the computation started before the --json destination was checked")
    monkeypatch.setattr("krtheory.cli.potential.run", run)


@pytest.mark.parametrize("destination, fragment", [
    (".", "is a directory"), ("", "empty"), ("/proc/x.json", "cannot write"),
    ("/no/such/dir/x.json", "does not exist"),
])
def test_bad_destination_exits_3_before_the_work(no_work, capsys, destination, fragment):
    assert main([*POTENTIAL, "--json", destination]) == 3
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_read_only_directory_exits_3_before_the_work(no_work, tmp_path, capsys):
    tmp_path.chmod(0o500)
    try:
        assert main([*POTENTIAL, "--json", str(tmp_path / "q.json")]) == 3
    finally:
        tmp_path.chmod(0o700)
    assert "cannot write" in capsys.readouterr().err


def test_file_gets_the_umask_mode(tmp_path, capsys):
    old = os.umask(0o027)
    try:
        assert main([*POTENTIAL, "--json", str(tmp_path / "q.json")]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "q.json").stat().st_mode) == 0o640
    q = 2 - math.sqrt(5) + math.asinh(0.5)  # depth 2: q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2)
    assert float(json.loads((tmp_path / "q.json").read_text())["value"]) == pytest.approx(q, rel=1e-14)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.json"]


def test_symlink_is_written_through(tmp_path, capsys):
    (tmp_path / "real.json").write_text("old")
    (tmp_path / "link.json").symlink_to("real.json")
    assert main([*POTENTIAL, "--json", str(tmp_path / "link.json")]) == 0
    assert (tmp_path / "link.json").is_symlink()
    assert "value" in json.loads((tmp_path / "real.json").read_text())


def test_verify_json_into_a_directory_is_one_line(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr("krtheory.cli.verify.load_registry", lambda: {})
    assert main(["verify", "--json", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert "is a directory" in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_progress_is_silent_off_a_terminal_and_on_stderr_when_asked(capsys):
    from krtheory.cli.progress import progress

    assert list(progress(range(3), enabled=False)) == [0, 1, 2]
    assert list(progress([1, 2], desc="solve", enabled=True)) == [1, 2]
    out, err = capsys.readouterr()
    assert out == "" and ("2/2" in err or "solve" in err)


def test_python_dash_m_krtheory_runs():
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "krtheory", "--version"], capture_output=True,
                            text=True, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert result.returncode == 0 and result.stdout.startswith("krtheory"), result.stderr


def test_text_output_has_no_python_reprs(capsys):
    """Text output reads as text: no None/True/False or list brackets (JSON keeps the types)."""
    from krtheory.cli import main

    for argv in (["solve", "--X", "examples/X.csv", "--y", "examples/y.csv", "--dps", "20"],
                 ["flow", "--X", "examples/X.csv", "--y", "examples/y.csv", "--dps", "20"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        for repr_text in ("None", "True", "False", "['", "Model("):
            assert repr_text not in out, (argv[0], repr_text)


def test_a_repeated_warning_is_shown_once(capsys):
    from krtheory.cli import _show_warning

    for _ in range(3):
        _show_warning("python-flint is not installed (test)", UserWarning, __file__, 1)
    assert capsys.readouterr().err.count("python-flint is not installed (test)") == 1
