"""``krtheory figure NAME ...``: regenerate the paper's figures (PNG, SVG, the CSV behind each
picture, data/ with every generated problem) and print the paper's values next to ours."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from krtheory.cli.output import table
from krtheory.cli.progress import add_progress_option
from krtheory.errors import InvalidArgument

DEFAULT_OUT = "figures"


def add_parser(subparsers):
    from krtheory.experiments.registry import FIGURES

    parser = subparsers.add_parser(
        "figure", help="regenerate the paper's figures with their data",
        description="Regenerate figures of the paper: OUT/figNAME.png and .svg, the CSV behind each "
                    "picture, OUT/data/ with one .npz per generated problem, OUT/sweeps/ with the sweep "
                    "tables a rerun resumes from; then print the paper's reported values next to ours. "
                    f"Figures: {', '.join(FIGURES)} (or 'all').")
    parser.add_argument("names", nargs="+", metavar="NAME", help="figures to make, e.g. 1c 3b, or all")
    scale = parser.add_mutually_exclusive_group()
    scale.add_argument("--quick", dest="scale", action="store_const", const="quick",
                       help="small grids and few seeds: about a minute per figure on 2 cores")
    scale.add_argument("--paper", dest="scale", action="store_const", const="paper",
                       help="the paper's sizes (d = 1000, n = 50..500 step 25, 10 seeds)")
    parser.add_argument("--out", metavar="DIR", default=DEFAULT_OUT, help=f"output directory (default: ./{DEFAULT_OUT})")
    parser.add_argument("--seeds", metavar="N", help="number of seeds (default: the figure's for the scale)")
    parser.add_argument("--workers", metavar="N", help="local worker processes (default: all cores)")
    parser.add_argument("--scheduler", metavar="ADDR", help="run the points on the Dask cluster at ADDR "
                        "(e.g. tcp://host:8786; needs the dist extra)")
    add_progress_option(parser)
    parser.set_defaults(run=run, scale="default")


def positive_int(text, option: str) -> int | None:
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise InvalidArgument(f"{option} must be a positive integer, got {text!r}") from None
    if value < 1:
        raise InvalidArgument(f"{option} must be a positive integer, got {text!r}")
    return value


def output_directory(text: str) -> Path:
    """``--out DIR``: created if missing; refused when it is a file or cannot be written."""
    if not text.strip():
        raise InvalidArgument("--out: the directory name is empty")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise InvalidArgument(f"--out {text}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
        handle, probe = tempfile.mkstemp(dir=path, prefix=".krtheory-probe.")
        os.close(handle)
        os.unlink(probe)
    except OSError as error:
        raise InvalidArgument(f"--out {text}: cannot write there ({error.strerror})") from None
    return path


def selected(names) -> list[str]:
    from krtheory.experiments.registry import FIGURES

    chosen = list(FIGURES) if "all" in names else list(dict.fromkeys(names))
    unknown = [name for name in chosen if name not in FIGURES]
    if unknown:
        raise InvalidArgument(f"unknown figure {unknown[0]!r}; known: {', '.join(FIGURES)}, all")
    return chosen


def run(args) -> int:
    from krtheory.experiments._figure import FigureContext, Scale, pyplot
    from krtheory.experiments.registry import figure_function
    from krtheory.sweep import Runner

    names = selected(args.names)
    seeds = positive_int(args.seeds, "--seeds")
    runner = Runner(workers=positive_int(args.workers, "--workers"), scheduler=args.scheduler,
                    progress=args.progress)
    pyplot()  # the plot extra, before any work
    out = output_directory(args.out)
    context = FigureContext(out=out, scale=Scale(args.scale), seeds=seeds, runner=runner,
                            progress=bool(args.progress))
    for name in names:
        started = time.monotonic()
        print(f"Figure {name} ({args.scale}) ...", file=sys.stderr, flush=True)
        result = figure_function(name)(context)
        seconds = time.monotonic() - started
        files = ", ".join(str(path.relative_to(out)) if path.is_relative_to(out) else str(path)
                          for path in result.files)
        print(f"Figure {result.name}: {files} in {out} ({seconds:.1f} s)")
        if result.comparisons:
            print(table(["quantity", "paper", "ours"] + (["note"] if any(c.note for c in result.comparisons) else []),
                        [[c.quantity, c.paper, c.ours] + ([c.note] if c.note else [])
                         for c in result.comparisons]))
        for note in result.notes:
            print(f"note: {note}")
        print()
    return 0
