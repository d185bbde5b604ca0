"""``krtheory potential``: the potential q(z) of a family to verified digits (Theorem 1, eq. 4)."""

from __future__ import annotations

from krtheory.cli.output import add_json_option, emit

DEFAULT_DPS = 30


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "potential", help="evaluate the derived potential q(z) to verified digits",
        description="Evaluate q(z) = int_0^z h^-1 from the derived expression at increasing "
                    "precision until the requested digits are verified by a second evaluation "
                    "with more digits.")
    parser.add_argument("--family", default="diagonal", help="model family (default diagonal)")
    parser.add_argument("--depth", required=True, help="depth D >= 2")
    parser.add_argument("--z", required=True, help="the argument, an exact decimal (e.g. -1e6)")
    parser.add_argument("--dps", default=str(DEFAULT_DPS),
                        help=f"significant digits wanted (default {DEFAULT_DPS})")
    add_json_option(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from krtheory.derive import derive, potential_value

    derivation = derive(args.family, args.depth)
    value, digits = potential_value(derivation, args.z, args.dps)
    record = {"value": value, "digits": digits, "family": derivation.family,
              "depth": derivation.depth, "z": args.z.strip()}
    emit(args, record, f"q({record['z']}) = {value}   ({digits} significant digits verified; "
                       f"{derivation.family}, depth {derivation.depth})")
    return 0
