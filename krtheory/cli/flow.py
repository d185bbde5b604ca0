"""``krtheory flow``: integrate the parameter-space gradient flow to its limit at high precision."""

from __future__ import annotations

import itertools
import sys
import time

from krtheory.cli.common import add_model_options, load_model, load_problem, resolve_family
from krtheory.cli.output import add_json_option, emit, plain, table
from krtheory.cli.options import add_dps_option
from krtheory.cli.progress import add_progress_option, progress

#: Seconds between progress lines on stderr.
PROGRESS_EVERY = 3.0


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "flow", help="integrate the gradient flow w' = -grad L(w) to its limit",
        description="Integrate the gradient flow of L(w) = sum_n (<beta_w, x_n> - y_n)^2 from "
                    "the model's initialization with a high-precision Taylor method, and print "
                    "the limit beta with only the digits its error estimate supports.")
    add_model_options(parser, "flow")
    add_dps_option(parser, default=40, maximum=1000)  # measured: 2 s at 100 digits, over 60 s at 1000
    parser.set_defaults(dps=None)  # None: 40 digits; --family matrix: float64 unless --dps is given
    parser.add_argument("--method", choices=("taylor", "radau", "auto"), default="auto",
                        help="auto (the default: Taylor while accuracy-limited, then Radau once "
                             "stability holds the Taylor steps down, as at small alpha), taylor "
                             "(explicit Taylor series only) or radau (implicit Radau IIA steps only); "
                             "the tail after the last step is bounded with python-flint when installed")
    add_json_option(parser)
    parser.add_argument("--verbose", action="store_true",
                        help="progress lines (t, loss) on stderr even when it is not a terminal")
    add_progress_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from krtheory.cli import matrix
    from krtheory.flow.driver import integrate_flow

    resolve_family(args)
    if matrix.takes_matrices(args):
        return matrix.run_flow(args)
    args.dps = 40 if args.dps is None else args.dps
    problem = load_problem(args)
    model = load_model(args, problem)
    report = _Bar() if args.progress else _Progress() if args.verbose or sys.stderr.isatty() else None
    try:
        result = integrate_flow(model, problem, dps=args.dps, method=args.method, progress=report)
    finally:
        if isinstance(report, _Bar):
            report.close()
    record = {**result.as_strings(), "model": model.describe(), "problem": problem.name}
    text = [f"model     {plain(record['model'])}", f"problem   {problem.name} (n={problem.n}, d={problem.d})",
            table(["i", "beta_i"], [[str(i), b] for i, b in enumerate(record["beta"], start=1)])]
    text += [f"{key:<15} {plain(record[key])}" for key in ("loss", "time", "error_estimate", "digits",
                                                    "steps", "stiff_steps", "tail_certified",
                                                    "tail_method", "seconds")]
    emit(args, record, "\n".join(text))
    return 0


class _Progress:
    """Prints ``t`` and the loss to stderr at most every PROGRESS_EVERY seconds."""

    def __init__(self):
        self.last = time.perf_counter()

    def __call__(self, t: float, loss: float, steps: int):
        now = time.perf_counter()
        if now - self.last >= PROGRESS_EVERY:
            self.last = now
            print(f"flow: t={t:.6g} loss={loss:.3e} steps={steps}", file=sys.stderr, flush=True)


class _Bar:
    """A progress bar of the flow's steps on stderr (:mod:`krtheory.cli.progress`), with the flow
    time t and the loss beside it (the number of steps is not known in advance)."""

    def __init__(self):
        self.bar = progress(itertools.count(), desc="flow", enabled=True)
        self.ticks = iter(self.bar)
        self.shown = False

    def __call__(self, t: float, loss: float, steps: int):
        next(self.ticks)
        if hasattr(self.bar, "set_postfix_str"):  # tqdm (the fallback prints 'flow i/?' lines)
            # drawn at once on the first step (a short flow ends before tqdm's first refresh),
            # then at tqdm's own pace
            self.bar.set_postfix_str(f"t={t:.4g} loss={loss:.2e}", refresh=not self.shown)
            self.shown = True

    def close(self):
        if hasattr(self.bar, "close"):
            self.bar.close()
