"""``krtheory verify``: run the claim registry and print a verdict table."""

from __future__ import annotations

import sys

from krtheory.claims import (REGISTRY, VERDICT_SCHEMA, Claim, RunConfig, Status, exit_code,
                             verdict_record)
from krtheory.cli.output import json_destination, table, write_json_atomically
from krtheory.cli.progress import add_progress_option, progress
from krtheory.errors import InvalidArgument


def load_registry() -> dict[str, Claim]:
    """Import every ``proofs_checks`` module so that the registry is complete."""
    import proofs_checks  # noqa: F401  (registers on import)

    return REGISTRY


def add_parser(subparsers):
    parser = subparsers.add_parser(
        "verify", help="check the paper's claims and print a verdict table",
        description="Check the paper's claims on the built-in problems. Exit 0 when every "
                    "selected claim HOLDS, 1 when any is REFUTED, 2 when any is INCONCLUSIVE "
                    "or nothing was verified, 3 on a usage error.")
    parser.add_argument("claims", nargs="*", metavar="CLAIM_ID", help="claims to check (default: all)")
    parser.add_argument("--list", action="store_true", help="list the registered claims and exit")
    parser.add_argument("--json", metavar="FILE", type=json_destination, help="also write the verdicts, with evidence, as JSON")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick",
                      help="default problems and ladders (the default; a few minutes)")
    mode.add_argument("--full", dest="mode", action="store_const", const="full",
                      help="heavier ladders and property searches")
    parser.add_argument("--seed", type=int, default=0, help="seed of every random choice (default 0)")
    add_progress_option(parser)
    parser.set_defaults(run=run, mode="quick")


def run(args) -> int:
    config = RunConfig(mode=args.mode, seed=args.seed)
    registry = load_registry()
    unknown = [c for c in args.claims if c not in registry]
    if unknown:
        raise InvalidArgument(f"unknown claim id(s): {', '.join(unknown)} (see krtheory verify --list)")
    selected = [registry[c] for c in dict.fromkeys(args.claims or registry)]  # each claim once
    if args.list:
        print(table(["claim", "reference", "statement"],
                    [[c.id, c.reference, c.statement] for c in selected])
              if registry else "no claims are registered")
        return 0
    verdicts = []
    claims = progress(selected, desc="verify", enabled=args.progress)
    lines = claims is selected  # no bar: one line per claim on stderr, as in a log
    for i, claim in enumerate(claims, start=1):
        if lines:
            print(f"[{i}/{len(selected)}] {claim.id} ...", file=sys.stderr, flush=True)
        verdict = claim.run(config)
        if lines:
            print(f"[{i}/{len(selected)}] {claim.id}: {verdict.status.value} ({verdict.seconds:.1f} s)",
                  file=sys.stderr, flush=True)
        verdicts.append(verdict)
    code = exit_code(verdicts)
    if verdicts:
        print(table(["claim", "verdict", "cert.", "time", "summary"],
                    [[v.claim_id, v.status.value, "yes" if v.certified else "no",
                      f"{v.seconds:.1f}s", v.summary] for v in verdicts]))
    else:
        print("nothing was verified: no claims are registered" if not registry
              else "nothing was verified")
    counts = {s.value: sum(v.status is s for v in verdicts) for s in Status}
    print(", ".join(f"{k} {n}" for k, n in counts.items()))
    if args.json:
        from importlib.metadata import version

        write_json_atomically(args.json, {
            "schema": VERDICT_SCHEMA,
            "krtheory_version": version("krtheory"),
            "mode": config.mode,
            "seed": config.seed,
            "exit_code": code,
            "counts": counts,
            "verdicts": [verdict_record(registry[v.claim_id], v) for v in verdicts],
        })
    return code
