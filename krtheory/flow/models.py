"""Parametrizations ``beta = F(w)`` of a linear predictor, as data (paper §2, eqs. (3) and (10)).

Every model here is *separable*: coordinate i of the predictor is one polynomial P of its own
parameter vector theta_i in R^m,

    beta_i = P(theta_i) = sum_t c_t * theta_i ** e_t        (c_t exact, e_t in N^m),

started at theta_i(0). The depth-D diagonal net of eq. (10) is m = 2, P(w+, w-) = w+^D - w-^D,
theta_i(0) = (alpha*w0_i, alpha*w0_i). A width-k net beta_i = <U_i, V_i> (paper §6) is m = 2k with
the k products U_ij*V_ij as terms, and a user polynomial is any list of (coefficient, exponents):
a new model only supplies :class:`Polynomial` terms and :meth:`SeparableModel.initial_parameters`.

This module holds parametrizations only: no link function, potential or anything derived from
the flow, so that :mod:`krtheory.flow.driver` stays independent evidence (it never sees a link or potential).
"""

from __future__ import annotations

import abc
import dataclasses
from fractions import Fraction

from krtheory.errors import InvalidArgument
from krtheory._validation import parse_number
from krtheory._validation import check_depth, check_instance, check_positive, check_shape

#: Largest depth accepted: the cap of the other depth-taking commands (derive, bounds).
MAX_DEPTH = 100


@dataclasses.dataclass(frozen=True)
class Polynomial:
    """``P(theta) = sum_t coefficients[t] * prod_j theta_j ** exponents[t][j]``, exact data."""

    coefficients: tuple[str, ...]
    exponents: tuple[tuple[int, ...], ...]

    def __post_init__(self):
        if not self.exponents or len(self.coefficients) != len(self.exponents):
            raise InvalidArgument(
                f"a polynomial needs one coefficient per exponent tuple, got "
                f"{len(self.coefficients)} coefficients and {len(self.exponents)} tuples")
        m = len(self.exponents[0])
        for e in self.exponents:
            if len(e) != m or m == 0 or any(isinstance(k, bool) or not isinstance(k, int) or k < 0
                                            for k in e):
                raise InvalidArgument(
                    f"exponents must be tuples of {m} non-negative ints, got {e!r}")
        object.__setattr__(self, "coefficients", tuple(
            parse_number(c, f"polynomial coefficient {t}")
            for t, c in enumerate(self.coefficients, start=1)))

    @property
    def n_parameters(self) -> int:
        return len(self.exponents[0])

    def terms(self):
        """Pairs ``(Fraction coefficient, exponent tuple)``."""
        return [(Fraction(c), e) for c, e in zip(self.coefficients, self.exponents)]

    def derivative(self, j: int) -> list[tuple[Fraction, tuple[int, ...]]]:
        """Terms of dP/dtheta_j: ``c * e_j * theta ** (e - unit_j)`` for every term with e_j > 0."""
        return [(c * e[j], e[:j] + (e[j] - 1,) + e[j + 1:]) for c, e in self.terms() if e[j] > 0]

    def jet_float(self, theta):
        """``|grad P|^2`` and the Hessian matrix of P (float64) at each row of ``theta`` (d x m).

        The integrator uses these only to choose step sizes and to bound how fast errors can
        grow; no digit of a result is computed from them."""
        import numpy as np

        theta = np.asarray(theta, dtype=float)
        m = self.n_parameters
        grad = np.zeros_like(theta)
        hess = np.zeros(theta.shape[:1] + (m, m))
        for c, e in self.terms():
            for j in range(m):
                if e[j]:
                    grad[:, j] += float(c) * e[j] * _monomial(theta, e, j)
                for k in range(m):
                    factor = e[j] * (e[k] - (j == k))
                    if factor:
                        hess[:, j, k] += float(c) * factor * _monomial(theta, e, j, k)
        return (grad ** 2).sum(axis=1), hess


def _monomial(theta, e, *lowered):
    """theta ** (e - sum of the unit vectors in ``lowered``), row-wise (exponents stay >= 0)."""
    exps = list(e)
    for j in lowered:
        exps[j] -= 1
    out = 1.0
    for j, k in enumerate(exps):
        if k:
            out = out * theta[:, j] ** k
    return out


class SeparableModel(abc.ABC):
    """A model ``beta_i = P(theta_i)`` with initial parameters; see the module docstring."""

    #: The per-coordinate polynomial P.
    polynomial: Polynomial

    @abc.abstractmethod
    def initial_parameters(self, ctx, d: int) -> list[list]:
        """theta(0) as d rows of m numbers of ``ctx`` (correctly rounded from exact data);
        raises InvalidArgument when the model cannot meet a problem of dimension d."""

    @abc.abstractmethod
    def describe(self) -> dict:
        """The model as JSON-able data (exact strings)."""

    def beta(self, ctx, theta) -> list:
        """``beta_i = P(theta_i)`` evaluated in ``ctx``."""
        terms = [(ctx.mpf(c.numerator) / c.denominator, e) for c, e in self.polynomial.terms()]
        return [ctx.fsum(c * ctx.fprod(t ** k for t, k in zip(row, e) if k) for c, e in terms)
                for row in theta]


class DiagonalModel(SeparableModel):
    """Depth-D diagonal linear network, eq. (10) (eq. (3) for D = 2):
    ``beta = w+^D - w-^D`` elementwise, ``w+(0) = w-(0) = alpha * w0`` (w0 = 1 without a shape)."""

    def __init__(self, depth: int, alpha: str, shape: tuple[str, ...] | None = None):
        self.depth = check_depth(depth, MAX_DEPTH)
        self.alpha = check_positive(alpha, "alpha")
        self.shape = None if shape is None else check_shape(shape)
        D = self.depth
        self.polynomial = Polynomial(("1", "-1"), ((D, 0), (0, D)))

    def initial_parameters(self, ctx, d: int) -> list[list]:
        if self.shape is not None and len(self.shape) != d:
            raise InvalidArgument(f"shape has {len(self.shape)} entries but the problem has d={d} "
                                  "coordinates")
        alpha = ctx.mpf(self.alpha)
        w0 = [ctx.one] * d if self.shape is None else [ctx.mpf(s) for s in self.shape]
        return [[alpha * v, alpha * v] for v in w0]

    def describe(self) -> dict:
        return {"family": "diagonal", "depth": self.depth, "alpha": self.alpha,
                "shape": None if self.shape is None else list(self.shape)}

    def __repr__(self):
        shape = "" if self.shape is None else f", shape={self.shape!r}"
        return f"DiagonalModel(depth={self.depth}, alpha={self.alpha!r}{shape})"


class WideModel(SeparableModel):
    """Width-k parallel linear network / diagonal matrix sensing (paper §6, Theorem 4):
    ``beta_i = <U_i, V_i> = sum_j U_ij V_ij`` (the diagonal of M = U V^T), started at U0, V0.

    theta_i = (U_i1, ..., U_ik, V_i1, ..., V_ik): 2k parameters and k terms u_j v_j per row.
    U0 and V0 are d x k matrices of exact numbers (any values: beta(0) = diag(U0 V0^T) need
    not vanish)."""

    def __init__(self, U0, V0):
        self.U0 = check_matrix(U0, "U0")
        self.V0 = check_matrix(V0, "V0")
        shape_u, shape_v = _shape(self.U0), _shape(self.V0)
        if shape_u != shape_v:
            raise InvalidArgument(f"U0 is {shape_u[0]} x {shape_u[1]} but V0 is {shape_v[0]} x "
                                  f"{shape_v[1]}; they must have the same shape d x k")
        self.width = k = shape_u[1]
        unit = lambda j: tuple(int(i == j) for i in range(2 * k))  # noqa: E731
        self.polynomial = Polynomial(("1",) * k, tuple(tuple(a + b for a, b in zip(unit(j), unit(k + j)))
                                                       for j in range(k)))

    def initial_parameters(self, ctx, d: int) -> list[list]:
        if len(self.U0) != d:
            raise InvalidArgument(f"U0 and V0 have {len(self.U0)} rows but the problem has d={d} "
                                  "coordinates")
        return [[ctx.mpf(v) for v in u + v_] for u, v_ in zip(self.U0, self.V0)]

    def describe(self) -> dict:
        return {"family": "wide", "width": self.width, "U0": [list(r) for r in self.U0],
                "V0": [list(r) for r in self.V0]}

    def __repr__(self):
        return f"WideModel(d={len(self.U0)}, width={self.width})"


class ParametrizedModel(SeparableModel):
    """A user polynomial ``beta_i = P(theta_i)`` in named parameters (e.g. ``u*v``: Azulay et
    al.'s unbalanced depth-2 model with u(0) != v(0)), started at per-coordinate values.

    ``polynomial``: P as exact terms over the parameters ``names`` (in that order; built by the
    family layer from the user's expression, :mod:`krtheory.families.custom_models`);
    ``init``: {name: exact number (every coordinate) or a sequence of d exact numbers};
    ``expression``: the user's text of P, for :meth:`describe` only."""

    def __init__(self, polynomial: Polynomial, names, init: dict, expression: str | None = None):
        self.polynomial = check_instance(polynomial, Polynomial, "polynomial")
        self.names = tuple(names)
        if len(self.names) != polynomial.n_parameters or len(set(self.names)) != len(self.names):
            raise InvalidArgument(f"names must be {polynomial.n_parameters} distinct parameter names, got "
                                  f"names={self.names!r}")
        if not isinstance(init, dict) or set(init) != set(self.names):
            raise InvalidArgument(f"init must give exactly the parameters {', '.join(self.names)}, got "
                                  f"init={init!r}")
        self.init = {name: initial_column(init[name], name) for name in self.names}
        self.expression = expression

    def initial_parameters(self, ctx, d: int) -> list[list]:
        for name, column in self.init.items():
            if not isinstance(column, str) and len(column) != d:
                raise InvalidArgument(f"init {name} has {len(column)} values but the problem has d={d} "
                                      "coordinates")
        columns = [[column] * d if isinstance(column, str) else column for column in self.init.values()]
        return [[ctx.mpf(v) for v in row] for row in zip(*columns)]

    def describe(self) -> dict:
        return {"family": "custom", "parametrization": self.expression,
                "init": {k: v if isinstance(v, str) else list(v) for k, v in self.init.items()}}

    def __repr__(self):
        return f"ParametrizedModel({self.expression or self.polynomial!r}, names={self.names!r})"


def initial_column(value, name: str):
    """One exact number (str) or a tuple of them (per coordinate)."""
    if isinstance(value, (str, int, float, Fraction)) and not isinstance(value, bool):
        return parse_number(value, f"init {name}")
    if isinstance(value, (bytes, dict)) or not hasattr(value, "__iter__"):
        raise InvalidArgument(f"init {name} must be an exact number or a sequence of them, got {value!r}")
    column = tuple(parse_number(v, f"init {name}, coordinate {i}") for i, v in enumerate(value, start=1))
    if not column:
        raise InvalidArgument(f"init {name} is an empty sequence")
    return column


def check_matrix(rows, name: str) -> tuple[tuple[str, ...], ...]:
    """Rows of exact numbers (d >= 1 rows of the same length k >= 1), as exact strings;
    InvalidArgument naming ``name`` otherwise."""
    if isinstance(rows, (str, bytes)) or not hasattr(rows, "__iter__"):
        raise InvalidArgument(f"{name} must be a sequence of rows but got {name}={rows!r}")
    out = []
    for i, row in enumerate(rows, start=1):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise InvalidArgument(f"{name} row {i} must be a sequence of numbers but got {row!r}")
        out.append(tuple(parse_number(v, f"{name} row {i}, column {j}") for j, v in enumerate(row, start=1)))
    if not out:
        raise InvalidArgument(f"{name} has no rows (need d >= 1 rows of k >= 1 numbers)")
    widths = {len(r) for r in out}
    if len(widths) != 1:
        raise InvalidArgument(f"{name} has rows of different lengths {sorted(widths)}")
    if widths == {0}:
        raise InvalidArgument(f"{name} has no columns (k=0; need k >= 1)")
    return tuple(out)


def _shape(matrix) -> tuple[int, int]:
    return len(matrix), len(matrix[0])
