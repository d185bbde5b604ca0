"""``krtheory prove`` on the paper's inequalities: search vs replay, and Taylor forms vs plain
interval evaluation on the measured example of the notes.

    python benchmarks/prove.py

For every registered inequality (krtheory.prove.paper): boxes, pieces and seconds of the search
of each part, the seconds of replaying its certificate, and the ratio replay/search (the issue:
replay "in well under the search's time"). Then asinh(z/2) - log z > 0 on [1, 1e6] with the
degree-8 Taylor forms against the same branch and bound with degree-1 forms (the ball of f on the
box plus nothing: plain interval evaluation with the mean-value remainder), both capped at
MAX_PLAIN boxes. Times are the least of REPEATS runs (the machine is shared and noisy).
"""

from __future__ import annotations

import time

from krtheory.prove import parse_statement
from krtheory.prove.certificate import certificate
from krtheory.prove.paper import inequalities
from krtheory.prove.replay import replay_record
from krtheory.prove.search import prove

REPEATS = 3
MAX_PLAIN = 20_000


def least(function):
    best, result = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    total_search = total_replay = 0.0
    print(f"{'inequality':24} {'part':>4} {'status':9} {'boxes':>6} {'pieces':>6} {'search s':>9} {'replay s':>9} ratio")
    for inequality in inequalities():
        for i, part in enumerate(inequality.parts):
            statement = parse_statement(part.inequality, part.var, part.domain, part.D)
            search, outcome = least(lambda: prove(statement))
            record = certificate(statement, outcome)
            replay, _ = least(lambda: replay_record(record))
            total_search, total_replay = total_search + search, total_replay + replay
            print(f"{inequality.id:24} {i:>4} {outcome.status:9} {outcome.boxes:>6} {len(outcome.pieces):>6} "
                  f"{search:9.3f} {replay:9.3f} {replay / search:5.2f}")
    print(f"total: search {total_search:.2f} s, replay {total_replay:.2f} s")
    statement = parse_statement("asinh(z/2) - log(z) > 0", "z", "[1, 1000000]")
    for degree in (8, 1):
        seconds, outcome = least(lambda: prove(statement, degree=degree, max_boxes=MAX_PLAIN))
        print(f"notes example, degree {degree}: {outcome.status}, {outcome.boxes} boxes, {seconds:.3f} s")


if __name__ == "__main__":
    main()
