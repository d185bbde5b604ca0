"""The krtheory pytest plugin (entry point ``pytest11``: ``krtheory``), active once krtheory is
installed: it imports nothing heavy until asked.

* markers ``slow`` (deselect with ``-m 'not slow'``) and ``highprec`` (a Hypothesis test whose
  examples run mpmath at high precision: its deadline is dropped);
* the settings profiles of :mod:`krtheory.testing.profiles` (``--hypothesis-profile krtheory``);
* a report header: krtheory, mpmath and its backend, the default digits, flint, sympy, hypothesis;
* ``--krtheory-verdicts``: a per-claim summary (HOLDS / REFUTED / INCONCLUSIVE) at the end of
  the run, of the assertion helpers' outcomes and of every :meth:`krtheory.Claim.run` (its
  verdicts are tallied by claim id while the option is on).
"""

from __future__ import annotations

import pytest

MARKERS = {
    "slow": "long high-precision runs (deselect with -m 'not slow')",
    "highprec": "a Hypothesis test running mpmath at high precision: no deadline (krtheory plugin)",
}


def pytest_addoption(parser):
    group = parser.getgroup("krtheory")
    group.addoption("--krtheory-verdicts", action="store_true", default=False,
                    help="print a per-claim summary of krtheory.testing's verdicts at the end of the run")


@pytest.hookimpl(tryfirst=True)  # before Hypothesis's plugin loads --hypothesis-profile
def pytest_configure(config):
    declared = {line.split(":")[0].split("(")[0].strip() for line in config.getini("markers")}
    for name, text in MARKERS.items():
        if name not in declared:
            config.addinivalue_line("markers", f"{name}: {text}")
    if config.getoption("--krtheory-verdicts"):
        _tally_claim_runs()
    profile = _option(config, "--hypothesis-profile")
    if isinstance(profile, str) and profile.startswith("krtheory"):
        from krtheory.testing.profiles import register_profiles

        register_profiles()


def pytest_collection_modifyitems(items):
    for item in items:
        function = getattr(item, "obj", None)
        if item.get_closest_marker("highprec") and hasattr(function, "hypothesis"):
            from krtheory.testing.profiles import highprec

            highprec(function)


def pytest_report_header(config):
    from importlib import metadata

    import mpmath

    def version(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    flint = version("python-flint")
    return [f"krtheory {version('krtheory') or '(not installed)'}: mpmath {mpmath.__version__} (backend "
            f"{mpmath.libmp.BACKEND}), default dps solve 50, flow 40, assertions digits + 12; "
            f"python-flint {flint + ' (certified solves)' if flint else 'not installed (no certificates)'}; "
            f"sympy {version('sympy')}; hypothesis {version('hypothesis')}"]


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not config.getoption("--krtheory-verdicts"):
        return
    from krtheory.testing.verdicts import VERDICTS, tally

    results = tally()
    terminalreporter.section("krtheory verdicts")
    if not results:
        terminalreporter.line("no claim was checked by krtheory.testing's assertion helpers")
        return
    width = max(len(claim) for claim in results)
    terminalreporter.line(f"{'claim':<{width}}  " + "  ".join(f"{v:>12}" for v in VERDICTS))
    for claim, counts in results.items():
        terminalreporter.line(f"{claim:<{width}}  " + "  ".join(f"{counts[v]:>12}" for v in VERDICTS))


def _tally_claim_runs() -> None:
    """Wrap Claim.run so that each verdict is also counted (the verdict itself is unchanged)."""
    import functools

    from krtheory.claims import Claim
    from krtheory.testing.verdicts import record

    if getattr(Claim.run, "_krtheory_tallied", False):
        return
    run = Claim.run

    @functools.wraps(run)
    def tallied(self, config):
        verdict = run(self, config)
        record(self.id, verdict.status.value)
        return verdict

    tallied._krtheory_tallied = True
    Claim.run = tallied


def _option(config, name: str):
    try:
        return config.getoption(name)
    except ValueError:  # Hypothesis's plugin absent
        return None
