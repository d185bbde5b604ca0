"""User-given parametrizations in the derivation engine (``derive_parametrization``) and the
generic ``krtheory derive`` printer.

Expected values are typed here from hand derivations, independent of the engine: for u*v the
driven system du/ds = v, dv/ds = u has (u + v) = (a + b) e^s, (u - v) = (a - b) e^-s, so
beta = uv = A e^{2s} - B e^{-2s} with A = (a+b)^2/4, B = (a-b)^2/4; the potential
q(z) = int_{beta(0)}^z h^{-1} = z R - G(R) (by parts) with e^R = (z + sqrt(z^2 + 4AB))/(2A);
Theorem 1's q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2); Theorem 3's h_3(nu) = (1-nu)^-3 - (1+nu)^-3.
"""

import json
import re

import pytest
import sympy as sp

from krtheory import InvalidArgument, NotApplicable
from krtheory.cli import main
from krtheory.derive.checks import StepStatus
from krtheory.derive.engine import derive_diagonal
from krtheory.derive.symbols import nu, s, z
from krtheory.families.custom import derive_parametrization
from krtheory.derive.potential import potential_value
from krtheory.precision import context

a, b, c, alpha = (sp.Symbol(name, positive=True) for name in ("a", "b", "c", "alpha"))
u, v, w1, w2 = (sp.Symbol(name, real=True) for name in ("u", "v", "w1", "w2"))
A, B = sp.symbols("A B", positive=True)


def theorem1_q(x):
    return 2 - sp.sqrt(4 + x**2) + x * sp.asinh(x / 2)


def biased_q(x, A_value, B_value):
    """z R - G(R), G(nu) = A(e^nu - 1) + B(e^-nu - 1), e^R = (z + sqrt(z^2 + 4AB))/(2A)."""
    root = sp.sqrt(x**2 + 4 * A_value * B_value)
    return x * sp.log((x + root) / (2 * A_value)) - root + A_value + B_value


def equal(lhs, rhs) -> bool:
    """lhs == rhs symbolically (asinh written as a log, so that the two forms can meet)."""
    return sp.simplify((sp.sympify(lhs) - rhs).rewrite(sp.log)) == 0


# -- u*v: the biased link --------------------------------------------------------------------
def test_uv_flow_and_biased_link_match_the_hand_solution():
    d = derive_parametrization("u*v", {"u": "a", "v": "b"})
    u_hand = ((a + b) * sp.exp(s) + (a - b) * sp.exp(-s)) / 2
    v_hand = ((a + b) * sp.exp(s) - (a - b) * sp.exp(-s)) / 2
    assert equal(d.solution[u], u_hand) and equal(d.solution[v], v_hand)
    assert d.link_parameters == {A: (a + b) ** 2 / 4, B: (a - b) ** 2 / 4}
    assert (d.amplitude, d.rate, d.c) == (1, 2, None)
    assert equal(d.link, A * sp.exp(nu) - B * sp.exp(-nu))
    beta_of_s = d.amplitude * d.link.subs(nu, d.rate * s).subs(d.link_parameters)
    assert equal(beta_of_s, sp.expand(u_hand * v_hand))
    assert equal(d.initial_prediction().subs(d.link_parameters), a * b)  # biased: beta(0) = ab
    assert d.verified(), [st for st in d.steps if st.status is not StepStatus.VERIFIED]


def test_uv_potential_is_the_biased_hypentropy_minimized_at_the_initial_predictor():
    d = derive_parametrization("u*v", {"u": "a", "v": "b"})
    assert equal(d.potential, biased_q(z, A, B))
    assert equal(d.inverse_link, sp.log((z + sp.sqrt(z**2 + 4 * A * B)) / (2 * A)))
    names = " | ".join(st.name for st in d.steps)
    for needed in ("q(beta(0)) = 0", "q'(beta(0)) = 0", "q' = h^-1", "KKT"):
        assert needed in names
    assert "minimized at the initial predictor" in d.as_dict()["regularizer_note"]


def test_uv_numeric_potential_against_quadrature():
    # u(0) = 1, v(0) = 2: h(nu) = 9/4 e^nu - 1/4 e^-nu, beta(0) = 2; q(t) = int_0^R y h'(y) dy, h(R) = t
    d = derive_parametrization("u*v", {"u": "1", "v": "2"})
    assert d.link_parameters == {} and equal(d.link, sp.Rational(9, 4) * sp.exp(nu) - sp.exp(-nu) / 4)
    ctx = context(45)
    h = lambda y: ctx.mpf(9) / 4 * ctx.exp(y) - ctx.exp(-y) / 4  # noqa: E731
    dh = lambda y: ctx.mpf(9) / 4 * ctx.exp(y) + ctx.exp(-y) / 4  # noqa: E731
    for t in ("-7.5", "1", "2.5", "40"):
        R = ctx.findroot(lambda y: h(y) - ctx.mpf(t), (-10, 10), solver="ridder")
        expected = ctx.quad(lambda y: y * dh(y), [0, R])
        value, digits = potential_value(d, t, 35)
        assert digits == 35 and abs(ctx.mpf(value) - expected) <= ctx.mpf(10) ** -34 * abs(expected)
    assert potential_value(d, "2", 20) == ("0", 20)  # q(beta(0)) = 0 exactly


def test_uv_unbiased_start_is_the_depth_two_hypentropy():
    # v(0) = 0: beta(0) = 0 and A = B = a^2/4 =: C2, h = C2 (e^nu - e^-nu): Theorem 1 with c^2 = C2
    d = derive_parametrization("u*v", {"u": "a", "v": "0"})
    C2 = a**2 / 4
    assert d.link_parameters == {A: C2, B: C2}
    link, q = (expr.subs(d.link_parameters) for expr in (d.link, d.potential))
    assert equal(link, C2 * (sp.exp(nu) - sp.exp(-nu)))
    assert equal(link, C2 * derive_diagonal(2).link)
    assert equal(q, C2 * theorem1_q(z / C2))
    assert equal(q, C2 * derive_diagonal(2).potential.subs(z, z / C2))
    assert d.initial_prediction().subs(d.link_parameters) == 0 and d.verified()


def test_uv_equal_start_is_an_entropy_not_the_hypentropy():
    # u(0) = v(0) = a: u = v = a e^s, beta = a^2 e^{2s}: B = (a - b)^2/4 = 0, one-sided link
    d = derive_parametrization("u*v", {"u": "a", "v": "a"})
    assert d.link_parameters == {A: a**2} and equal(d.link, A * sp.exp(nu))
    assert equal(d.potential, z * sp.log(z / A) - z + A)
    assert d.link_range == sp.Interval.open(0, sp.oo) and d.verified()
    ones = derive_parametrization("u*v", {"u": "1", "v": "1"})
    ctx = context(30)
    value, _ = potential_value(ones, "3", 20)
    assert abs(ctx.mpf(value) - (3 * ctx.log(3) - 2)) <= ctx.mpf(10) ** -19
    with pytest.raises(InvalidArgument, match="range"):
        potential_value(ones, "-3", 20)


def test_symbolic_link_parameters_cannot_be_evaluated():
    with pytest.raises(NotApplicable, match="link parameters A, B"):
        potential_value(derive_parametrization("u*v", {"u": "a", "v": "b"}), "1", 20)


# -- the diagonal form through the custom route ------------------------------------------------
def test_cubic_reproduces_derive_diagonal_three():
    d = derive_parametrization("w1**3 - w2**3", {"w1": "c", "w2": "c"})
    d3 = derive_diagonal(3)
    assert equal(d.link, d3.link) and equal(d.amplitude, d3.amplitude) and equal(d.rate, d3.rate)
    assert equal(d.link, (1 - nu) ** -3 - (1 + nu) ** -3)  # Theorem 3, D = 3
    assert (d.amplitude, d.rate, d.inverse_link, d.depth) == (c**3, 3 * c, None, 3)
    assert d.verified()


def test_named_scale_gives_theorem_one():
    d = derive_parametrization("u**2 - v**2", {"u": "alpha", "v": "alpha"})
    assert (d.c, d.amplitude, d.rate) == (alpha, alpha**2, 4)
    assert equal(d.potential, theorem1_q(z)) and d.verified()
    assert derive_parametrization("u**2 - v**2", {"u": "alpha", "v": "alpha"}) is d  # cached


# -- what sympy cannot do, and bad input --------------------------------------------------------
@pytest.mark.parametrize("expression, init, message", [
    ("u*v + sin(u)", {"u": "a", "v": "b"}, "coupled nonlinear driven system du/ds = v \\+ cos\\(u\\)"),
    ("u**3 - v**3", {"u": "a", "v": "b"}, "is nonlinear"),
    ("u*v + u**2", {"u": "a", "v": "b"}, "not A e\\^\\(bs\\) - B e\\^\\(-bs\\) \\+ C: no single rate"),
])
def test_not_applicable_names_the_step(expression, init, message):
    with pytest.raises(NotApplicable, match=message):
        derive_parametrization(expression, init)


@pytest.mark.parametrize("expression, init, message", [
    ("u*", {"u": "a"}, "does not parse"),
    ("__import__('os').system('true')", {"u": "a"}, "is not allowed"),
    ("u.real", {"u": "a"}, "attribute access .real"),
    ("x*y", {"u": "a"}, "names not in init: x, y"),
    ("u^2", {"u": "a"}, "use \\*\\* for powers"),
    ("u[0]", {"u": "a"}, "Subscript"),
    ("u**v", {"u": "a", "v": "b"}, "exponent must be a number"),
    ("u**(9*9*9)", {"u": "a"}, "exponent must be a number of size <= 100"),
    ("(u**2)**3", {"u": "a"}, "base free of"),
    ("exp*u", {"u": "a"}, "without an argument"),
    ("1j*u", {"u": "a"}, "not a real number"),
    ("2", {"u": "a"}, "has no parameter"),
    ("u - u", {"u": "a"}, "does not depend on u"),
    ("u*v", {"u": "a", "v": "b", "w": "c"}, "init names w do not occur"),
    ("u*v", {"u": "v", "v": "a"}, "parameter or reserved names"),
    ("u*v", {"u": "s", "v": "a"}, "parameter or reserved names"),
    ("s*v", {"s": "a", "v": "b"}, "parameter name 's'"),
    ("u*v", {"u": 0.5, "v": "a"}, "init\\['u'\\] must be a non-empty expression string"),
    ("u*v", {"u": "a/0", "v": "b"}, "not finite and real"),
    ("u*v", {"u": "sqrt(-1)", "v": "b"}, "not finite and real"),
    ("u*v", {}, "init must be a non-empty dict"),
])
def test_bad_strings_are_invalid_arguments(expression, init, message):
    with pytest.raises(InvalidArgument, match=message):
        derive_parametrization(expression, init)


# -- command line -------------------------------------------------------------------------------
def test_cli_latex_for_uv(capsys):
    argv = ["derive", "--parametrization", "u*v", "--init", "u=a, v=b", "--format", "latex"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    for piece in (r"A e^{\nu} - B e^{- \nu}", r"A = \frac{\left(a + b\right)^{2}}{4}",
                  r"B = \frac{\left(a - b\right)^{2}}{4}", r"\sqrt{4 A B + z^{2}}",
                  "initial predictor beta(0) = A - B"):
        assert piece in out
    assert re.search(r"^verified\s+yes$", out, re.M)


def test_cli_json_for_cubic(capsys):
    assert main(["derive", "--parametrization", "w1**3 - w2**3", "--init", "w1=c,w2=c",
                 "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["family"], record["amplitude"], record["rate"]) == ("custom", "c**3", "3*c")
    assert record["verified"] is True
    assert record["inverse_link"] is None and record["root"]


@pytest.mark.parametrize("depth, power", [(3, "3"), (4, "2"), (5, r"\frac{5}{3}")])
def test_cli_latex_for_depth_d(depth, power, capsys):
    # Theorem 3: h_D = (1 - nu)^(-D/(D-2)) - (1 + nu)^(-D/(D-2)); q_D by parts in root = h_D^-1(|z|)
    assert main(["derive", "--depth", str(depth), "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"\frac{1}{\left(1 - \nu\right)^{%s}}" % power in out
    assert r"root \left|{z}\right|" in out and re.search(r"^verified\s+yes$", out, re.M)


def test_cli_explicit_prints_the_quartic(capsys):
    assert main(["derive", "--family", "explicit", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"r^{4} - 6 r^{3}" in out and re.search(r"^verified\s+yes$", out, re.M)


def test_cli_wide_prints_the_biased_hypentropy(capsys):
    assert main(["derive", "--family", "wide", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"A e^{\nu} - B e^{- \nu}" in out and re.search(r"^verified\s+yes$", out, re.M)


@pytest.mark.parametrize("argv", [
    ["derive", "--parametrization", "u*v"],
    ["derive", "--parametrization", "u*v", "--init", "u"],
    ["derive", "--parametrization", "u*v", "--init", "u=a,u=b"],
    ["derive", "--parametrization", "u.real", "--init", "u=a"],
    ["derive", "--parametrization", "u*v + sin(u)", "--init", "u=a,v=b"],
    ["derive", "--family", "custom"],
    ["derive", "--family", "diagonal"],
    ["derive", "--family", "explicit", "--depth", "2"],
    ["derive", "--family", "diagonal", "--depth", "2", "--parametrization", "u*v", "--init", "u=a,v=b"],
    ["derive", "--depth", "2", "--format", "mathml"],
])
def test_cli_bad_input_exits_3(argv, capsys):
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert err.startswith("krtheory: error:") and err.count("\n") == 1
