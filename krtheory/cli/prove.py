"""``krtheory prove``: prove a one-variable inequality over an interval by branch and bound in
ball arithmetic (python-flint, the extra ``flint``), write a certificate, or replay one.

Exit codes: 0 PROVED, 1 REFUTED, 2 UNDECIDED, 3 bad input (one line on stderr)."""

from __future__ import annotations

import hashlib

from krtheory.cli.output import add_json_option, emit, json_destination, plain, table, write_json_atomically

EXIT = {"PROVED": 0, "REFUTED": 1, "UNDECIDED": 2}


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "prove", help="prove a one-variable inequality (ball arithmetic, replayable certificate)",
        description="Decide LHS REL RHS for every VAR in DOMAIN by interval branch and bound with "
                    "Taylor forms, tangency reduction and expansions at the ends, in python-flint's "
                    "ball arithmetic. Expressions: numbers, VAR, + - * / **, exp log sqrt sin cos tan "
                    "sinh cosh tanh asin acos atan asinh acosh atanh, pi, E, q(x) (Theorem 1) and "
                    "q_D(x) for D >= 3 (Theorem 3; q_3(x), q_10(x), or q_D(x) with --D). Exit 0 "
                    "PROVED, 1 REFUTED, 2 UNDECIDED, 3 bad input.")
    parser.add_argument("--inequality", metavar="TEXT", help='e.g. "q(z) >= z*log(z) - z"')
    parser.add_argument("--var", default="z", help="the variable (default z)")
    parser.add_argument("--domain", metavar="INTERVAL", help='e.g. "[1, 1e6]", "(0, inf)", "(-inf, 0]"')
    parser.add_argument("--D", metavar="DEPTH", help="the depth D of q_D(x) (an integer >= 3)")
    parser.add_argument("--certificate", metavar="FILE", type=json_destination,
                        help="where the certificate goes (default prove-<hash of the statement>.json here)")
    parser.add_argument("--replay", metavar="FILE", help="re-check a certificate instead of proving")
    parser.add_argument("--list", action="store_true", help="list the paper's inequalities registered for proof")
    parser.add_argument("--prec", type=_bits, default=64, help="working precision in bits (default 64)")
    parser.add_argument("--max-boxes", type=_boxes, default=50_000, help="box budget (default 50000)")
    parser.add_argument("--max-seconds", type=_seconds, default=300,
                        help="time budget of the search in seconds (default 300); then UNDECIDED")
    add_json_option(parser)
    parser.set_defaults(run=run)


def _bits(text: str) -> int:
    return _bounded(text, 16, 4096, "bits")


def _boxes(text: str) -> int:
    return _bounded(text, 1, 10_000_000, "boxes")


def _seconds(text: str) -> int:
    return _bounded(text, 1, 86_400, "seconds")


def _bounded(text: str, low: int, high: int, what: str) -> int:
    import argparse

    text = text.strip()
    if len(text) > 9 or not text.isdigit() or not low <= int(text) <= high:
        raise argparse.ArgumentTypeError(f"expected an integer number of {what} in [{low}, {high}], got {text[:20]!r}")
    return int(text)


def run(args) -> int:
    from krtheory.errors import InvalidArgument

    modes = [name for name, given in (("--list", args.list), ("--replay", args.replay is not None),
                                      ("--inequality", args.inequality is not None)) if given]
    if len(modes) != 1:
        raise InvalidArgument("give exactly one of --inequality (with --domain), --replay FILE or --list"
                              + (f" (got {', '.join(modes)})" if modes else ""))
    if args.list:
        return _list(args)
    if args.replay is not None:
        return _replay(args)
    if args.domain is None:
        raise InvalidArgument("--inequality needs --domain, e.g. --domain \"[0, 1]\"")
    return _prove(args)


def _prove(args) -> int:
    from krtheory.errors import InvalidArgument
    from krtheory.prove.certificate import certificate
    from krtheory.prove.search import prove
    from krtheory.prove.statement import parse_statement

    statement = parse_statement(args.inequality, args.var, args.domain, args.D)
    path = args.certificate or _default_certificate(statement)
    if args.json not in (None, "-") and _same_file(args.json, path):
        raise InvalidArgument(f"--json {args.json} and the certificate {path} must be different files")
    outcome = prove(statement, prec=args.prec, max_boxes=args.max_boxes, seconds=args.max_seconds)
    write_json_atomically(path, certificate(statement, outcome))
    record = {"status": outcome.status, "witness": outcome.witness, "boxes": outcome.boxes,
              "seconds": round(outcome.seconds, 3), "certificate": path, "undecided": outcome.undecided,
              "stopped": outcome.stopped,
              **statement.as_dict(), "pieces": len(outcome.pieces), "prec": outcome.prec}
    if outcome.witness is not None:
        record["witness_value"] = outcome.witness_value
    emit(args, record, _text(statement, outcome, path))
    return EXIT[outcome.status]


def _text(statement, outcome, path) -> str:
    head = f"{outcome.status}: {statement.text} for {statement.var} in {statement.domain.text()}"
    cost = f"{outcome.boxes} boxes, {outcome.seconds:.2f} s at {outcome.prec} bits; certificate {path}"
    if outcome.status == "PROVED":
        methods = {}
        for piece in outcome.pieces:
            methods[piece["method"]] = methods.get(piece["method"], 0) + 1
        return f"{head}\n  {len(outcome.pieces)} pieces ({plain(methods)}); {cost}"
    if outcome.status == "REFUTED":
        return (f"{head}\n  fails at {statement.var} = {outcome.witness}: LHS - RHS = {outcome.witness_value} "
                f"(re-checked at {4 * outcome.prec} bits); {cost}")
    boxes = ", ".join(f"[{_short(lo)}, {_short(hi)}]" for lo, hi in outcome.undecided[:3])
    stopped = f" (the {outcome.stopped} budget ran out)" if outcome.stopped else ""
    return f"{head}\n  not decided on {boxes}{' ...' if len(outcome.undecided) > 3 else ''}{stopped}; {cost}"


def _short(end: str) -> str:
    """An end of an undecided box to 15 digits for reading (the JSON and certificate keep it exact)."""
    from fractions import Fraction

    return end if end in ("-inf", "inf") else f"{float(Fraction(end)):.15g}"


def _default_certificate(statement) -> str:
    key = repr(sorted(statement.as_dict().items())).encode()
    return f"prove-{hashlib.sha256(key).hexdigest()[:12]}.json"


def _same_file(a: str, b: str) -> bool:
    import os

    return os.path.realpath(a) == os.path.realpath(b)


def _replay(args) -> int:
    import time

    from krtheory.prove.replay import replay

    start = time.perf_counter()
    result = replay(args.replay)
    seconds = time.perf_counter() - start
    record = {"status": result["status"], "replayed": True, "pieces": result["pieces"],
              "seconds": round(seconds, 3), "certificate": args.replay, **result["statement"]}
    text = (f"{result['status']} (replayed): {result['statement']['inequality']} for "
            f"{result['statement']['var']} in {result['statement']['domain']}\n  {result['pieces']} pieces "
            f"re-checked in {seconds:.2f} s")
    emit(args, record, text)
    return EXIT[result["status"]]


def _list(args) -> int:
    from krtheory.prove.paper import inequalities

    rows, records = [], []
    for inequality in inequalities():
        records.append({"id": inequality.id, "statement": inequality.statement, "reference": inequality.reference,
                        "parts": [vars(p) for p in inequality.parts]})
        for i, part in enumerate(inequality.parts):
            rows.append([inequality.id if i == 0 else "", part.inequality, part.var, part.domain])
    emit(args, {"inequalities": records}, table(["id", "inequality", "var", "domain"], rows))
    return 0
