"""§4, eqs. (8)-(9): the implicit bias of the depth-2 flow is NOT the explicit regularizer
R_{alpha,w0}(beta) = min ||w - alpha w0||^2 over the fibre F(w) = beta.

At intermediate alpha the flow's limit (krtheory.flow.driver) and argmin R s.t. X beta = y (the
derived explicit link, krtheory.families.explicit, solved by krtheory.solve.mp) must differ by far more
than the flow's error estimate: the paper's "the implicit bias is not the explicit one".
"""

from __future__ import annotations

from krtheory.builtin_problems import builtin_problem
from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.flow.driver import integrate_flow
from krtheory.flow.models import DiagonalModel
from krtheory.precision import Tolerance
from krtheory.families.diagonal import implicit_link
from krtheory.solve.predict import predict
from proofs_checks._compare import compare_limits

DOMAIN = Domain("built-in dyadic problems, w0 = 1",
                problems={"quick": ("planted-3x8",), "full": ("planted-3x8", "planted-4x10", "planted-5x12")},
                alphas=("0.3", "1", "3"), dps=40)
#: the gap must exceed the combined error budget of flow and solve by this factor
SEPARATION = 10 ** 6


def check_not_explicit(config: RunConfig) -> Verdict:
    instances, separated, budgets = [], [], []
    dps = DOMAIN.dps
    for name in DOMAIN.problems_in(config.mode):
        problem = builtin_problem(name)
        for alpha in DOMAIN.alphas_in(config.mode):
            flow = integrate_flow(DiagonalModel(2, alpha), problem, dps=dps)
            explicit = predict(problem, implicit_link("explicit", 2, alpha, None, problem.d), dps=dps)
            agreement = compare_limits(flow, explicit, 25)
            separated.append(agreement.distance > SEPARATION * agreement.budget)
            budgets.append(float(agreement.budget))
            instances.append({"problem": name, "alpha": alpha, **agreement.as_dict()})
    status = Status.HOLDS if all(separated) else Status.REFUTED
    gaps = ", ".join(f"{i['alpha']}: {i['distance']}" for i in instances)
    return Verdict(status, f"flow limit vs argmin R: relative gaps at alpha {gaps} (error budgets "
                           f"<= {max(budgets):.1e})",
                   {"dps": dps, "separation_factor": SEPARATION, "instances": instances})


register(Claim(
    id="eq8-9.implicit-not-explicit",
    statement="At intermediate alpha the depth-2 flow limit is not argmin R_{alpha,1}(beta) s.t. "
              "X beta = y, R = min ||w - alpha 1||^2 over F(w) = beta",
    reference="§4, eqs. (8)-(9)",
    domain=DOMAIN,
    tolerance=Tolerance.criterion(f"relative gap > {SEPARATION:.0e} x (flow error estimate + "
                                  "solve's verified error)"),
    check=check_not_explicit))
