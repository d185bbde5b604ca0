"""Theorem 1 (§4, eqs. 4-5): the depth-2 gradient flow from alpha*w0 converges to
argmin Q_{alpha,w0}(beta) s.t. X beta = y.

Evidence: the parameter-space flow (krtheory.flow.driver, which never sees Q) against the dual solve
of the *derived* hypentropy (krtheory.derive.engine -> krtheory.solve.mp), at dps 40, to >= 25 digits.
``check_theorem1`` takes the link factory as a parameter so that a test can feed it a wrong
potential (R in place of Q) and see it REFUTED.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

from krtheory.builtin_problems import builtin_problem
from krtheory.claims import Claim, Domain, RunConfig, Verdict, register
from krtheory.precision import Tolerance
from krtheory.families.diagonal import implicit_link
from proofs_checks._compare import flows_against_predictions

REQUIRED_DIGITS = 25
#: Small alpha is stiff (horizon ~ alpha^-2): the flows hand the tail to Radau IIA steps
#: (method "auto"), 3 s at alpha = 1e-3 on planted-3x8, 7 s at 1e-4 on planted-5x12.
DOMAIN = Domain("built-in dyadic problems (n <= 5, d <= 12), w0 = 1",
                problems={"quick": ("planted-3x8",), "full": ("planted-3x8", "planted-4x10", "planted-5x12")},
                alphas={"quick": ("1e-3", "1e-2", "0.1", "1", "10", "100"),
                        "full": ("1e-4", "1e-3", "1e-2", "0.1", "1", "10", "100")}, dps=40)
SHAPED = dataclasses.replace(DOMAIN, subject="built-in dyadic problems (n <= 5, d <= 12), seeded random "
                                             "positive dyadic shapes in [1/2, 2]")
TOLERANCE = Tolerance(REQUIRED_DIGITS, "flow at dps 40 stops at loss ~1e-72 and carries an error "
                                       "estimate; the issue's bar is 25 significant digits")


def random_shape(rng, d: int) -> tuple[str, ...]:
    """A positive shape w0 with exact dyadic entries in [1/2, 2]."""
    return tuple(str(Fraction(int(k), 16)) for k in rng.integers(8, 33, size=d))


def check_theorem1(config: RunConfig, *, general_shape: bool, link_factory=implicit_link,
                   family: str = "diagonal", domain: Domain = DOMAIN) -> Verdict:
    """Flow limit vs predicted argmin for every problem and alpha of ``domain`` in the mode."""
    import numpy as np

    rng = np.random.default_rng(config.seed)
    alphas = domain.alphas_in(config.mode)

    def cases():
        for name in domain.problems_in(config.mode):
            problem = builtin_problem(name)
            shape = random_shape(rng, problem.d) if general_shape else None
            for alpha in alphas:
                yield problem, 2, alpha, shape

    evidence = flows_against_predictions(cases(), link_factory, family, dps=domain.dps,
                                         required_digits=REQUIRED_DIGITS)
    covered = (f"alpha in {{{', '.join(alphas)}}}"
               + (", random positive shapes" if general_shape else ", w0 = 1"))
    return Verdict(evidence.status, evidence.summary(REQUIRED_DIGITS, covered),
                   {"dps": domain.dps, "required_digits": REQUIRED_DIGITS, "alphas_covered": list(alphas),
                    "seed": config.seed, "instances": evidence.instances}, certified=evidence.certified)


register(Claim(
    id="thm1.unit-shape",
    statement="The depth-2 flow from w+(0) = w-(0) = alpha*1 converges to argmin Q_alpha(beta) "
              "s.t. X beta = y, Q_alpha = alpha^2 sum q(beta_i/alpha^2)",
    reference="§4, Theorem 1 (special case w0 = 1), eq. (4)",
    domain=DOMAIN,
    tolerance=TOLERANCE,
    check=lambda config: check_theorem1(config, general_shape=False)))

register(Claim(
    id="thm1.general-shape",
    statement="The depth-2 flow from alpha*w0 converges to argmin Q_{alpha,w0}(beta) s.t. "
              "X beta = y, Q_{alpha,w0} = sum alpha^2 w0_i^2 q(beta_i/(alpha^2 w0_i^2))",
    reference="§4, Theorem 1 (general case), eq. (5)",
    domain=SHAPED,
    tolerance=TOLERANCE,
    check=lambda config: check_theorem1(config, general_shape=True, domain=SHAPED)))
