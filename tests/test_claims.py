"""krtheory.claims: verdicts, exit codes, the verdict record and the registry."""

import json

import pytest

from krtheory import InvalidArgument
from krtheory.claims import RunConfig, Status, Verdict, exit_code, register, verdict_record
from krtheory.errors import NoConvergence
from krtheory.precision import Tolerance, context
from tests.helpers import toy_claim


def test_claim_turns_krtheory_errors_into_inconclusive():
    def gives_up(config):
        raise NoConvergence("step budget exhausted")

    verdict = toy_claim(gives_up).run(RunConfig())
    assert verdict.status is Status.INCONCLUSIVE
    assert "step budget exhausted" in verdict.summary


def test_exit_codes():
    holds, refuted, unsure = (Verdict(s, "") for s in Status)
    assert exit_code([holds, holds]) == 0
    assert exit_code([holds, refuted, unsure]) == 1
    assert exit_code([holds, unsure]) == 2
    assert exit_code([]) == 2


def test_verdict_record_schema():
    claim = toy_claim(lambda c: Verdict(Status.HOLDS, "ok", {"digits": context(30).mpf(2) / 3}))
    record = verdict_record(claim, claim.run(RunConfig()))
    assert set(record) == {"id", "status", "statement", "reference", "domain", "tolerance",
                           "summary", "certified", "seconds", "evidence"}
    assert record["status"] == "HOLDS" and record["evidence"]["digits"].startswith("0.666")
    json.dumps(record)


@pytest.mark.parametrize("make", [
    lambda: RunConfig(seed=-1),
    lambda: RunConfig(seed=1.5),
    lambda: RunConfig(mode="slow"),
    lambda: Tolerance.from_dps(10, 10, "all digits lost"),
])
def test_bad_run_settings_are_invalid_arguments(make):
    with pytest.raises(InvalidArgument):
        make()


def test_registering_an_id_twice_is_an_invalid_argument(monkeypatch):
    monkeypatch.setattr("krtheory.claims.REGISTRY", {})
    claim = toy_claim(lambda c: Verdict(Status.HOLDS, "ok"))
    register(claim)
    with pytest.raises(InvalidArgument):
        register(claim)
