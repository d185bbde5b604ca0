"""proofs_checks._compare.flows_against_predictions: one flow that runs out of its budget is one
INCONCLUSIVE instance, and the other instances are still compared."""

from fractions import Fraction

import krtheory.flow.driver as driver
from krtheory.builtin_problems import builtin_problem
from krtheory.claims import Status
from krtheory.families.diagonal import implicit_link
from proofs_checks._compare import flows_against_predictions


def test_a_non_converging_flow_is_one_inconclusive_instance(monkeypatch):
    real = driver.integrate_flow

    def starved_at_alpha_10(model, problem, **options):  # a 2-step budget for one instance
        if Fraction(model.alpha) == 10:
            options["max_steps"] = 2
        return real(model, problem, **options)

    monkeypatch.setattr(driver, "integrate_flow", starved_at_alpha_10)
    problem = builtin_problem("planted-3x8")
    cases = [(problem, 2, "1", None), (problem, 2, "10", None)]
    evidence = flows_against_predictions(cases, implicit_link, "diagonal", dps=30,
                                         required_digits=20)
    first, second = evidence.instances
    assert first["status"] == Status.HOLDS.value and first["agreeing_digits"] >= 20
    assert second["status"] == Status.INCONCLUSIVE.value and "max_steps=2" in second["flow_status"]
    assert evidence.status is Status.INCONCLUSIVE and evidence.worst_digits == 0.0
    assert not evidence.certified
