"""``krtheory <command>``: one command line for every capability.

Each command lives in its own module of this package with ``add_parser(subparsers)`` and
``run(args) -> int``. Exit codes: 0 success / every claim HOLDS, 1 a claim is REFUTED,
2 INCONCLUSIVE or nothing verified, 3 a usage or input error (one line on stderr, never a
traceback).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import warnings

# Threaded BLAS made numpy 83x slower on the 2-core machines this runs on (measured).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from krtheory.errors import KRTheoryError  # noqa: E402

EXIT_USAGE = 3
#: Command modules, in the order ``--help`` lists them.
COMMANDS = ("verify", "derive", "potential", "solve", "flow", "bounds", "prove", "sweep", "figure")


class UsageError(KRTheoryError):
    """A command line that argparse cannot accept."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse with usage errors raised (exit 3, not argparse's 2) and negative numbers in
    scientific notation (``--z -1e6``) accepted as values, not taken for options."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = re.compile(r"^-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")

    def error(self, message):
        raise UsageError(f"{message} (see {self.prog} --help)")


def build_parser(commands: tuple[str, ...] = COMMANDS) -> ArgumentParser:
    """The command line with the subcommands ``commands`` (all by default; ``main`` builds only
    the one a command line names, so a call imports one command module, not all of them)."""
    from krtheory._version import VERSION

    parser = ArgumentParser(
        prog="krtheory",
        description="Verify the theorems of 'Kernel and Rich Regimes in Overparametrized Models'.")
    parser.add_argument("--version", action="version", version=f"krtheory {VERSION}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=ArgumentParser)
    for name in commands:
        importlib.import_module(f"{__name__}.{name}").add_parser(subparsers)
    return parser


_SHOWN: set[str] = set()


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """One line per distinct warning and run (a notice repeated by every claim is said once)."""
    text = f"krtheory: warning: {message}"
    if text not in _SHOWN:
        _SHOWN.add(text)
        print(text, file=sys.stderr)


def _named_command(argv: list[str]) -> tuple[str, ...]:
    """The command a command line names, as a 1-tuple, when its first argument is one (anything
    else, e.g. ``--help`` or a misspelt command, gets the whole parser and its messages)."""
    return (argv[0],) if argv and argv[0] in COMMANDS else COMMANDS


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_named_command(argv))
    warnings.showwarning = _show_warning
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return args.run(args)
    except KRTheoryError as error:
        print(f"krtheory: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("krtheory: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. `head`: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
