"""The curated public API: every name in ``krtheory.__all__`` resolves lazily, and the
README's Python examples need nothing but ``import krtheory``."""

from __future__ import annotations

import subprocess
import sys

import pytest

import krtheory


@pytest.mark.parametrize("name", krtheory.__all__)
def test_every_public_name_resolves(name):
    assert getattr(krtheory, name) is not None


def test_unknown_names_are_attribute_errors():
    with pytest.raises(AttributeError, match="no attribute 'solve_link'"):
        krtheory.solve_link  # noqa: B018  (an implementation detail, not the API)


def test_a_verb_loads_only_its_own_room():
    code = ("import sys, krtheory; krtheory.min_l2; "
            "print(sorted(m for m in sys.modules if m.startswith('krtheory.')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert "krtheory.references" in loaded and "krtheory.flow" not in loaded


def test_the_readme_example_runs_from_the_public_api():
    problem = krtheory.builtin_problem("planted-5x12")
    link = krtheory.implicit_link("diagonal", 2, "1", None, problem.d)
    prediction = krtheory.predict(problem, link, dps=30, backend="mpmath")
    flow = krtheory.integrate_flow(krtheory.DiagonalModel(2, "1"), problem, dps=30)
    agree = max(abs(a - b) for a, b in zip(prediction.beta, flow.beta))
    assert agree < 1e-20


def test_the_family_registry_is_public_and_light():
    """``krtheory.FAMILIES`` lists every --family value without importing sympy."""
    code = ("import sys, krtheory; print(sorted(krtheory.FAMILIES)); "
            "print(all(isinstance(f, krtheory.AbstractFamily) for f in krtheory.FAMILIES.values())); "
            "print('sympy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:3] == ["['custom', 'diagonal', 'explicit', 'l1', 'l2', 'matrix', 'nuclear', 'wide']", "True", "False"]
