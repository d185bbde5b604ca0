"""Options shared by the commands that take a model and a problem (``flow``, ``solve``).

``add_model_options(parser)`` adds --family/--depth/--alpha/--shape/--X/--y; ``load_problem``
and ``load_model`` turn the parsed options into a :class:`~krtheory.problem.Problem` and a
model, with every bad value reported as InvalidArgument (exit 3) naming the option.
"""

from __future__ import annotations

from pathlib import Path

from krtheory.errors import InvalidArgument
from krtheory.problem import Problem, load_matrix, parse_number

#: Families the command line can build (krtheory.models).
FAMILIES = ("diagonal",)


def add_model_options(parser, families: tuple[str, ...] = FAMILIES) -> None:
    """The model and problem options; ``families`` are the --family choices (first: default)."""
    model = parser.add_argument_group("model")
    model.add_argument("--family", choices=families, default=families[0],
                       help=f"parametrization (default: {families[0]}; diagonal: "
                            "beta = w+^D - w-^D)")
    model.add_argument("--depth", default="2", metavar="D", help="depth D >= 2 (default 2)")
    model.add_argument("--alpha", default="1", metavar="A",
                       help="initialization scale alpha > 0, read exactly (default 1)")
    model.add_argument("--shape", metavar="FILE|v1,v2,...",
                       help="initialization shape w0 (no zero entries): a file with one row or "
                            "column of numbers, or a comma list (default: all ones)")
    data = parser.add_argument_group("problem")
    data.add_argument("--X", required=True, metavar="FILE", help="n x d matrix (.csv, .npy, .json)")
    data.add_argument("--y", required=True, metavar="FILE", help="n targets (.csv, .npy, .json)")


def load_problem(args) -> Problem:
    return Problem.from_files(args.X, args.y)


def parse_shape(text: str, d: int) -> tuple[str, ...]:
    """w0 from a file (one row or one column) or from a comma list; exactly d entries."""
    if Path(text).is_file():
        rows = load_matrix(text)
        if len(rows) != 1 and any(len(r) != 1 for r in rows):
            raise InvalidArgument(f"--shape {text}: expected one row or one column, found "
                                  f"{len(rows)} rows of {len(rows[0])}")
        entries = tuple(v for row in rows for v in row)
    else:
        entries = tuple(parse_number(v.strip(), f"--shape entry {i}")
                        for i, v in enumerate(text.split(","), start=1))
    if len(entries) != d:
        raise InvalidArgument(f"--shape has {len(entries)} entries but the problem has d={d}")
    return entries


def load_model(args, problem: Problem):
    """The model the options describe, checked against the problem's dimension."""
    from krtheory.models import DiagonalModel

    shape = None if args.shape is None else parse_shape(args.shape, problem.d)
    return DiagonalModel(args.depth, args.alpha, shape)
