"""One-variable inequalities ``LHS REL RHS`` on an interval, read from text.

Expressions use the syntax ``krtheory derive`` accepts -- numbers (exact: 0.1 is 1/10), the
variable, ``+ - * / **``, the one-argument functions exp, log, sqrt, sin, cos, tan, sinh, cosh,
tanh, asin, acos, atan, asinh, acosh, atanh and the constants pi, E -- plus the paper's
potentials: ``q(x)``, the hypentropy of Theorem 1 (eq. 4), and ``q_D(x)`` for D >= 3, the
potential of Theorem 3, written with the depth (``q_3(x)``, ``q_10(x)``) or as ``q_D(x)`` with the
depth given separately (``--D``). The text is checked against this whitelist on its syntax tree
(Python's ``ast``) and turned into a small tree of tuples; sympy is not involved.

Tree nodes: ("x",), ("num", Fraction), ("pi",), ("E",), ("add"|"sub"|"mul"|"div", a, b),
("neg", a), ("pow", a, Fraction) for a numeric exponent, ("powx", a, b) = exp(b log a),
("fn", name, a), ("q", a), ("qD", D, a).
"""

from __future__ import annotations

import ast
import dataclasses
import re
from fractions import Fraction

from krtheory.errors import InvalidArgument

FUNCTIONS = ("exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh",
             "asin", "acos", "atan", "asinh", "acosh", "atanh")
CONSTANTS = ("pi", "E")
RELATIONS = {ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.Lt: "<"}
#: Longest inequality text, largest |numerator|, |denominator| of a number, largest |exponent|.
MAX_LENGTH = 2000
MAX_NUMBER = 10 ** 999
MAX_EXPONENT = 1000
MAX_DEPTH_D = 1000
_POTENTIAL = re.compile(r"^q_(\d+)$")


@dataclasses.dataclass(frozen=True)
class Domain:
    """An interval with exact finite ends (``None``: -inf / inf) and their openness."""

    lo: Fraction | None
    hi: Fraction | None
    lo_closed: bool
    hi_closed: bool

    def text(self) -> str:
        left = "[" if self.lo_closed else "("
        right = "]" if self.hi_closed else ")"
        return f"{left}{_end_text(self.lo, '-inf')}, {_end_text(self.hi, 'inf')}{right}"

    def contains(self, x: Fraction) -> bool:
        above = self.lo is None or x > self.lo or (self.lo_closed and x == self.lo)
        below = self.hi is None or x < self.hi or (self.hi_closed and x == self.hi)
        return above and below


@dataclasses.dataclass(frozen=True)
class Statement:
    """``lhs relation rhs`` for every ``var`` in ``domain``; ``f`` is the tree of the difference
    that must be positive (``lhs - rhs`` for >, >=; ``rhs - lhs`` for <, <=) and ``strict``
    says whether f > 0 (strict) or f >= 0 is claimed."""

    text: str
    var: str
    domain: Domain
    relation: str
    lhs: tuple
    rhs: tuple
    depth: int | None = None

    @property
    def strict(self) -> bool:
        return self.relation in (">", "<")

    @property
    def f(self) -> tuple:
        if self.relation in (">=", ">"):
            return ("sub", self.lhs, self.rhs)
        return ("sub", self.rhs, self.lhs)

    def as_dict(self) -> dict:
        return {"inequality": self.text, "var": self.var, "domain": self.domain.text(),
                "D": self.depth}


def _end_text(value, infinite: str) -> str:
    return infinite if value is None else fraction_text(value)


def fraction_text(value: Fraction) -> str:
    """An exact rational as ``p`` or ``p/q`` text."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def parse_statement(inequality: str, var: str, domain: str, depth=None) -> Statement:
    """The :class:`Statement` of ``inequality`` (``"LHS >= RHS"``, one of >= > <= <) in the
    variable ``var`` on ``domain`` (``"[a, b]"``, ``"(0, inf)"``, ...); ``depth`` is the D of
    ``q_D(x)`` (an integer >= 3) when the text writes ``q_D``. InvalidArgument names the option
    and the offending part."""
    name = _variable(var)
    depth = _depth(depth)
    if not isinstance(inequality, str) or not inequality.strip():
        raise InvalidArgument(f"--inequality must be a non-empty text, got {inequality!r}")
    text = inequality.strip()
    if len(text) > MAX_LENGTH:
        raise InvalidArgument(f"--inequality has {len(text)} characters; at most {MAX_LENGTH} are accepted")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as error:
        raise InvalidArgument(f"--inequality {text!r} does not parse: {error.msg}") from None
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1 or type(tree.ops[0]) not in RELATIONS:
        raise InvalidArgument(f"--inequality {text!r} must be one comparison LHS REL RHS with REL one of "
                              f">=, >, <=, <")
    reader = _Reader(text, name, depth)
    lhs, rhs = reader.read(tree.left), reader.read(tree.comparators[0])
    if reader.needs_depth and depth is None:
        raise InvalidArgument(f"--inequality {text!r} uses q_D: give the depth with --D (an integer >= 3), "
                              f"or write it in the name (q_3, q_4, ...)")
    if not reader.uses_var:
        raise InvalidArgument(f"--inequality {text!r} does not use the variable {name!r} (--var)")
    return Statement(text, name, parse_domain(domain), RELATIONS[type(tree.ops[0])], lhs, rhs,
                     depth if reader.needs_depth else None)


def _variable(var) -> str:
    if (not isinstance(var, str) or not var.isidentifier() or var in FUNCTIONS or var in CONSTANTS
            or var == "q" or _POTENTIAL.match(var) or var == "q_D"):
        raise InvalidArgument(f"--var must be an identifier that is not a function or constant name, got {var!r}")
    return var


def _depth(depth):
    if depth is None:
        return None
    try:
        value = int(str(depth).strip())
    except ValueError:
        raise InvalidArgument(f"--D must be an integer >= 3, got {depth!r}") from None
    if not 3 <= value <= MAX_DEPTH_D:
        raise InvalidArgument(f"--D must be an integer in [3, {MAX_DEPTH_D}], got {depth!r}")
    return value


class _Reader:
    """Syntax tree -> prover tree, refusing everything off the whitelist."""

    def __init__(self, text: str, var: str, depth):
        self.text, self.var, self.depth = text, var, depth
        self.uses_var = self.needs_depth = False

    def fail(self, node, why: str):
        raise InvalidArgument(f"--inequality {self.text!r}: {ast.get_source_segment(self.text, node)!r} {why}")

    def read(self, node) -> tuple:
        if isinstance(node, ast.BinOp):
            op = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}.get(type(node.op))
            if op is None:
                hint = " (use ** for powers)" if isinstance(node.op, ast.BitXor) else ""
                self.fail(node, f"uses an operator that is not + - * / **{hint}")
            left, right = self.read(node.left), self.read(node.right)
            if op != "pow":
                return self.folded(node, op, left, right)
            if right[0] == "num":
                if right[1].denominator == 1 and abs(right[1]) > MAX_EXPONENT:
                    self.fail(node, f"has an integer exponent beyond {MAX_EXPONENT}")
                return ("pow", left, right[1])
            return ("powx", left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            inner = self.read(node.operand)
            if isinstance(node.op, ast.UAdd):
                return inner
            return ("num", -inner[1]) if inner[0] == "num" else ("neg", inner)
        if isinstance(node, ast.Constant):
            return ("num", self.number(node))
        if isinstance(node, ast.Name):
            if node.id == self.var:
                self.uses_var = True
                return ("x",)
            if node.id in CONSTANTS:
                return (node.id,)
            if node.id in FUNCTIONS or node.id == "q" or _POTENTIAL.match(node.id) or node.id == "q_D":
                self.fail(node, "is a function used without an argument")
            self.fail(node, f"is an unknown name (the variable is {self.var!r}; constants: {', '.join(CONSTANTS)})")
        if isinstance(node, ast.Call):
            return self.call(node)
        self.fail(node, f"is not allowed ({type(node).__name__}; allowed: numbers, {self.var}, + - * / **, "
                        f"{', '.join(FUNCTIONS)}, q, q_D, pi, E)")

    def folded(self, node, op: str, left: tuple, right: tuple) -> tuple:
        """Arithmetic on two numbers is done exactly here (so 2/3 is one exact exponent)."""
        if left[0] != "num" or right[0] != "num":
            return (op, left, right)
        a, b = left[1], right[1]
        if op == "div" and b == 0:
            self.fail(node, "divides by zero")
        value = a + b if op == "add" else a - b if op == "sub" else a * b if op == "mul" else a / b
        if abs(value.numerator) > MAX_NUMBER ** 2 or value.denominator > MAX_NUMBER ** 2:
            self.fail(node, "is beyond the numbers accepted")
        return ("num", value)

    def call(self, node) -> tuple:
        if not isinstance(node.func, ast.Name) or node.keywords or len(node.args) != 1:
            self.fail(node, "must be a known function applied to one argument")
        name, argument = node.func.id, None
        if name in FUNCTIONS or name == "q" or name == "q_D" or _POTENTIAL.match(name):
            argument = self.read(node.args[0])
        if name in FUNCTIONS:
            return ("fn", name, argument)
        if name == "q":
            return ("q", argument)
        if name == "q_D":
            self.needs_depth = True
            return ("qD", self.depth, argument)
        match = _POTENTIAL.match(name)
        if match:
            depth = int(match.group(1))
            if depth == 2:
                return ("q", argument)
            if not 3 <= depth <= MAX_DEPTH_D:
                self.fail(node, f"names a depth outside [2, {MAX_DEPTH_D}]")
            return ("qD", depth, argument)
        self.fail(node, f"calls an unknown function {name!r} (known: {', '.join(FUNCTIONS)}, q, q_D)")

    def number(self, node) -> Fraction:
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            self.fail(node, "is not a real number")
        literal = ast.get_source_segment(self.text, node)
        exponent = literal.lower().partition("e")[2].lstrip("+-").lstrip("0")
        if len(exponent) > 3:
            self.fail(node, "is beyond the numbers accepted (|numerator|, denominator < 1e999)")
        value = Fraction(literal.replace("_", ""))
        if abs(value.numerator) > MAX_NUMBER or value.denominator > MAX_NUMBER:
            self.fail(node, "is beyond the numbers accepted (|numerator|, denominator < 1e999)")
        return value


_END = re.compile(r"^\s*([\[(])\s*([^,]+?)\s*,\s*([^,]+?)\s*([\])])\s*$")


def parse_domain(text) -> Domain:
    """``"[a, b]"``, ``"(a, b]"``, ``"(-inf, b]"``, ``"(0, inf)"``: exact decimal or p/q ends,
    a < b; an infinite end must be open."""
    match = _END.match(text) if isinstance(text, str) else None
    if not match:
        raise InvalidArgument(f"--domain must look like \"[a, b]\" or \"(0, inf)\", got {text!r}")
    left, a, b, right = match.groups()
    lo, hi = _end(a, text), _end(b, text)
    if lo == "inf" or hi == "-inf":
        raise InvalidArgument(f"--domain {text!r}: the left end must be below the right end")
    lo = None if lo == "-inf" else lo
    hi = None if hi == "inf" else hi
    if (lo is None and left == "[") or (hi is None and right == "]"):
        raise InvalidArgument(f"--domain {text!r}: an infinite end must be open, e.g. \"(-inf, 0]\" or \"[0, inf)\"")
    if lo is not None and hi is not None and not lo < hi:
        raise InvalidArgument(f"--domain {text!r}: the left end must be below the right end")
    return Domain(lo, hi, left == "[", right == "]")


def _end(text: str, domain: str):
    word = text.strip().lower()
    if word in ("inf", "+inf", "infinity", "oo"):
        return "inf"
    if word in ("-inf", "-infinity", "-oo"):
        return "-inf"
    try:
        if len(word) > 120 or len(word.partition("e")[2].lstrip("+-").lstrip("0")) > 3:
            raise ValueError
        value = Fraction(word)
    except (ValueError, ZeroDivisionError):
        raise InvalidArgument(f"--domain {domain!r}: end {text!r} is not an exact number or -inf/inf") from None
    if abs(value.numerator) > MAX_NUMBER or value.denominator > MAX_NUMBER:
        raise InvalidArgument(f"--domain {domain!r}: end {text!r} is beyond the numbers accepted")
    return value
