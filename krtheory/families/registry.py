"""The registry of families: one entry per ``--family`` value, in the order the CLI lists them.

Each entry builds what its commands need from its own module, imported on first use (so the
registry itself costs no sympy import): the diagonal net and the explicit regularizer R
(:mod:`krtheory.families.diagonal`, links a(c_i) h(b(c_i) t_i) at c_i = alpha*|w0_i|), the wide
net (:mod:`krtheory.families.wide`, §6), a user parametrization (:mod:`krtheory.families.custom`)
the min-norm references l1 and l2 (:mod:`krtheory.references`, eqs. 6-7), and §6's matrix
factorization (:mod:`krtheory.flow.matrix`) with its minimum nuclear norm reference
(:mod:`krtheory.solve.nuclear`).
"""

from __future__ import annotations

from krtheory.errors import InvalidArgument
from krtheory.families.base import AbstractFamily


class ScaledFamily(AbstractFamily):
    """A family whose link is a(c_i) h(b(c_i) t_i) at exact scales c_i = alpha*|w0_i|
    (:func:`krtheory.families.diagonal.implicit_link`)."""


class DiagonalFamily(ScaledFamily):
    name = "diagonal"
    description = "the depth-D diagonal net beta = w+^D - w-^D (Theorems 1 and 3)"
    commands = frozenset({"derive", "potential", "solve", "flow"})

    def derivation(self, *, depth):
        from krtheory.derive.engine import derive_diagonal

        return derive_diagonal(depth)

    def link(self, d, *, depth, alpha, shape=None):
        from krtheory._validation import check_depth
        from krtheory.families.diagonal import implicit_link

        return implicit_link(self.name, check_depth(depth), alpha, shape, d)

    def model(self, *, depth, alpha, shape=None):
        from krtheory.flow.models import DiagonalModel

        return DiagonalModel(depth, alpha, shape)

    def potential(self, z, dps, *, depth):
        """q(z) of the depth-``depth`` derivation (Theorem 1, eq. 4; Theorem 3), verified digits
        (from the cached program: no sympy when warm)."""
        from krtheory.derive.potential import builtin_program, potential_value

        return potential_value(builtin_program(self.name, depth), z, dps)


class ExplicitFamily(ScaledFamily):
    name = "explicit"
    description = "the explicit regularizer R of the depth-2 net (eqs. 8-9)"
    commands = frozenset({"derive", "potential", "solve"})

    def derivation(self):
        from krtheory.families.explicit import derive_explicit

        return derive_explicit()

    def link(self, d, *, alpha, shape=None, depth=2):
        """The KKT link of argmin R_{alpha,w0}; R is the depth-2 model's, so ``depth`` is 2."""
        from krtheory._validation import check_depth
        from krtheory.families.diagonal import implicit_link

        if check_depth(depth) != 2:
            raise InvalidArgument(f"the explicit regularizer R (eqs. 8-9) is the depth-2 model's but got "
                                  f"depth={depth!r}")
        return implicit_link(self.name, 2, alpha, shape, d)

    def potential(self, z, dps):
        """r(z) of eq. (9), verified digits."""
        from krtheory.families.explicit import r_value

        return r_value(z, dps)


class WideFamily(AbstractFamily):
    name = "wide"
    description = "the width-k net beta_i = <U_i, V_i> and its biased hypentropy (§6, Theorem 4)"
    commands = frozenset({"derive", "solve", "flow"})

    def derivation(self):
        from krtheory.families.wide import derive_wide

        return derive_wide()

    def link(self, d, *, U0, V0):
        from krtheory.families.wide import wide_link

        link = wide_link(U0, V0)
        link.check_dimension(d)
        return link

    def model(self, *, U0, V0):
        from krtheory.flow.models import WideModel

        return WideModel(U0, V0)


class CustomFamily(AbstractFamily):
    name = "custom"
    description = "a user parametrization beta = P(theta) with initial values theta(0)"
    commands = frozenset({"derive", "solve", "flow"})

    def derivation(self, *, parametrization, init):
        from krtheory.families.custom import derive_parametrization

        return derive_parametrization(parametrization, init)

    def link(self, d, *, parametrization, init):
        """The derived link at exact initial values (one per parameter or per coordinate)."""
        from krtheory.families.custom_models import custom_link

        return custom_link(parametrization, init, d)[0]

    def model(self, *, parametrization, init):
        from krtheory.families.custom_models import custom_model

        return custom_model(parametrization, init)


class ReferenceFamily(AbstractFamily):
    """A minimum-norm reference interpolator of :mod:`krtheory.references` (solve only)."""

    commands = frozenset({"solve"})
    is_reference = True

    def __init__(self, name: str, description: str, interpolator: str):
        self.name, self.description, self._interpolator = name, description, interpolator

    def reference(self, problem, *, dps):
        from krtheory import references

        return getattr(references, self._interpolator)(problem, dps=dps)


class MatrixFamily(AbstractFamily):
    name = "matrix"
    description = "matrix factorization M = U V^T, flow of sum_n (<X_n, U V^T> - y_n)^2 (§6, Figure 5)"
    commands = frozenset({"flow"})
    takes_matrices = True

    def flow(self, measurements, *, U0, V0, dps=None, **budgets):
        """The flow of L(U, V) from U0, V0 to its limit (float64 when ``dps`` is None)."""
        from krtheory.flow.matrix import integrate_matrix_flow

        return integrate_matrix_flow(measurements, U0, V0, dps=dps, **budgets)


class NuclearFamily(AbstractFamily):
    name = "nuclear"
    description = "the minimum nuclear norm completion / sensing solution (§6, the rich limit)"
    commands = frozenset({"solve"})
    is_reference = True
    takes_matrices = True

    def reference(self, problem, *, dps=None):
        """argmin ||M||_* s.t. <X_n, M> = y_n for ``problem``, a MatrixMeasurements (float64,
        cvxpy + Clarabel; ``dps`` is not used)."""
        from krtheory.solve.nuclear import min_nuclear_norm

        return min_nuclear_norm(problem.shape, problem.operator(), problem.targets())


#: name -> family, in the order the CLI lists them.
FAMILIES: dict[str, AbstractFamily] = {family.name: family for family in (
    DiagonalFamily(), ExplicitFamily(), WideFamily(), CustomFamily(),
    ReferenceFamily("l1", "the minimum l1-norm interpolator (the rich limit alpha -> 0, eq. 7)", "min_l1"),
    ReferenceFamily("l2", "the minimum l2-norm interpolator (the kernel limit alpha -> oo, eq. 6)", "min_l2"),
    MatrixFamily(), NuclearFamily())}


def names(command: str) -> tuple[str, ...]:
    """The families ``command`` takes, in registry order."""
    return tuple(name for name, family in FAMILIES.items() if family.takes(command))


def family_for(command: str, name: str) -> AbstractFamily:
    """The family ``name`` of ``command``; InvalidArgument (one line) when it has none."""
    family = FAMILIES.get(name)
    if family is None or not family.takes(command):
        raise InvalidArgument(f"{command} has no --family {name}; known families: {', '.join(names(command))}")
    return family
