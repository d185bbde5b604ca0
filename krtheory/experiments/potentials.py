"""The potentials of §4-5 as pictures: Figure 2 (q against r), Figure 3(a) (q_D) and Figure 3(b)
(the Lemma 2 witness ratio against ln alpha^D).

q (Theorem 1, eq. 4: q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2)), r (the explicit regularizer,
eqs. 8-9) and q_D (Theorem 3) come from the families' verified potential values
(``FAMILIES[...].potential``, each value checked by a second evaluation with more digits); the
ratio of Figure 3(b) from :func:`krtheory.bounds.witness.fig3b_table` (d = 100, natural log).
No problem is generated here, so these CSVs have no ``problem`` column.
"""

from __future__ import annotations

from fractions import Fraction

#: Digits of each potential value (far beyond what a picture needs; the CSV says so per row).
DIGITS = 12
#: Figure 2's window and Figure 3(a)'s depths and window (q_D(z) / q_D(Z) with Z its end).
Z_MAX_2 = 25
DEPTHS_3A = (2, 3, 5, 10, 100)
Z_MAX_3A = 10
POINTS = {"quick": 41, "default": 101, "paper": 251}
#: Figure 3(b): x = ln(alpha^D) from -8 to 1, in steps of 1/X_STEPS.
X_STEPS = {"quick": 2, "default": 4, "paper": 8}
COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e")


def _grid(z_max: int, count: int) -> list[Fraction]:
    """count points evenly on [-z_max, z_max], exact (count - 1 must divide 2 z_max times a
    power of 10 for the points to be short decimals)."""
    return [Fraction(-z_max) + Fraction(2 * z_max * k, count - 1) for k in range(count)]


def _text(z: Fraction) -> str:
    """z as an exact decimal (the grids' steps are powers of 2 and 5 over small integers)."""
    from decimal import Decimal, localcontext

    with localcontext() as exact:
        exact.prec = 60
        text = str(Decimal(z.numerator) / Decimal(z.denominator))
    if Fraction(text) != z:
        raise ValueError(f"{z} has no short decimal expansion")
    return text


def potential_values(family: str, zs, **params) -> list[tuple[float, int]]:
    """(value, verified digits) of the family's potential at each exact z."""
    from krtheory.families.registry import FAMILIES

    out = []
    for z in zs:
        text, digits = FAMILIES[family].potential(_text(z), DIGITS, **params)
        out.append((float(text), digits))
    return out


def curvature_at_zero(family: str, **params) -> float:
    """q''(0) = 2 q(z)/z^2 at z = 10^-4 (the z^4 term leaves a relative error ~1e-8)."""
    (value, _), = potential_values(family, [Fraction(1, 10 ** 4)], **params)
    return 2 * value * 1e8


def fig2(context):
    """Figure 2: q (depth 2, implicit) and r (explicit) on [-25, 25], as they are and rescaled to
    equal curvature at 0 (r times q''(0)/r''(0))."""
    from krtheory.experiments._figure import Comparison, FigureResult, pyplot, save_figure, write_csv

    zs = _grid(Z_MAX_2, POINTS[context.scale.value])
    q = potential_values("diagonal", zs, depth=2)
    r = potential_values("explicit", zs)
    factor = curvature_at_zero("diagonal", depth=2) / curvature_at_zero("explicit")
    plt = pyplot()
    figure, axes = plt.subplots(1, 2, figsize=(9.6, 3.7), constrained_layout=True)
    x = [float(z) for z in zs]
    for ax, scale, title in ((axes[0], 1.0, "as they are"),
                             (axes[1], factor, f"r rescaled by q''(0)/r''(0) = {factor:.4g}")):
        ax.plot(x, [v for v, _ in q], color="#d62728", linewidth=1.8, label=r"$q(z)$ (implicit, depth 2)")
        ax.plot(x, [scale * v for v, _ in r], color="#1f77b4", linewidth=1.8,
                label=r"$r(z)$ (explicit)" if scale == 1 else rf"${factor:.3g}\,r(z)$")
        ax.plot(x, [abs(v) for v in x], color="0.6", linewidth=0.9, linestyle=":", label=r"$|z|$")
        ax.set_xlabel("z")
        ax.set_title(title, fontsize=10)
        ax.grid(True, alpha=0.3, linewidth=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.legend(frameon=False, fontsize=8, loc="upper center")
    figure.suptitle("Figure 2: the implicit potential q and the explicit r", fontsize=11)
    png, svg = save_figure(figure, context.out, "fig2")
    rows = [{"z": float(z), "q": qv, "r": rv, "r_rescaled": factor * rv, "q_digits": qd, "r_digits": rd}
            for z, (qv, qd), (rv, rd) in zip(zs, q, r)]
    csv = write_csv(context.out / "fig2.csv", rows, ["z", "q", "r", "r_rescaled", "q_digits", "r_digits"], comments=[
        "Figure 2: q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2) (eq. 4) and r(z) (eq. 9), verified to the digits given",
        f"r_rescaled = r * q''(0)/r''(0), factor {factor!r} (curvatures 2 f(z)/z^2 at z = 1e-4)"])
    ends = (q[-1][0], r[-1][0])
    comparisons = (Comparison("q(25), r(25)", "57.4, 16.4 (unscaled, from the paper's formulas)",
                              f"{ends[0]:.4g}, {ends[1]:.4g}"),
                   Comparison("q''(0) / r''(0)", "2 (q ~ z^2/4, r ~ z^2/8)", f"{factor:.6g}"))
    return FigureResult("2", (png, svg, csv), comparisons)


def fig3a(context):
    """Figure 3(a): q_D for D in {2, 3, 5, 10, 100}, each divided by its value at the window's end."""
    from krtheory.experiments._figure import Comparison, FigureResult, pyplot, save_figure, styled_axes, write_csv

    zs = _grid(Z_MAX_3A, POINTS[context.scale.value])
    x = [float(z) for z in zs]
    plt = pyplot()
    figure, ax = styled_axes(plt)
    rows, ends = [], {}
    for depth, color in zip(DEPTHS_3A, COLORS):
        values = potential_values("diagonal", zs, depth=depth)
        end = values[-1][0]
        ends[depth] = end
        ax.plot(x, [v / end for v, _ in values], color=color, linewidth=1.6, label=f"D = {depth}")
        rows += [{"depth": depth, "z": float(z), "q_D": v, "q_D_normalised": v / end, "digits": digits}
                 for z, (v, digits) in zip(zs, values)]
    ax.plot(x, [abs(v) / Z_MAX_3A for v in x], color="0.55", linestyle=":", linewidth=1, label=r"$|z|/Z$ ($\ell_1$)")
    ax.plot(x, [(v / Z_MAX_3A) ** 2 for v in x], color="0.55", linestyle="--", linewidth=0.8,
            label=r"$(z/Z)^2$ ($\ell_2$)")
    ax.set_xlabel("z")
    ax.set_ylabel(rf"$q_D(z)\,/\,q_D({Z_MAX_3A})$")
    ax.set_title(r"Figure 3(a): $q_D$, normalised to 1 at $|z| = Z$ = " + str(Z_MAX_3A), fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="upper center", ncol=2)
    png, svg = save_figure(figure, context.out, "fig3a")
    csv = write_csv(context.out / "fig3a.csv", rows, ["depth", "z", "q_D", "q_D_normalised", "digits"], comments=[
        f"Figure 3(a): q_D (Theorem 3; q_2 = q of eq. 4), q_D_normalised = q_D(z)/q_D({Z_MAX_3A})"])
    comparisons = (Comparison(f"q_D({Z_MAX_3A}) for D = {', '.join(map(str, DEPTHS_3A))}", "no numbers on the axes",
                              ", ".join(f"{ends[d]:.4g}" for d in DEPTHS_3A)),)
    return FigureResult("3a", (png, svg, csv), comparisons)


def fig3b(context):
    """Figure 3(b): Q^D(e_1)/Q^D(1_d/sqrt(d)) against x = ln(alpha^D), d = 100 (lines at 1 and
    1/sqrt(d))."""
    from krtheory.bounds.witness import FIG3B_DEPTHS, FIG3B_DIMENSION, fig3b_table
    from krtheory.experiments._figure import Comparison, FigureResult, pyplot, save_figure, styled_axes, write_csv

    steps = X_STEPS[context.scale.value]
    xs = [Fraction(k, steps) for k in range(-8 * steps, steps + 1)]
    table = fig3b_table(xs=[_text(x) for x in xs], dps=DIGITS)
    plt = pyplot()
    figure, ax = styled_axes(plt)
    rows = []
    for (depth, *ratios), color in zip(table, COLORS):
        values = [float(v) for v in ratios]
        ax.plot([float(x) for x in xs], values, color=color, linewidth=1.6, label=f"D = {depth}")
        rows += [{"depth": depth, "x": float(x), "ratio": v, "digits": DIGITS - 1} for x, v in zip(xs, values)]
    ax.axhline(1, color="0.5", linestyle=":", linewidth=1, label=r"1 ($\ell_2$-like)")
    ax.axhline(FIG3B_DIMENSION ** -0.5, color="0.5", linestyle="--", linewidth=1, label=r"$1/\sqrt{d}$ ($\ell_1$-like)")
    ax.set_xlabel(r"$x = \ln(\alpha^D)$")
    ax.set_ylabel(r"$Q^D_\alpha(e_1)\,/\,Q^D_\alpha(\mathbf{1}_d/\sqrt{d})$")
    ax.set_title(f"Figure 3(b): the Lemma 2 witness ratio, d = {FIG3B_DIMENSION}", fontsize=10)
    ax.legend(frameon=False, fontsize=8, loc="center left")
    png, svg = save_figure(figure, context.out, "fig3b")
    csv = write_csv(context.out / "fig3b.csv", rows, ["depth", "x", "ratio", "digits"], comments=[
        f"Figure 3(b): ratio Q^D_alpha(e_1)/Q^D_alpha(1_d/sqrt(d)), d = {FIG3B_DIMENSION}, x = ln(alpha^D) natural log"])
    at = {(r["depth"], r["x"]): r["ratio"] for r in rows}
    comparisons = tuple(
        Comparison(f"D = 2 ratio at x = {x:g}", paper, f"{at[(FIG3B_DEPTHS[0], x)]:.3g}")
        for x, paper in ((-8.0, "~0.15 (read off the plot)"), (-2.0, "~0.68 (read off the plot)")))
    return FigureResult("3b", (png, svg, csv), comparisons)
