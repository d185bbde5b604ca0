"""Option types shared by the commands: ``--dps`` bounded by a per-command cap."""

from __future__ import annotations

from krtheory.precision import MIN_DPS


def dps_type(maximum: int):
    """An argparse ``type=`` reading an integer number of digits in [MIN_DPS, maximum]; more
    than 7 characters are refused before int() runs (``--dps 1e999999999`` is not an int)."""
    import argparse

    def dps(text: str) -> int:
        text = text.strip()
        if len(text) > 7 or not text.lstrip("+").isdigit():
            raise argparse.ArgumentTypeError(f"expected an integer number of digits, got {text[:20]!r}")
        value = int(text)
        if not MIN_DPS <= value <= maximum:
            raise argparse.ArgumentTypeError(f"expected {MIN_DPS} <= dps <= {maximum}, got {value}")
        return value

    dps.__name__ = "dps"
    return dps


def add_dps_option(parser, default: int, maximum: int, help: str = "decimal digits") -> None:
    """``--dps N`` with N in [MIN_DPS, maximum]; the cap is where a run stops taking seconds
    (measured 2026-12 on a 2-core machine, see each command's caller) and is shown in --help."""
    parser.add_argument("--dps", default=default, type=dps_type(maximum),
                        help=f"{help} (default {default}, at most {maximum})")
