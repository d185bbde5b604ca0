"""Options shared by the commands that take a model and a problem (``flow``, ``solve``).

``add_model_options(parser, command)`` adds --family (the registry's families that take
``command``), --depth/--alpha/--shape (diagonal, explicit), --U0/--V0 (wide),
--parametrization/--init (custom) and --X/--y; ``resolve_family`` fills in the family (the
parametrization implies custom), ``load_problem``, ``model_parameters`` and ``load_model`` turn the
parsed options into a :class:`~krtheory.problem.Problem`, a family's parameters and a model,
with every bad value reported as InvalidArgument (exit 3) naming the option.
"""

from __future__ import annotations

from pathlib import Path

from krtheory.errors import InvalidArgument
from krtheory._validation import parse_number
from krtheory.families.registry import FAMILIES, names
from krtheory.problem import Problem, load_matrix

#: Defaults of the diagonal family's options (they do not apply to the wide family).
DEFAULT_DEPTH = "2"
DEFAULT_ALPHA = "1"


def add_model_options(parser, command: str) -> None:
    """The model and problem options; the --family choices are the registry's families that
    ``command`` takes (first: default)."""
    families = names(command)
    model = parser.add_argument_group("model")
    model.add_argument("--family", choices=families,
                       help=f"parametrization (default: {families[0]}, or custom with --parametrization; "
                            "diagonal: beta = w+^D - w-^D; wide: beta_i = <U_i, V_i>, width k)")
    parser.set_defaults(default_family=families[0])
    model.add_argument("--depth", metavar="D", help=f"diagonal: depth D >= 2 (default {DEFAULT_DEPTH})")
    model.add_argument("--alpha", metavar="A",
                       help=f"diagonal: initialization scale alpha > 0, read exactly (default {DEFAULT_ALPHA})")
    model.add_argument("--shape", metavar="FILE|v1,v2,...|D1xD2",
                       help="diagonal: initialization shape w0 (no zero entries): a file with one row or "
                            "column of numbers, or a comma list (default: all ones); matrix, nuclear: "
                            "the matrix size D1xD2")
    model.add_argument("--U0", metavar="FILE", help="wide: initial U, d rows of k numbers (.csv, .npy, .json)")
    model.add_argument("--V0", metavar="FILE", help="wide: initial V, the same shape as U0")
    model.add_argument("--parametrization", metavar="EXPR",
                       help='custom: beta of one coordinate as a polynomial in named parameters, e.g. "u*v"')
    model.add_argument("--init", metavar="NAME=VALUE,...",
                       help="custom: initial values, exact numbers (the same for every coordinate) or "
                            "files of d numbers (one row or column), e.g. u=0.7,v=0.2 or u=u0.csv,v=0.2")
    data = parser.add_argument_group("problem")
    data.add_argument("--X", metavar="FILE", help="n x d matrix (.csv, .npy, .json); required but for "
                                                  "the matrix families")
    data.add_argument("--y", metavar="FILE", help="n targets (.csv, .npy, .json); likewise")
    if command in ("flow", "solve"):
        from krtheory.cli.matrix import add_matrix_options

        add_matrix_options(data)


def resolve_family(args) -> None:
    """Set ``args.family``: --parametrization implies custom; custom needs --parametrization and
    --init, which no other family takes."""
    custom = args.parametrization is not None or args.init is not None
    family = args.family or ("custom" if custom else args.default_family)
    if (family == "custom") != custom:
        raise InvalidArgument(f"--parametrization and --init go with --family custom only, but got --family "
                              f"{family} with --parametrization {args.parametrization!r} and --init {args.init!r}")
    if custom and (args.parametrization is None or args.init is None):
        raise InvalidArgument("--parametrization needs --init (e.g. --init u=0.7,v=0.2) and --init needs "
                              "--parametrization")
    args.family = family


def custom_parameters(args) -> dict:
    """{parametrization, init} of a custom-family command line: each --init value an exact number
    or a file of numbers (one row or one column); the other families' options are refused."""
    from krtheory.cli.derive import parse_init

    given = [f"--{name}" for name in ("depth", "alpha", "shape", "U0", "V0") if getattr(args, name) is not None]
    if given:
        raise InvalidArgument(f"--family custom does not take {' or '.join(given)}; it is initialized by --init")
    init = {}
    for name, value in parse_init(args.init).items():
        try:
            init[name] = parse_number(value, f"--init {name}")
        except InvalidArgument as error:  # not a number: a file of numbers, or the number's error
            init[name] = _numbers_file(value, f"--init {name}")
            if init[name] is None:
                raise error from None
    return {"parametrization": args.parametrization, "init": init}


def _numbers_file(text: str, option: str) -> tuple[str, ...] | None:
    """The entries of a file of one row or one column of numbers; None if ``text`` names no file."""
    try:
        is_file = Path(text).is_file()
    except OSError:  # e.g. a comma list longer than a file name may be
        is_file = False
    if not is_file:
        return None
    rows = load_matrix(text)
    if len(rows) != 1 and any(len(r) != 1 for r in rows):
        raise InvalidArgument(f"{option} {text}: expected one row or one column, found "
                              f"{len(rows)} rows of {len(rows[0])}")
    return tuple(v for row in rows for v in row)


def load_problem(args) -> Problem:
    missing = [f"--{name}" for name in ("X", "y") if getattr(args, name) is None]
    if missing:
        raise InvalidArgument(f"--family {args.family} needs {' and '.join(missing)} (the problem X beta = y)")
    return Problem.from_files(args.X, args.y)


def diagonal_options(args, d: int) -> tuple[str, str, tuple[str, ...] | None]:
    """(depth, alpha, shape) of a diagonal-family command line, defaults filled in; the wide
    family's --U0/--V0 are refused here."""
    given = [f"--{name}" for name in ("U0", "V0") if getattr(args, name) is not None]
    if given:
        raise InvalidArgument(f"--family {args.family} does not take {' or '.join(given)} (options of "
                              "--family wide)")
    shape = None if args.shape is None else parse_shape(args.shape, d)
    return (DEFAULT_DEPTH if args.depth is None else args.depth,
            DEFAULT_ALPHA if args.alpha is None else args.alpha, shape)


def wide_initialization(args) -> tuple[list[list[str]], list[list[str]]]:
    """(U0, V0) of a wide-family command line, read exactly from the --U0/--V0 files; the
    diagonal family's --depth/--alpha/--shape are refused here."""
    given = [f"--{name}" for name in ("depth", "alpha", "shape") if getattr(args, name) is not None]
    if given:
        raise InvalidArgument(f"--family wide does not take {' or '.join(given)} (options of --family "
                              "diagonal); it is initialized by --U0 and --V0")
    missing = [f"--{name}" for name in ("U0", "V0") if getattr(args, name) is None]
    if missing:
        raise InvalidArgument(f"--family wide needs {' and '.join(missing)} (d rows of k numbers each)")
    return load_matrix(args.U0), load_matrix(args.V0)


def parse_shape(text: str, d: int) -> tuple[str, ...]:
    """w0 from a file (one row or one column) or from a comma list; exactly d entries."""
    entries = _numbers_file(text, "--shape")
    if entries is None:
        entries = tuple(parse_number(v.strip(), f"--shape entry {i}")
                        for i, v in enumerate(text.split(","), start=1))
    if len(entries) != d:
        raise InvalidArgument(f"--shape has {len(entries)} entries but the problem has d={d}")
    return entries


def model_parameters(args, d: int) -> dict:
    """The keyword parameters of ``args.family``'s link or model (U0, V0 for the wide family;
    depth, alpha, shape otherwise), read from the command line."""
    if args.family == "custom":
        return custom_parameters(args)
    if args.family == "wide":
        U0, V0 = wide_initialization(args)
        return {"U0": U0, "V0": V0}
    depth, alpha, shape = diagonal_options(args, d)
    return {"depth": depth, "alpha": alpha, "shape": shape}


def load_model(args, problem: Problem):
    """The model the options describe, checked against the problem's dimension."""
    parameters = model_parameters(args, problem.d)
    model = FAMILIES[args.family].model(**parameters)
    if "U0" in parameters and len(model.U0) != problem.d:
        raise InvalidArgument(f"--U0/--V0 have {len(model.U0)} rows but the problem has d={problem.d}")
    return model
