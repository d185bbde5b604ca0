"""User-given per-coordinate parametrizations: ``beta = P(theta)`` and the initial values
``theta(0)`` from strings, parsed on a whitelist and derived by :mod:`krtheory.derive.engine`.

:func:`derive_parametrization` (e.g. ``"u*v"`` with ``u(0) = a``, ``v(0) = b``) checks each
string's syntax tree against a whitelist (numbers, names, + - * / **, a few one-argument
elementary functions and constants; numbers exact, exponents bounded) before sympy parses it,
then goes the engine's way: two parameters with one part each, equal initial values given as one
positive symbol and ``beta(0) = 0`` take the diagonal form ``a*h(b*s)`` (Theorems 1, 3); a
*linear* driven system ``dtheta_j/ds = dP/dtheta_j`` (quadratic ``P``) gives the biased link
``beta(s) = A e^{bs} - B e^{-bs} (+ C)``, whose regularizer is minimized at the initial
predictor; anything else is NotApplicable, naming the step sympy cannot do. Derivations are
cached per parsed parametrization.
"""

from __future__ import annotations

import ast
import functools
import keyword
from fractions import Fraction

import sympy as sp

from krtheory.derive.derivation import Derivation
from krtheory.derive.engine import MAX_DEPTH, derive_separable
from krtheory.derive.exponential import derive_exponential
from krtheory.derive.symbols import driven_system_text, terms_by_parameter
from krtheory.errors import InvalidArgument, NotApplicable

#: What a user parametrization or initial value may contain besides numbers, names and
#: + - * / **: these elementary functions (one argument each) and constants.
FUNCTIONS = {name: getattr(sp, name) for name in (
    "exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh",
    "asin", "acos", "atan", "asinh", "acosh", "atanh")}
CONSTANTS = {"pi": sp.pi, "E": sp.E}
#: Names of the engine's own symbols (drive, link variable, potential, link parameters).
RESERVED = frozenset({"s", "nu", "z", "beta", "root", "A", "B", "C"})
#: Longest expression accepted, and the largest |exponent| of a power (as MAX_DEPTH: dsolve and
#: simplify slow down sharply with the degree).
MAX_EXPRESSION_LENGTH = 500
MAX_EXPONENT = MAX_DEPTH
#: Largest numerator and denominator of an exact number (10^50): sympy's exact radicals (perfect
#: powers, integer roots) of larger ones leave float range in the squares the derivation forms,
#: and then take minutes or fail (measured: u*v from u(0) = 1e-160 took 20 s, from 1e400 it
#: raised after 20 s; from 1e+-50 it takes 2 s like u(0) = 1).
MAX_NUMBER = 10**50
#: What an initial value may be: exact numbers and positive symbols with + - * / and integer
#: powers. Constants and functions (pi, E, sqrt(2), exp(a), ...) leave sympy's exact radicals
#: searching for minutes (u(0) = pi did not finish in 40 s) or the steps unverified.
INIT_VALUES = ("an initial value must be built from exact numbers and positive symbols with + - * / and "
               "integer powers (e.g. 1/2, 1e-3, a, 2*a + b); constants and functions (pi, E, sqrt, exp, "
               "...) are not accepted")


def derive_parametrization(expression: str, init: dict) -> Derivation:
    """The verified derivation of ``beta = expression`` with initial values ``init``
    ({parameter: value}), e.g. ``derive_parametrization("u*v", {"u": "a", "v": "b"})`` (cached).

    Two parameters with one part each, equal initial values given as one positive symbol and
    beta(0) = 0 take the diagonal form a*h(b*s) (Theorems 1, 3); otherwise the driven system
    must be linear (P quadratic) and the link is the biased A e^{bs} - B e^{-bs} (+ C).
    InvalidArgument: a string off the whitelist (see :func:`parse_parametrization`);
    NotApplicable: names the step sympy cannot do.
    """
    parametrization, parameters, initial = parse_parametrization(expression, init)
    return _derive_custom(parametrization, parameters, tuple(initial.items()))


def parse_parametrization(expression: str, init: dict) -> tuple:
    """(P, parameters, {parameter: initial value}) from strings on a whitelist: numbers, names,
    + - * / **, one-argument FUNCTIONS, CONSTANTS; numbers are exact (0.1 = 1/10).

    The expression may use exactly the names of ``init`` (real symbols); the names in initial
    values become positive symbols (write -a for a negative one). Initial values are INIT_VALUES
    (no constants or functions) and every exact number, in both, is within MAX_NUMBER: what
    sympy cannot derive within seconds is refused here, before it starts.
    """
    if not isinstance(init, dict) or not init:
        raise InvalidArgument(f"init must be a non-empty dict {{parameter: initial value}} but got "
                              f"init={init!r}")
    for name in init:
        if (not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
                or name in RESERVED or name in FUNCTIONS or name in CONSTANTS):
            raise InvalidArgument(f"init: parameter name {name!r} must be an identifier and not one of "
                                  f"the reserved names {', '.join(sorted(RESERVED))} or a function/constant")
    used = _whitelisted_names(expression, "expression")
    if not used:
        raise InvalidArgument(f"expression={expression!r} has no parameter")
    unknown = sorted(used - set(init))
    if unknown:
        raise InvalidArgument(f"expression={expression!r} uses names not in init: {', '.join(unknown)}")
    unused = sorted(set(init) - used)
    if unused:
        raise InvalidArgument(f"init names {', '.join(unused)} do not occur in expression={expression!r}")
    parameters = {name: sp.Symbol(name, real=True) for name in init}
    parametrization = _to_sympy(expression, "expression", parameters)
    dropped = sorted(name for name, p in parameters.items() if not parametrization.has(p))
    if dropped:
        raise InvalidArgument(f"expression={expression!r} does not depend on {', '.join(dropped)} "
                              f"(it simplifies to {parametrization})")
    initial = {}
    for name, value in init.items():
        what = f"init[{name!r}]"
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
        names = _whitelisted_names(value, what)
        clashes = sorted(names & (set(init) | RESERVED))
        if clashes:
            raise InvalidArgument(f"{what}={value!r} uses {', '.join(clashes)}: parameter or reserved names")
        initial[parameters[name]] = _rational(_to_sympy(value, what, {n: sp.Symbol(n, positive=True)
                                                                      for n in names}), what, value)
    return parametrization, tuple(parameters.values()), initial


def parse_potential(text: str, names) -> tuple:
    """(phi, z, parameters): a conjectured potential phi(z) of one coordinate, a string in ``z``
    and the parameter ``names`` (standing for that coordinate's initial values; real symbols),
    checked on the same whitelist as a parametrization."""
    used = _whitelisted_names(text, "potential")
    unknown = sorted(used - {"z", *names})
    if unknown:
        raise InvalidArgument(f"potential={text!r} uses {', '.join(unknown)}: it may use z and the "
                              f"parameters {', '.join(names)} (their initial values)")
    if "z" not in used:
        raise InvalidArgument(f"potential={text!r} does not depend on z")
    z = sp.Symbol("z", real=True)
    parameters = {name: sp.Symbol(name, real=True) for name in names}
    return _to_sympy(text, "potential", {"z": z, **parameters}), z, tuple(parameters.values())


def evaluate_init(text: str, what: str, values: dict) -> Fraction:
    """An initial value ``text`` (INIT_VALUES: exact numbers and the names of ``values`` with
    + - * / and integer powers, e.g. "0.7*alpha") at exact ``values`` {name: Fraction}."""
    names = _whitelisted_names(str(text), what)
    unknown = sorted(names - set(values))
    if unknown:
        raise InvalidArgument(f"{what}={text!r} uses {', '.join(unknown)}; it may use {', '.join(values) or 'no names'}")
    symbols = {name: sp.Symbol(name, positive=True) for name in names}
    value = _rational(_to_sympy(str(text), what, symbols), what, str(text)).subs(
        {symbols[n]: sp.Rational(values[n].numerator, values[n].denominator) for n in names})
    if not value.is_Rational:
        raise InvalidArgument(f"{what}={text!r} is not an exact rational at {values}")
    return Fraction(int(value.p), int(value.q))


def _whitelisted_names(text, what: str) -> set:
    """The variable names of ``text`` after checking its syntax tree against the whitelist
    (no attributes, subscripts, keywords, other calls or operators; a power's exponent is a
    number of size <= MAX_EXPONENT and its base has no power, so no huge number is built)."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidArgument(f"{what} must be a non-empty expression string but got {what}={text!r}")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise InvalidArgument(f"{what} must have at most {MAX_EXPRESSION_LENGTH} characters, not {len(text)}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        raise InvalidArgument(f"{what}={text!r} does not parse: {error.msg}") from None
    allowed = f"allowed: numbers, names, + - * / ** and {', '.join(FUNCTIONS)}"
    names, callees = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            if (not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS or node.keywords
                    or len(node.args) != 1):
                raise InvalidArgument(f"{what}={text!r}: the call {ast.unparse(node)} is not allowed "
                                      f"({allowed})")
            callees.add(id(node.func))
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS and id(node) not in callees:
                raise InvalidArgument(f"{what}={text!r}: function {node.id} used without an argument")
            names |= set() if node.id in CONSTANTS or id(node) in callees else {node.id}
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                raise InvalidArgument(f"{what}={text!r}: {node.value!r} is not a real number")
            _check_literal(node, text.strip(), what, text)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            exponent = _exponent(node.right)
            if exponent is None or abs(exponent) > MAX_EXPONENT or any(
                    isinstance(inner, ast.Pow) for inner in ast.walk(node.left)):
                raise InvalidArgument(f"{what}={text!r}: in {ast.unparse(node)} the exponent must be a "
                                      f"number of size <= {MAX_EXPONENT} and the base free of **")
        elif isinstance(node, ast.Attribute):
            raise InvalidArgument(f"{what}={text!r}: attribute access .{node.attr} is not allowed "
                                  f"({allowed})")
        elif not isinstance(node, _SYNTAX):
            hint = " (use ** for powers)" if isinstance(node, ast.BitXor) else ""
            raise InvalidArgument(f"{what}={text!r}: {type(node).__name__}{hint} is not allowed ({allowed})")
    return names


#: Syntax-tree nodes of arithmetic: what the whitelist lets through besides names, numbers, calls.
_SYNTAX = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div,
           ast.Pow, ast.UAdd, ast.USub)
_ARITHMETIC = {ast.Add: lambda x, y: x + y, ast.Sub: lambda x, y: x - y, ast.Mult: lambda x, y: x * y,
               ast.Div: lambda x, y: x / y if y else None}


def _exponent(node):
    """The value of an exponent made of number literals and + - * / (None if it is not one)."""
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        value = _exponent(node.operand)
        return None if value is None else -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        left, right = _exponent(node.left), _exponent(node.right)
        return None if left is None or right is None else _ARITHMETIC[type(node.op)](left, right)
    return None


def _check_literal(node, source: str, what: str, text: str) -> None:
    """A number literal's exact value is within MAX_NUMBER, decided before it is built (a float
    literal's decimal exponent alone can ask for a 10^8-digit integer)."""
    if isinstance(node.value, int):
        return _check_number(Fraction(node.value), what, text)
    literal = ast.get_source_segment(source, node)
    if len(literal.lower().partition("e")[2].lstrip("+-").lstrip("0")) > 4:
        _too_large(what, text, literal)
    _check_number(Fraction(literal), what, text)


def _check_number(value, what: str, text: str) -> None:
    numerator, denominator = (int(v) for v in (value.numerator, value.denominator))
    if abs(numerator) > MAX_NUMBER or denominator > MAX_NUMBER:
        shown = str(value) if len(str(value)) <= 40 else f"a number of {len(str(value))} characters"
        _too_large(what, text, shown)


def _too_large(what: str, text: str, shown: str):
    raise InvalidArgument(f"{what}={text!r}: {shown} is beyond the exact numbers accepted (numerator and "
                          f"denominator at most 10^50): sympy's exact radicals of larger ones take minutes "
                          f"or fail")


def _rational(value, what: str, text: str):
    """An initial value of exact numbers and positive symbols with + - * / and integer powers
    (INIT_VALUES), its numbers within MAX_NUMBER; anything else is refused up front."""
    for node in sp.preorder_traversal(value):
        if isinstance(node, sp.Rational):
            _check_number(node, what, text)
        elif not (isinstance(node, (sp.Symbol, sp.Add, sp.Mul)) or (node.is_Pow and node.exp.is_Integer)):
            raise InvalidArgument(f"{what}={text!r}: {INIT_VALUES}")
    return value


def _to_sympy(text: str, what: str, symbols: dict):
    """sympy's ``parse_expr`` of an already whitelisted ``text``: no builtins, only ``symbols``,
    FUNCTIONS and CONSTANTS in scope, float literals made exact rationals."""
    from sympy.parsing.sympy_parser import auto_number, parse_expr, rationalize

    scope = {"Integer": sp.Integer, "Float": sp.Float, "Rational": sp.Rational, "__builtins__": {}}
    expr = parse_expr(text.strip(), local_dict={**FUNCTIONS, **CONSTANTS, **symbols}, global_dict=scope,
                      transformations=(auto_number, rationalize))
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        raise InvalidArgument(f"{what}={text!r} is not finite and real: it evaluates to {expr}")
    for number in expr.atoms(sp.Rational):
        _check_number(number, what, text)
    return expr


@functools.cache
def _derive_custom(parametrization, parameters: tuple, initial_items: tuple) -> Derivation:
    initial = dict(initial_items)
    poly = sp.Poly(parametrization, *parameters) if parametrization.is_polynomial(*parameters) else None
    depth = poly.total_degree() if poly is not None and poly.is_homogeneous else None
    scale = initial_items[0][1]
    parts = terms_by_parameter(parametrization, parameters)
    if (parts is not None and len(parameters) == 2 and set(initial.values()) == {scale}
            and isinstance(scale, sp.Symbol) and sp.simplify(parametrization.subs(initial)) == 0):
        plus_first = sorted(parameters, key=lambda p: not parts[p].subs(p, scale).is_positive)
        return derive_separable("custom", depth, parametrization, tuple(plus_first), scale)
    slopes = [sp.diff(parametrization, p) for p in parameters]
    if all(g.is_polynomial(*parameters) and sp.Poly(g, *parameters).total_degree() <= 1 for g in slopes):
        return derive_exponential("custom", depth, parametrization, parameters, initial)
    system = driven_system_text(parametrization, parameters)
    if any(g.has(q) for p, g in zip(parameters, slopes) for q in parameters if q != p):
        raise NotApplicable(f"sympy.dsolve: no closed form for the coupled nonlinear driven system {system} "
                            f"(not attempted: the engine solves coupled systems only when they are linear; "
                            f"dsolve's general methods search for minutes and find none)")
    raise NotApplicable(f"the driven ODE {system} is nonlinear, so the link is not A e^(bs) - B e^(-bs); "
                        f"the diagonal form a*h(b*s) needs two parameters with one part each, equal "
                        f"initial values given as one positive symbol and beta(0) = 0 (got {initial})")
