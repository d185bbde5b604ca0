"""The symbolic side: the paper's general approach (§4) carried out by sympy, every step verified.

``symbols`` (shared symbols, domain form), ``checks`` (three-valued checks, ``Step``, ``StepStatus``),
``derivation`` (the ``Derivation`` result and its printing), ``engine`` (the separable engine,
``derive``/``derive_diagonal`` and their cache), ``exponential`` (linear driven systems: biased
links), ``shared_steps`` (rate, dual potential, Q_c and KKT, used by both engines) and
``potential`` (verified numerics of the derived q).
"""
