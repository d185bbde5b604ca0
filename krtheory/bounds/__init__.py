"""The alpha-scaling bounds of the paper and how tight they are.

``formulas`` (Theorem 2, Lemmas 1-3 and the depth-D bound, in a context), ``printed`` (the
reference norms and ``printed_bounds`` of a problem), ``witness`` (Q^D_alpha, the Lemma 2
witnesses and Figure 3(b)) and ``thresholds`` (``measure_thresholds``: the measured alphas).
"""
