"""krtheory: a symbolic-plus-numeric verifier for the implicit bias of overparametrized models.

It derives implicit regularizers (sympy), integrates gradient flows at high precision
(mpmath), and checks the theorems of Woodworth et al., "Kernel and Rich Regimes in
Overparametrized Models" (COLT 2020), returning three-valued verdicts with evidence.
"""

from krtheory.claims import Claim, RunConfig, Status, Verdict
from krtheory.errors import InvalidArgument, KRTheoryError, NoConvergence, NotApplicable
from krtheory.precision import Tolerance
from krtheory.problem import Problem

__all__ = [
    "Claim", "RunConfig", "Status", "Verdict",
    "KRTheoryError", "InvalidArgument", "NoConvergence", "NotApplicable",
    "Tolerance", "Problem",
]
