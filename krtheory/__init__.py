"""krtheory: a symbolic-plus-numeric verifier for the implicit bias of overparametrized models.

It derives implicit regularizers (sympy), integrates gradient flows at high precision
(mpmath), and checks the theorems of Woodworth et al., "Kernel and Rich Regimes in
Overparametrized Models" (COLT 2020), returning three-valued verdicts with evidence.

The names below are the public API. They are loaded on first use (PEP 562), so
``import krtheory`` costs no sympy, scipy or flint import:

>>> import krtheory
>>> sorted(krtheory.__all__)[:3]
['AbstractFamily', 'Claim', 'DiagonalModel']
"""

from __future__ import annotations

from krtheory._lazy import lazy_exports

#: public name -> the module that defines it (the pipeline of the README, in order).
_EXPORTS = {
    # problems
    "Problem": "krtheory.problem",
    "builtin_problem": "krtheory.builtin_problems",
    "builtin_problems": "krtheory.builtin_problems",
    # the families and their derivations (the symbolic side)
    "FAMILIES": "krtheory.families.registry",
    "AbstractFamily": "krtheory.families.base",
    "derive_diagonal": "krtheory.derive.engine",
    "derive_parametrization": "krtheory.families.custom",
    "Link": "krtheory.links",
    "implicit_link": "krtheory.families.diagonal",
    "wide_link": "krtheory.families.wide",
    # the prediction
    "predict": "krtheory.solve.predict",
    "dual_trajectory": "krtheory.solve.dual_ode",
    # the evidence
    "integrate_flow": "krtheory.flow.driver",
    "DiagonalModel": "krtheory.flow.models",
    "WideModel": "krtheory.flow.models",
    "ParametrizedModel": "krtheory.flow.models",
    "custom_model": "krtheory.families.custom_models",
    "custom_link": "krtheory.families.custom_models",
    # references and bounds
    "min_l1": "krtheory.references",
    "min_l2": "krtheory.references",
    "printed_bounds": "krtheory.bounds.printed",
    "measure_thresholds": "krtheory.bounds.thresholds",
    # claims and verdicts
    "Claim": "krtheory.claims",
    "Domain": "krtheory.claims",
    "RunConfig": "krtheory.claims",
    "Status": "krtheory.claims",
    "Verdict": "krtheory.claims",
    "Tolerance": "krtheory.precision",
    # errors
    "KRTheoryError": "krtheory.errors",
    "InvalidArgument": "krtheory.errors",
    "NoConvergence": "krtheory.errors",
    "NotApplicable": "krtheory.errors",
    # matrix completion and sensing (§6)
    "MatrixMeasurements": "krtheory.flow.measurements",
    "integrate_matrix_flow": "krtheory.flow.matrix",
    "wishart_factor": "krtheory.flow.gram",
    "min_nuclear_norm": "krtheory.solve.nuclear",
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports("krtheory", _EXPORTS, globals())
