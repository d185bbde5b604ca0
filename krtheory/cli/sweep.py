"""``krtheory sweep``: a user's own grid over a built-in experiment, on the local process pool or
a Dask cluster, into a CSV that an interrupted run resumes from.

Grid values: a comma list (``0.01,0.1,1``), ``START:STOP:STEP`` (inclusive arithmetic range,
e.g. ``50:500:50``) or ``log:START:STOP:COUNT`` (COUNT log-spaced values, ends included).
"""

from __future__ import annotations

import itertools
import math

from krtheory.cli.figure import positive_int
from krtheory.cli.output import check_writable
from krtheory.cli.progress import add_progress_option
from krtheory.errors import InvalidArgument

#: Defaults of the grid options an experiment takes (alpha has none: it must be given).
DEFAULTS = {"d": "1000", "n": "100", "depth": "2"}
#: Grid options whose values are integers.
INTEGER = {"d", "n", "depth"}


def add_parser(subparsers):
    from krtheory.experiments.registry import EXPERIMENTS

    listing = "; ".join(f"{name} (grid: {', '.join(fields)})" for name, (_, fields) in EXPERIMENTS.items())
    parser = subparsers.add_parser(
        "sweep", help="run a grid of a built-in experiment into a resumable CSV",
        description="Run every combination of the grid values on a local process pool (or a Dask "
                    "cluster) and write one CSV row per point, sorted in grid order. Finished points are "
                    "journalled in FILE.csv.jsonl as they come, so a rerun of the same command computes "
                    "only what is missing. Grid values: a comma list, START:STOP:STEP (inclusive) or "
                    f"log:START:STOP:COUNT. Experiments: {listing}.")
    parser.add_argument("--experiment", required=True, choices=list(EXPERIMENTS), help="the point function")
    parser.add_argument("--alpha", metavar="VALUES", help="initialization scales alpha > 0 (sparse-regression)")
    parser.add_argument("--n", metavar="VALUES", help=f"numbers of samples (default {DEFAULTS['n']})")
    parser.add_argument("--d", metavar="VALUES", help=f"dimensions (default {DEFAULTS['d']})")
    parser.add_argument("--depth", metavar="VALUES", help=f"depths D >= 2 (default {DEFAULTS['depth']})")
    parser.add_argument("--seeds", metavar="N", default="1", help="seeds 0..N-1 per grid point (default 1)")
    parser.add_argument("--out", metavar="FILE.csv", required=True, help="the table (and FILE.csv.jsonl, its journal)")
    parser.add_argument("--workers", metavar="N", help="local worker processes (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDR", help="the Dask scheduler to run on (needs the dist extra)")
    add_progress_option(parser)
    parser.set_defaults(run=run)


def grid_values(text: str, option: str, integer: bool) -> list:
    """The values of one grid option (see the module docstring)."""
    text = text.strip()
    try:
        if text.startswith("log:"):
            start, stop, count = text[4:].split(":")
            count, low, high = int(count), float(start), float(stop)
            if count < 1 or not (low > 0 and high > 0 and math.isfinite(low) and math.isfinite(high)):
                raise ValueError
            values = [low] if count == 1 else [math.exp(math.log(low) + k * (math.log(high) - math.log(low)) / (count - 1))
                                                for k in range(count)]
        elif ":" in text:
            start, stop, step = (float(v) for v in text.split(":"))
            if not step > 0 or not (math.isfinite(start) and math.isfinite(stop)) or (stop - start) / step > 1e6:
                raise ValueError
            values = [start + k * step for k in range(int(math.floor((stop - start) / step + 1e-9)) + 1)]
        else:
            values = [float(v) for v in text.split(",")]
    except ValueError:
        raise InvalidArgument(f"{option} {text!r}: expected a comma list, START:STOP:STEP or log:START:STOP:COUNT") from None
    if not values or not all(math.isfinite(v) and v > 0 for v in values):
        raise InvalidArgument(f"{option} {text!r}: the values must be positive and finite")
    if integer:
        if any(v != int(v) for v in values):
            raise InvalidArgument(f"{option} {text!r}: the values must be integers")
        values = [int(v) for v in values]
    return list(dict.fromkeys(values))


def points_of(args, fields) -> list[dict]:
    grids = {}
    for field in fields:
        if field == "seed":
            grids["seed"] = list(range(positive_int(args.seeds, "--seeds")))
            continue
        text = getattr(args, field)
        if text is None:
            if field not in DEFAULTS:
                raise InvalidArgument(f"--{field} is required for --experiment {args.experiment}")
            text = DEFAULTS[field]
        grids[field] = grid_values(text, f"--{field}", field in INTEGER)
    for field in ("alpha", "n", "d", "depth"):
        if field not in fields and getattr(args, field) is not None:
            raise InvalidArgument(f"--{field} does not apply to --experiment {args.experiment}")
    if "depth" in grids and min(grids["depth"]) < 2:
        raise InvalidArgument("--depth: D must be >= 2")
    if "n" in grids and "d" in grids and max(grids["n"]) >= min(grids["d"]):
        raise InvalidArgument("--n must stay below --d (the problems are overparametrized)")
    return [dict(zip(grids, combination)) for combination in itertools.product(*grids.values())]


def run(args) -> int:
    from krtheory.experiments.registry import EXPERIMENTS, experiment_function
    from krtheory.sweep import Runner

    target, fields = EXPERIMENTS[args.experiment]
    points = points_of(args, fields)
    out = check_writable(args.out) if args.out.strip() else None
    if out is None or out.suffix.lower() != ".csv":
        raise InvalidArgument(f"--out {args.out!r}: the table must be a .csv file")
    runner = Runner(workers=positive_int(args.workers, "--workers"), scheduler=args.scheduler, progress=args.progress)
    from krtheory.sweep.table import read_journal

    resumed = len(read_journal(out))
    rows = runner(experiment_function(args.experiment), points, table=out, key=fields, desc=args.experiment)
    failed = [row for row in rows if row.get("sweep_status") != "ok"]
    print(f"{args.experiment}: {len(rows)} points in {out} ({min(resumed, len(rows))} from its journal, "
          f"{len(failed)} failed)")
    for row in failed[:5]:
        print(f"failed: {', '.join(f'{k}={row[k]}' for k in fields)}: {row.get('sweep_reason')}")
    return 0 if not failed else 1
