"""Independent references for the prover's tests: the inequality text evaluated by Python's own
parser in mpmath (none of krtheory.prove's parser, series or ball arithmetic), with q from its
closed form (Theorem 1, eq. 4) and q_D from bisection on h_D and the closed form
q_D(u) = |u| z - G(z) (Theorem 3; FORMULAS §6, checked there against quadrature)."""

from __future__ import annotations

import mpmath

NAMES = ("exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan",
         "asinh", "acosh", "atanh")


def q_mp(ctx, x):
    x = ctx.mpf(x)
    return x * ctx.asinh(x / 2) - x * x / (2 + ctx.sqrt(4 + x * x))


def q_depth_mp(ctx, D: int, x):
    u = abs(ctx.mpf(x))
    if u == 0:
        return ctx.zero
    p, e = ctx.mpf(D) / (D - 2), ctx.mpf(2) / (D - 2)
    w = _w_of(ctx, u, p)
    z = 1 - w
    G = (ctx.mpf(D) - 2) / 2 * (w ** -e + (1 + z) ** -e - 2)
    return u * z - G


def _w_of(ctx, u, p):
    """w = 1 - h_D^{-1}(u) by bisection on the decreasing w^-p - (2 - w)^-p - u over (0, 1]."""
    lo, hi = ctx.mpf(0), ctx.mpf(1)
    for _ in range(ctx.prec + 20):
        mid = (lo + hi) / 2
        if mid ** -p - (2 - mid) ** -p > u:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def difference_mp(text: str, var: str, x, dps: int = 50, D=None):
    """LHS - RHS of ``text`` at ``var = x`` (x an exact decimal string or number), in mpmath."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    namespace = {name: getattr(ctx, name) for name in NAMES}
    namespace.update(pi=ctx.pi, E=ctx.e, q=lambda t: q_mp(ctx, t), __builtins__={})
    for depth in range(3, 101):
        namespace[f"q_{depth}"] = lambda t, depth=depth: q_depth_mp(ctx, depth, t)
    if D is not None:
        namespace["q_D"] = lambda t: q_depth_mp(ctx, D, t)
    namespace[var] = ctx.mpf(x)
    for op in (">=", "<=", ">", "<"):
        if op in text:
            left, right = text.split(op)
            value = eval(left, namespace) - eval(right, namespace)  # noqa: S307 - test text only
            return value if op[0] == ">" else -value
    raise ValueError(text)
