"""Hypothesis settings profiles for implicit-bias properties, built on Hypothesis's own: the
parent is its built-in ``ci`` profile (derandomized, no database, ``print_blob``) when it is
active (the ``CI`` environment variable is set), else the ``default`` one. Every profile drops
the deadline (one mpmath flow takes 0.1-10 s, the time varies with the drawn problem), the
too_slow health check and the *explain* phase (it re-runs a shrunk failure with many
variations: measured 48 of 64 s of one shrink of a wrong potential).

``krtheory``           25 examples: the everyday property run
``krtheory-dev``        5 examples: while writing a property
``krtheory-thorough`` 200 examples: before publishing a claim

Load one with ``pytest --hypothesis-profile krtheory`` (the plugin registers them first) or
``settings.load_profile("krtheory")`` after :func:`register_profiles`.
"""

from __future__ import annotations

#: name -> max_examples.
PROFILES = {"krtheory": 25, "krtheory-dev": 5, "krtheory-thorough": 200}


def register_profiles() -> None:
    """Register the PROFILES (idempotent)."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis._settings import is_in_ci

    parent = settings.get_profile("ci" if is_in_ci() else "default")
    for name, examples in PROFILES.items():
        settings.register_profile(name, parent=parent, max_examples=examples, deadline=None,
                                  phases=[p for p in parent.phases if p is not Phase.explain],
                                  suppress_health_check=[*parent.suppress_health_check, HealthCheck.too_slow])


def highprec(test):
    """Drop the deadline of one Hypothesis test (what the ``highprec`` marker does under the
    plugin), keeping every other setting it has."""
    from hypothesis import settings

    current = getattr(test, "_hypothesis_internal_use_settings", None) or settings.default
    test._hypothesis_internal_use_settings = settings(parent=current, deadline=None)
    return test
