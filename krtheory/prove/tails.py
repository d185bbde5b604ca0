"""Infinite tails of the domain. Not decided yet: every tail is left undecided."""


def decide(tree, end, direction, prec):
    return None
