"""``krtheory bounds``: the printed alpha-bounds of a problem, the measured thresholds and the
tightness (Theorem 2, Lemmas 1-3, the §6 depth-D condition); ``--table fig3b`` prints Figure 3(b)."""

from __future__ import annotations

from krtheory.cli.output import add_json_option, emit, table
from krtheory.errors import InvalidArgument
from krtheory._validation import check_depth
from krtheory.cli.options import add_dps_option
from krtheory.cli.progress import add_progress_option, progress

TABLES = ("fig3b",)


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "bounds", help="alpha-scaling bounds (Theorem 2, Lemmas 1-3, depth D), measured thresholds, tightness",
        description="Evaluate the paper's alpha bounds for a problem and eps at high precision, measure the "
                    "true critical alphas of the l1 and l2 guarantees by a grid scan and bisection on log "
                    "alpha with verified solves, and report tightness = log10(threshold/bound) (l1) or "
                    "log10(bound/threshold) (l2). --table fig3b prints Figure 3(b) instead.")
    parser.add_argument("--X", metavar="FILE", help="n x d matrix (.csv, .npy, .json)")
    parser.add_argument("--y", metavar="FILE", help="n targets (.csv, .npy, .json)")
    parser.add_argument("--eps", default="0.5", metavar="EPS",
                        help="accuracy eps, 0 < eps < d at depth 2 (default 0.5), read exactly")
    parser.add_argument("--depth", default="2", metavar="D",
                        help="depth D >= 2 (default 2); D >= 3 uses the depth-D l1 condition of §6")
    add_dps_option(parser, default=30, maximum=1000, help="decimal digits of the solves")
    parser.add_argument("--grid-step", default="0.25", metavar="DECADES",
                        help="spacing of the scan in decades of alpha (default 0.25; widened to at most "
                             "120 points)")
    parser.add_argument("--table", choices=TABLES, help="print a table of the paper instead (fig3b)")
    add_json_option(parser)
    add_progress_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.table == "fig3b":
        return _fig3b(args)
    if args.X is None or args.y is None:
        raise InvalidArgument("--X and --y are required (unless --table is given)")
    from krtheory.bounds.thresholds import measure_thresholds
    from krtheory.problem import Problem

    problem = Problem.from_files(args.X, args.y)
    depth = check_depth(args.depth)
    report = measure_thresholds(problem, [args.eps], depth=depth, dps=args.dps, grid_step=args.grid_step,
                                scan=lambda grid: progress(grid, desc="bounds scan", enabled=args.progress))[0]
    record = report.as_dict()
    emit(args, record, _text(problem, record))
    return 0 if all(record[s]["status"] != "bound violated" for s in ("l1", "l2")) else 1


def _text(problem, record) -> str:
    depth = record["depth"]
    l1_name = "Theorem 2, l1: alpha <=" if depth == 2 else f"§6 depth {depth}, l1: alpha <="
    names = [("l1_bound", l1_name), ("l2_bound", "Theorem 2, l2: alpha >="),
             ("lemma1_alpha", "Lemma 1 alpha_1(beta*_l1)"), ("lemma2_alpha", "Lemma 2 alpha (d >= 12^(4 eps))"),
             ("lemma3_alpha", "Lemma 3 alpha_2(beta*_l2)")]
    bound_rows = [[label, record[key] if record[key] is not None else "n/a"] for key, label in names]
    rows = []
    for side in ("l1", "l2"):
        t = record[side]
        rows.append([side, t["bound"] or "n/a", t["value"] or "none", t["status"],
                     "n/a" if t["tightness"] is None else _decades(t["tightness"]), str(t["changes"])])
    certified = "" if record["l1_reference_certified"] else " (NOT certified)"
    return "\n".join([
        f"problem   {problem.name} (n={problem.n}, d={problem.d}), depth {depth}, eps {record['eps']}",
        f"||beta*_l1||_1 = {record['norm1_l1_reference']}{certified}, ||beta*_l2||_2 = {record['norm2_l2_reference']}",
        table(["printed bound", "alpha"], bound_rows),
        "",
        table(["side", "bound", "measured threshold", "status", "tightness (log10)", "changes"], rows),
        f"{record['grid_points']} grid points, {record['grid_step_decades']} decades apart; {record['probes']} "
        f"solves, up to {record['max_dps']} digits, >= {record['min_solve_digits']} verified digits each",
        f"note: {record['note']}",
    ])


def _decades(tightness: float) -> str:
    """A tightness (a float rounded to 1e-4 decades) with only digits it has right: 4 decimals
    below 10^11 decades, else 15 significant digits (at eps = 1e-19 it is ~6.5e18 and .4f
    printed 6514417228548776960.0000 for 6514417228548777396.3)."""
    return f"{tightness:.4f}" if abs(tightness) < 1e11 else f"{tightness:.15g}"


def _fig3b(args) -> int:
    from krtheory.bounds import witness

    rows = witness.fig3b_table()
    ctx = rows[0][1].context
    values = [[str(r[0])] + [ctx.nstr(v, 6) for v in r[1:]] for r in rows]
    record = {"figure": "3b", "d": witness.FIG3B_DIMENSION, "x": list(witness.FIG3B_X),
              "quantity": "Q^D_alpha(e_1) / Q^D_alpha(1_d/sqrt(d)) at ln(alpha^D) = x",
              "rows": [{"depth": int(r[0]), "ratio": r[1:]} for r in values]}
    text = (f"Figure 3(b): Q^D_alpha(e_1)/Q^D_alpha(1_d/sqrt d) against x = ln(alpha^D), d = {witness.FIG3B_DIMENSION} "
            f"(1/sqrt d = {ctx.nstr(1 / ctx.sqrt(witness.FIG3B_DIMENSION), 3)}: l1-like; 1: l2-like)\n"
            + table(["D"] + [f"x={x}" for x in witness.FIG3B_X], values))
    emit(args, record, text)
    return 0
