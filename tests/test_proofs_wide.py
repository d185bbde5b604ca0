"""The Theorem-4 checks of proofs_checks/wide_theorem4.py can fail (the claims themselves run in
test_proofs_checks.py)."""

import dataclasses


# -- the width-rate claim can fail ------------------------------------------------------------------
def test_width_rate_check_refutes_a_width_independent_bias(monkeypatch):
    """If A_i stayed 20% off mu^2 at every width (no law of large numbers), the error would not
    decay: the fitted exponent is ~0 and the check says REFUTED."""
    from krtheory.claims import RunConfig, Status
    from proofs_checks import wide_theorem4

    exact = wide_theorem4._gaussian_AB
    monkeypatch.setattr(wide_theorem4, "_gaussian_AB", lambda *a: (1.2 * exact(*a)[0], exact(*a)[1]))
    domain = dataclasses.replace(wide_theorem4.RATE, alphas=(10, 100, 1000, 10_000))
    verdict = wide_theorem4.check_width_rate(RunConfig(), domain=domain)
    assert verdict.status is Status.REFUTED, verdict.summary
    assert abs(verdict.evidence["fitted_exponent"]) < 0.2
