"""``krtheory prove``: computer-assisted proofs of one-variable inequalities between the
paper's special functions, by interval branch and bound in python-flint's ball arithmetic
(the optional extra ``flint``), with certificates anyone can replay.

- :mod:`~krtheory.prove.statement`: the text of an inequality and its domain -> a tree;
- :mod:`~krtheory.prove.series`, :mod:`~krtheory.prove.potentials`: Taylor series of the tree
  in ball (arb_series) or exact (fmpq_series) arithmetic, q and q_D included;
- :mod:`~krtheory.prove.checks`: the enclosures that decide a piece (Taylor form, monotonicity,
  tangency reduction);
- :mod:`~krtheory.prove.asymptotic`, :mod:`~krtheory.prove.tails`: expansions L^b t^m S(t) with
  Taylor-model remainders at infinite and singular ends, and the end pieces they decide;
- :mod:`~krtheory.prove.search`: the branch and bound (:mod:`~krtheory.prove.numbers`: exact
  rationals, split points, stored bounds);
- :mod:`~krtheory.prove.certificate`, :mod:`~krtheory.prove.replay`: the certificate and its
  independent re-check;
- :mod:`~krtheory.prove.paper`: the paper's scalar inequalities, as statements.
"""

from krtheory.prove.statement import Statement, parse_statement

__all__ = ["Statement", "parse_statement", "prove", "replay"]


def prove(statement, **options):
    """Branch and bound on ``statement`` (see :func:`krtheory.prove.search.prove`)."""
    from krtheory.prove.search import prove as search

    return search(statement, **options)


def replay(path):
    """Re-check the certificate in ``path`` (see :func:`krtheory.prove.replay.replay`)."""
    from krtheory.prove.replay import replay as check

    return check(path)
