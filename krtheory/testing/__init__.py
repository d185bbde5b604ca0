"""Test your own implicit-bias claims: Hypothesis strategies, assertion helpers that integrate the
real flow, and a pytest plugin (``pip install 'krtheory[test]'``).

    from hypothesis import given
    from krtheory.testing import assert_implicit_bias, problems

    @given(problems())
    def test_unbalanced_depth_two(problem):
        assert_implicit_bias("u*v", {"u": "0.7", "v": "0.2"}, problem)

Strategies (:mod:`krtheory.testing.strategies`): problems, alphas, epsilons, betas, depths, shapes,
widths, wide_inits, parametrizations, families. Helpers (:mod:`krtheory.testing.assertions`):
assert_implicit_bias, assert_limit, Inconclusive. Names load on first use, so importing this
package costs nothing until one is used.
"""

from __future__ import annotations

from krtheory._lazy import lazy_exports

_EXPORTS = {
    **{name: "krtheory.testing.strategies" for name in (
        "problems", "alphas", "epsilons", "betas", "depths", "shapes", "widths", "wide_inits", "parametrizations",
        "families", "Parametrization", "FamilyCase")},
    **{name: "krtheory.testing.assertions" for name in (
        "assert_implicit_bias", "assert_limit", "Evidence", "LimitEvidence", "Inconclusive")},
}

__all__ = sorted(_EXPORTS)


__getattr__, __dir__ = lazy_exports("krtheory.testing", _EXPORTS, globals())
