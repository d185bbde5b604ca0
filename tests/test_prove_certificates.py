"""Certificates of krtheory prove and their replay: a replay re-checks every piece from the file
alone; a certificate whose pieces do not cover the domain, whose enclosures do not check, or
whose witness does not fail is rejected."""

from __future__ import annotations

import copy
import json
import time

import pytest

from krtheory.errors import InvalidArgument
from krtheory.prove import parse_statement
from krtheory.prove.certificate import certificate
from krtheory.prove.replay import replay, replay_record
from krtheory.prove.search import prove


def certify(text, domain, var="z", D=None):
    statement = parse_statement(text, var, domain, D)
    outcome = prove(statement)
    return certificate(statement, outcome), outcome


@pytest.fixture(scope="module")
def proved():
    """A certificate with every kind of piece: taylor, monotone, touch (at 1) and tails at 0 and inf."""
    record, outcome = certify("z*log(z) - z + 1 >= 0", "(0, inf)")
    assert outcome.status == "PROVED"
    assert {p["method"] for p in record["pieces"]} >= {"taylor", "touch", "tail"}
    return record


def write(tmp_path, record, name="c.json"):
    path = tmp_path / name
    path.write_text(json.dumps(record))
    return path


def test_a_proof_replays_from_the_file_faster_than_the_search(tmp_path):
    record, outcome = certify("asinh(z/2) - log(z) > 0", "[1, 1000000]")
    start = time.perf_counter()
    result = replay(write(tmp_path, record))
    assert result["status"] == "PROVED" and result["pieces"] == len(record["pieces"])
    assert time.perf_counter() - start < max(outcome.seconds, 0.05)


@pytest.mark.parametrize("text, domain, D", [
    ("q(z) >= z**2/4 - z**4/192", "(-inf, inf)", None),
    ("q_3(u) >= u - 1.5*u**(2/3)", "(0, 100]", 3),
    ("exp(z) >= 1 + z", "[-5, 5]", None),
])
def test_proofs_with_tails_and_tangency_replay(text, domain, D, tmp_path):
    record, outcome = certify(text, domain, "u" if D else "z", D)
    assert outcome.status == "PROVED"
    assert replay(write(tmp_path, record))["status"] == "PROVED"


def test_a_refutation_replays_its_witness(tmp_path):
    record, outcome = certify("q(z) >= z*log(z) - z + 2.01", "(0, inf)")
    assert outcome.status == "REFUTED" and replay(write(tmp_path, record))["status"] == "REFUTED"


def test_an_undecided_certificate_replays_its_proved_pieces(tmp_path):
    record, outcome = certify("sin(z)**2 >= 0", "[3, 4]")
    assert outcome.status == "UNDECIDED" and replay(write(tmp_path, record))["status"] == "UNDECIDED"


# -- tampering -------------------------------------------------------------------------------
def tampered(record, change):
    copy_ = copy.deepcopy(record)
    change(copy_)
    return copy_


def _piece(record, method):
    return next(p for p in record["pieces"] if p["method"] == method)


TAMPERINGS = {
    "a piece removed": (lambda r: r["pieces"].pop(len(r["pieces"]) // 2), "gap"),
    "a piece shortened": (lambda r: r["pieces"][1].update(hi=str(_mid(r["pieces"][1]))), "gap|does not check"),
    "the last piece stops short": (lambda r: r["pieces"].pop(), "not over the domain"),
    "a lower bound raised": (lambda r: _piece(r, "taylor").update(lower="1e6"), "does not check"),
    "a taylor centre moved out": (lambda r: _piece(r, "taylor").update(centre="1e9"), "outside"),
    "a touch order changed": (lambda r: _piece(r, "touch").update(order=3), "order"),
    "a tail tau widened": (lambda r: r["pieces"][-1].update(tau="1/2"), "inside 1/tau|does not check"),
    "a tail lower bound raised": (lambda r: r["pieces"][-1].update(lower="100"), "does not check"),
    "the statement changed": (lambda r: r["statement"].update(inequality="z*log(z) - 1.01*z + 1 >= 0"),
                              "does not check|gap|order"),
    "the domain widened": (lambda r: r["statement"].update(domain="(-1, inf)"), "not over the domain|open end"),
    "an unknown method": (lambda r: r["pieces"][0].update(method="trust-me"), "method"),
    "a non-number end": (lambda r: r["pieces"][2].update(lo="one"), "exact number"),
    "a negative lower bound": (lambda r: _piece(r, "taylor").update(lower="-1"), "does not prove"),
    "an absurd precision": (lambda r: r.update(prec=10 ** 9), "prec"),
    "a bad format": (lambda r: r.update(format="other"), "not a krtheory prove certificate"),
    "another version": (lambda r: r.update(version=2), "version"),
    "no statement": (lambda r: r.pop("statement"), "statement"),
    "a malformed statement": (lambda r: r["statement"].update(inequality="z >="), "does not parse"),
}


def _mid(piece):
    from fractions import Fraction

    return (Fraction(piece["lo"]) + Fraction(piece["hi"])) / 2


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_a_tampered_certificate_is_rejected(name, proved, tmp_path):
    change, message = TAMPERINGS[name]
    with pytest.raises(InvalidArgument, match=message):
        replay(write(tmp_path, tampered(proved, change)))


def test_an_undecided_certificate_relabelled_proved_is_rejected(tmp_path):
    record, _ = certify("sin(z)**2 >= 0", "[3, 4]")
    record["status"] = "PROVED"
    with pytest.raises(InvalidArgument, match="gap"):
        replay(write(tmp_path, record))


def test_a_witness_that_does_not_fail_is_rejected(tmp_path):
    record, _ = certify("q(z) >= 1.01*(z*log(z) - z)", "[1, 1000000]")
    assert record["status"] == "REFUTED"
    record["witness"] = "2"  # where it holds: z ln z - z < 0 < q(z)
    with pytest.raises(InvalidArgument, match="does not fail"):
        replay(write(tmp_path, record))


@pytest.mark.parametrize("content, message", [
    ("", "not JSON"), ("{", "not JSON"), ("[1, 2]", "not a krtheory"), ('"text"', "not a krtheory"),
    ("\udcff", "not JSON|cannot read"),
])
def test_unreadable_certificate_files_are_refused(content, message, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(content, errors="surrogateescape")
    with pytest.raises(InvalidArgument, match=message):
        replay(path)


def test_a_missing_certificate_file_is_refused(tmp_path):
    with pytest.raises(InvalidArgument, match="cannot read"):
        replay(tmp_path / "nothing.json")


def test_replay_record_rejects_a_non_object():
    with pytest.raises(InvalidArgument, match="JSON object"):
        replay_record([1, 2])
