"""``krtheory potential``: a family's potential to verified digits: q(z) of the depth-D diagonal
net (Theorem 1, eq. 4; Theorem 3) or r(z) of the explicit regularizer (eqs. 8-9)."""

from __future__ import annotations

from krtheory.cli.options import add_dps_option
from krtheory.cli.output import add_json_option, emit
from krtheory.families.registry import family_for, names

DEFAULT_DPS = 30


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "potential", help="evaluate the derived potential q(z) (or r(z)) to verified digits",
        description="Evaluate q(z) = int_0^z h^-1 of the diagonal family (--depth D), or r(z) of the "
                    "explicit regularizer R (--family explicit, no depth), from the derived "
                    "expressions; the digits are verified by a second evaluation with more digits.")
    parser.add_argument("--family", default="diagonal",
                        help=f"one of {', '.join(names('potential'))} (default diagonal)")
    parser.add_argument("--depth", help="depth D >= 2 (diagonal family only; required there)")
    parser.add_argument("--z", required=True, help="the argument, an exact decimal (e.g. -1e6)")
    add_dps_option(parser, default=DEFAULT_DPS, maximum=10000, help="significant digits wanted")  # measured: 3 s at 5000
    add_json_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from krtheory.errors import InvalidArgument

    family = family_for("potential", args.family)
    if args.family == "explicit":
        if args.depth is not None:
            raise InvalidArgument(f"--depth does not apply to --family explicit (r of eqs. 8-9 is the "
                                  f"depth-2 model's) but got --depth {args.depth}")
        value, digits = family.potential(args.z, args.dps)
        record = {"value": value, "digits": digits, "family": "explicit", "z": args.z.strip()}
        text = f"r({record['z']}) = {value}   ({digits} significant digits verified; explicit R, eqs. 8-9)"
    else:
        from krtheory._validation import check_depth

        if args.depth is None:
            raise InvalidArgument(f"--depth is required for --family {args.family}")
        value, digits = family.potential(args.z, args.dps, depth=args.depth)  # checks the depth first
        depth = check_depth(args.depth)
        record = {"value": value, "digits": digits, "family": family.name, "depth": depth, "z": args.z.strip()}
        text = (f"q({record['z']}) = {value}   ({digits} significant digits verified; "
                f"{family.name}, depth {depth})")
    emit(args, record, text)
    return 0
