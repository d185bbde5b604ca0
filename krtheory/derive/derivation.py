"""The result of a derivation: the link, its potential and regularizer with every verified step
(:class:`Derivation`), and its printing as JSON-able strings."""

from __future__ import annotations

import dataclasses

import sympy as sp

from krtheory.derive.abstract import AbstractDerivation
from krtheory.derive.checks import Step
from krtheory.derive.symbols import root, z
from krtheory.errors import InvalidArgument


@dataclasses.dataclass(frozen=True, eq=False)
class Derivation(AbstractDerivation):
    """The implicit regularizer of one coordinate, derived and verified step by step.

    The link is ``beta = a*h(b*s)``. For the diagonal form ``c`` is the initial-value symbol
    and h is odd and c-free. For a biased link (``c`` is None) ``a = 1``, ``b`` is a number and
    ``h(nu; A, B) = A e^nu - B e^-nu (+ C)`` carries link parameters, ``link_parameters`` giving
    their values in the initial values; ``link_range`` is the range of h (where q is defined).
    Compared (and hashed) by identity: the engine caches one per (family, depth) or
    parametrization.
    """

    family: str
    depth: int | None
    parameters: tuple
    parametrization: sp.Expr
    c: sp.Symbol | None
    s: sp.Symbol
    solution: dict
    nu: sp.Symbol
    link: sp.Expr
    amplitude: sp.Expr
    rate: sp.Expr
    nu_radius: sp.Expr
    z: sp.Symbol
    inverse_link: sp.Expr | None
    potential: sp.Expr
    dual_potential: sp.Expr
    regularizer: sp.Expr
    steps: tuple[Step, ...]
    initial_values: dict = dataclasses.field(default_factory=dict)
    link_parameters: dict = dataclasses.field(default_factory=dict)
    link_range: sp.Interval = sp.Interval(-sp.oo, sp.oo)

    def scales(self) -> tuple:
        """The symbols of the initial values (diagonal form: just c)."""
        free = set().union(*(sp.sympify(v).free_symbols for v in self.initial_values.values()))
        return tuple(sorted(free, key=str))

    def dropped_factor(self) -> sp.Expr:
        """The scale-independent positive factor of the rate b, dropped from Q (argmin unchanged)."""
        return self.rate.as_independent(*self.scales(), as_Add=False)[0]

    def weight(self) -> sp.Expr:
        """w(c) in Q_c(beta) = w(c) q(beta/a(c)): a/b with the dropped factor restored to 1."""
        return sp.simplify(self.amplitude * self.dropped_factor() / self.rate)

    def initial_prediction(self) -> sp.Expr:
        """beta(0) = a*h(0): 0 for the diagonal form, e.g. A - B for a biased link."""
        return sp.simplify(self.amplitude * self.link.subs(self.nu, 0))

    def as_dict(self, fmt: str = "sympy") -> dict:
        """The derivation as JSON-able strings; ``fmt`` is sympy, latex or python."""
        show = printer(fmt)
        origin = self.initial_prediction()
        note = (f"Q_c(beta) = (a/b) q(beta/a) with the scale-free factor "
                f"1/({show(self.dropped_factor())}) of 1/b dropped (argmin unchanged)")
        if origin != 0:
            note += (f"; q(beta(0)) = q'(beta(0)) = 0: Q is minimized at the initial predictor "
                     f"beta(0) = {show(origin)}, not at 0")
        return {
            "family": self.family,
            "depth": self.depth,
            "parameters": [show(p) for p in self.parameters],
            "parametrization": show(self.parametrization),
            "initial_value": None if self.c is None else show(self.c),
            "initial_values": {show(p): show(e) for p, e in self.initial_values.items()},
            "drive": show(self.s),
            "solution": {show(p): show(e) for p, e in self.solution.items()},
            "link": show(self.link),
            "link_parameters": {show(p): show(e) for p, e in self.link_parameters.items()},
            "amplitude": show(self.amplitude),
            "rate": show(self.rate),
            "nu_radius": show(self.nu_radius),
            "link_range": [show(self.link_range.start), show(self.link_range.end)],
            "initial_prediction": show(origin),
            "inverse_link": None if self.inverse_link is None else show(self.inverse_link),
            "potential": show(self.potential),
            "root": (None if self.inverse_link is not None else
                     f"{show(root)} = h^(-1)(|{show(z)}|), the root in [0, {show(self.nu_radius)}) "
                     f"of h({show(root)}) = |{show(z)}|"),
            "dual_potential": show(self.dual_potential),
            "regularizer": show(self.regularizer),
            "regularizer_note": note,
            "steps": [step.as_dict() for step in self.steps],
            "verified": self.verified(),
        }


def printer(fmt: str):
    """The sympy printer of an output format: sympy, latex or python."""
    printers = {"sympy": sp.sstr, "latex": sp.latex, "python": sp.pycode}
    if fmt not in printers:
        raise InvalidArgument(f"fmt must be one of {', '.join(printers)} but got fmt={fmt!r}")
    return printers[fmt]
