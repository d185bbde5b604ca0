"""The paper's scalar inequalities, proved over their whole domains by ``krtheory prove``'s
interval branch and bound (python-flint ball arithmetic) and certified: each part's certificate
is replayed independently of the search before the claim HOLDS. The statements and their
reductions to one variable are in :mod:`krtheory.prove.paper` (Lemma 1, Lemma 3 of Appendix D;
the small- and large-z bounds of q, eqs. 6-7; r is not a rescaling of q, §5; q_D bounds of
Theorem 3 for D = 3, 4, 5, 10).
"""

from __future__ import annotations

from krtheory.claims import Claim, Domain, Status, Verdict, register
from krtheory.precision import Tolerance

#: Seconds a part may search before it is left UNDECIDED (the issue's "under a minute").
PART_SECONDS = 60
TOLERANCE = Tolerance.criterion("rigorous: ball arithmetic (arb) enclosures on every piece, replayed")


def check_inequality(inequality) -> Verdict:
    """Prove every part, replay its certificate; HOLDS only when all are PROVED and replay."""
    from krtheory.errors import MissingExtra
    from krtheory.prove.certificate import certificate
    from krtheory.prove.replay import replay_record
    from krtheory.prove.search import prove
    from krtheory.prove.statement import parse_statement

    parts, statuses = [], []
    for part in inequality.parts:
        statement = parse_statement(part.inequality, part.var, part.domain, part.D)
        try:
            outcome = prove(statement, seconds=PART_SECONDS)
        except MissingExtra as error:
            return Verdict(Status.INCONCLUSIVE, str(error), {"error": "MissingExtra"})
        replayed = replay_record(certificate(statement, outcome), f"{inequality.id} certificate")["status"]
        status = {"PROVED": Status.HOLDS, "REFUTED": Status.REFUTED}.get(outcome.status, Status.INCONCLUSIVE)
        if replayed != outcome.status:
            status = Status.INCONCLUSIVE
        statuses.append(status)
        parts.append({"inequality": part.inequality, "var": part.var, "domain": part.domain,
                      "status": outcome.status, "replayed": replayed, "boxes": outcome.boxes,
                      "pieces": len(outcome.pieces), "seconds": round(outcome.seconds, 3),
                      "witness": outcome.witness, "undecided": outcome.undecided[:3]})
    status = Status.combine(*statuses)
    summary = "; ".join(f"{p['inequality']} on {p['domain']}: {p['status']} ({p['boxes']} boxes, "
                        f"{p['seconds']} s)" for p in parts)
    return Verdict(status, summary, {"parts": parts, "reduction": inequality.reduction},
                   certified=status is Status.HOLDS)


def _register_all() -> None:
    from krtheory.prove.paper import inequalities

    for inequality in inequalities():
        register(Claim(
            id=f"prove.{inequality.id}",
            statement=inequality.statement,
            reference=inequality.reference,
            domain=Domain("; ".join(f"{p.var} in {p.domain}" for p in inequality.parts)),
            tolerance=TOLERANCE,
            check=lambda config, inequality=inequality: check_inequality(inequality)))


_register_all()
