"""``krtheory derive``: derive and verify an implicit regularizer: the diagonal family (paper §4,
Theorems 1, 3), the explicit regularizer R (eqs. 8-9), the wide network's biased hypentropy (§6),
or a user-given per-coordinate parametrization (``--parametrization "u*v" --init u=a,v=b``)."""

from __future__ import annotations

import json

from krtheory.cli.output import table
from krtheory.errors import InvalidArgument
from krtheory.families.registry import FAMILIES, names

FORMATS = ("sympy", "latex", "python", "json")


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "derive", help="derive the link, potential q and regularizer Q of a family, verified",
        description="Solve the driven gradient-flow ODE of one coordinate with sympy, bring the "
                    "link to a*h(b*s), invert and integrate it (q' = h^-1), and verify every step "
                    "(symbolically, or at seeded points at 50 digits). Exit 0 when every step is "
                    "verified, 1 when one failed, 2 when one is undecided.")
    parser.add_argument("--family", choices=names("derive"),
                        help="diagonal (default; needs --depth), explicit (R of eqs. 8-9), wide (the "
                             "biased hypentropy of §6), custom (implied by --parametrization)")
    parser.add_argument("--depth", help="depth D >= 2 (diagonal family only; required there)")
    parser.add_argument("--parametrization", metavar="EXPR",
                        help='beta of one coordinate in named parameters, e.g. "u*v" or '
                             '"w1**3 - w2**3" (numbers, + - * / **, exp, log, sqrt, sin, ...)')
    parser.add_argument("--init", metavar="NAME=VALUE,...",
                        help="initial values of the parameters: exact numbers (numerator and denominator "
                             "at most 10^50) and symbols (taken > 0) with + - * / and integer powers, "
                             "e.g. u=a,v=b or w1=c,w2=c or u=1/2,v=2*a")
    parser.add_argument("--format", default="sympy", choices=FORMATS,
                        help="how expressions are printed (json: one object of strings)")
    parser.set_defaults(run=run)


def run(args) -> int:
    derivation = _derivation(args)
    fmt = "sympy" if args.format == "json" else args.format
    record = derivation.as_dict(fmt)
    print(json.dumps(record, indent=2) if args.format == "json" else _text(record))
    statuses = {step["status"] for step in record["steps"]}
    return 1 if "failed" in statuses else 2 if "undecided" in statuses else 0


def _derivation(args):
    family = args.family or ("custom" if args.parametrization is not None else "diagonal")
    if (family == "custom") != (args.parametrization is not None):
        raise InvalidArgument(f"--family custom and --parametrization go together but got "
                              f"--family {family} and --parametrization {args.parametrization!r}")
    if (args.init is not None) != (args.parametrization is not None):
        raise InvalidArgument("--parametrization needs --init (e.g. --init u=a,v=b) and --init needs "
                              "--parametrization")
    if (args.depth is not None) != (family == "diagonal"):
        raise InvalidArgument(f"--depth is required for --family diagonal and applies to it only, but "
                              f"got --family {family} with --depth {args.depth}")
    parameters = {} if args.depth is None else {"depth": args.depth}
    if args.parametrization is not None:
        parameters.update(parametrization=args.parametrization, init=parse_init(args.init))
    return FAMILIES[family].derivation(**parameters)


def parse_init(text: str) -> dict:
    """``"u=a,v=b"`` -> ``{"u": "a", "v": "b"}`` (names and values are checked by the engine)."""
    init = {}
    for item in text.split(","):
        name, equals, value = (part.strip() for part in item.partition("="))
        if not equals or not name or not value:
            raise InvalidArgument(f"--init item {item.strip()!r} must be NAME=VALUE (e.g. --init u=a,v=b)")
        if name in init:
            raise InvalidArgument(f"--init gives {name} twice in {text!r}")
        init[name] = value
    return init


def _text(record: dict) -> str:
    """One line per field (lists joined by ', ', mappings as 'k = v; ...'), then the steps table."""
    fields = {key: value for key, value in record.items() if key not in ("steps", "verified")}
    width = max(map(len, fields)) + 2
    lines = [f"{key:<{width}}{_flat(value)}" for key, value in fields.items()]
    lines += ["", table(["step", "status", "method", "residual"],
                        [[st["name"], st["status"], st["method"], st["residual"]] for st in record["steps"]]),
              "", f"{'verified':<{width}}{'yes' if record['verified'] else 'no'}"]
    return "\n".join(lines)


def _flat(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):
        return "; ".join(f"{k} = {v}" for k, v in value.items()) or "-"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "-"
    return str(value)
