"""Progress bars on stderr for runs longer than a few seconds: shown on a terminal or under
``--progress``, never on stdout (which carries the result or its JSON)."""

from __future__ import annotations

import sys


def add_progress_option(parser) -> None:
    parser.add_argument("--progress", action="store_true", default=None,
                        help="show a progress bar on stderr even when it is not a terminal")


def progress(iterable, *, total: int | None = None, desc: str = "", enabled: bool | None = None):
    """``iterable``, wrapped in a tqdm bar on stderr when ``enabled`` (default: stderr is a
    terminal); without tqdm installed, one ``desc i/total`` line per item instead."""
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return iterable
    if total is None and hasattr(iterable, "__len__"):
        total = len(iterable)
    try:
        from tqdm import tqdm
    except ImportError:
        return _lines(iterable, total, desc)
    return tqdm(iterable, total=total, desc=desc or None, file=sys.stderr, leave=False)


def _lines(iterable, total, desc):
    for i, item in enumerate(iterable, start=1):
        print(f"{desc} {i}/{total if total is not None else '?'}".strip(), file=sys.stderr, flush=True)
        yield item
