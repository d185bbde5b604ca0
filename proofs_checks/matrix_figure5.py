"""The qualitative claims Figure 5 carries (§6), on its own set-up and seeds.

(1) The rich side alpha^2 k << 1 reaches a smaller excess nuclear norm ||M||_* - ||Y*||_* than the
kernel side alpha^2 k >> 1; (2) the kernel side changes the unobserved entries least (RMS of
M - U(0)V(0)^T there). Each seed is one 10 x 10 rank-1 problem with 60 observed entries
(:func:`krtheory.experiments.matrix_completion.completion_problem`) and one flow per side; the
claim HOLDS when the paired difference has the claimed sign on every seed and its 95% sign-test
interval is on that side, is REFUTED when the median difference has the wrong sign, and is
INCONCLUSIVE otherwise (some seeds disagree). The per-seed values and the seeds that disagree
are in the evidence.
"""

from __future__ import annotations

import statistics

from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.experiments.matrix_completion import point_value
from krtheory.precision import Tolerance

#: (alpha^2, k) of each side: alpha^2 k = 1e-3 (rich) and 1e2 (kernel), both in Figure 5's grid.
RICH, KERNEL = (1e-4, 10), (1e-2, 10_000)
DOMAIN = Domain("Figure 5's set-up, one flow per side and seed", parameter="(alpha^2, k)",
                alphas=(RICH, KERNEL), extras={"seeds": {"quick": 3, "full": 12}})
MAX_SECONDS = 20.0

_CACHE: dict = {}


def _sides(seeds: range) -> list[dict]:
    """Per seed the rich and kernel points' rows (cached: both claims read the same flows)."""
    out = []
    for seed in seeds:
        if seed not in _CACHE:
            _CACHE[seed] = {name: point_value({"seed": seed, "alpha2": a2, "k": k, "c": "",
                                               "max_seconds": MAX_SECONDS})
                            for name, (a2, k) in (("rich", RICH), ("kernel", KERNEL))}
        out.append(_CACHE[seed])
    return out


def _sign_interval(differences: list[float]) -> tuple[float, float]:
    """A distribution-free ~95% interval for the median of the differences (order statistics of
    the binomial(n, 1/2) sign test); the whole range when n < 6."""
    from scipy.stats import binom

    values, n = sorted(differences), len(differences)
    j = int(binom.ppf(0.025, n, 0.5))
    if j < 1:
        return values[0], values[-1]
    return values[j - 1], values[n - j]


def _paired(config: RunConfig, quantity: str, smaller: str, larger: str, what: str) -> Verdict:
    seeds = range(config.seed, config.seed + DOMAIN.extra("seeds", config.mode))
    rows = _sides(seeds)
    differences = [row[larger][quantity] - row[smaller][quantity] for row in rows]
    low, high = _sign_interval(differences)
    disagree = [seed for seed, d in zip(seeds, differences) if d <= 0]
    median = statistics.median(differences)
    if median <= 0:
        status = Status.REFUTED
    elif not disagree and low > 0:
        status = Status.HOLDS
    else:
        status = Status.INCONCLUSIVE
    statuses = [row[side]["status"] for row in rows for side in ("rich", "kernel")]
    if any(s != "converged" for s in statuses) and status is Status.HOLDS:
        status = Status.INCONCLUSIVE
    summary = (f"{status.value.lower()}: {what}: {larger} - {smaller} = {median:.3g} (median over "
               f"{len(rows)} seeds, sign-test interval [{low:.3g}, {high:.3g}])"
               + (f"; seeds {disagree} disagree" if disagree else ""))
    return Verdict(status, summary, {
        "quantity": quantity, "rich": {"alpha2": RICH[0], "k": RICH[1]},
        "kernel": {"alpha2": KERNEL[0], "k": KERNEL[1]},
        "per_seed": [{"seed": seed, smaller: row[smaller][quantity], larger: row[larger][quantity],
                      "errors": [row["rich"]["error_estimate"], row["kernel"]["error_estimate"]]}
                     for seed, row in zip(seeds, rows)], "seeds_disagreeing": disagree})


def check_rich_nuclear(config: RunConfig) -> Verdict:
    return _paired(config, "excess_nuclear_norm", "rich", "kernel", "excess nuclear norm")


def check_kernel_unobserved(config: RunConfig) -> Verdict:
    return _paired(config, "rms_unobserved_change", "kernel", "rich", "RMS change on unobserved entries")


_TOLERANCE = Tolerance.criterion("paired sign over seeds with a sign-test interval; each flow's error "
                                 "estimate (<= 1e-4 here) is far below the differences")
register(Claim(
    id="matrix.fig5-rich-nuclear",
    statement="In matrix completion the rich side alpha^2 k << 1 reaches a smaller excess nuclear norm "
              "than the kernel side alpha^2 k >> 1",
    reference="§6, Figure 5 (left)", domain=DOMAIN, tolerance=_TOLERANCE, check=check_rich_nuclear))
register(Claim(
    id="matrix.fig5-kernel-unobserved",
    statement="In matrix completion the kernel side alpha^2 k >> 1 changes the unobserved entries least",
    reference="§6, Figure 5 (right)", domain=DOMAIN, tolerance=_TOLERANCE, check=check_kernel_unobserved))
