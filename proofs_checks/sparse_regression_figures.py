"""§4 Figure 1 and §5 Figure 3(c), as qualitative claims checked over seeds with a confidence
interval: on 5-sparse regression (x ~ N(0, I), noise variance 0.01), (i) smaller alpha
generalizes better, (ii) the largest alpha reaching population error 0.025 grows with n, (iii)
depth D = 3 allows a larger alpha^D than D = 2.

Each claim is a paired comparison per seed (same data on both sides) of a log10 quantity. The
verdict comes from the fraction of seeds on the claimed side (a tie counts against) and its 95%
Clopper-Pearson interval: HOLDS when the interval lies above 1/2 (6 of 6 seeds suffice), REFUTED
when below, INCONCLUSIVE otherwise; the Student-t interval of the mean difference is reported
beside it (a seed where no alpha passes down to the search floor counts at the floor, a lower
bound, which makes the t interval wide but leaves the signs right).
The quick sizes (d = 200) keep all three under a few seconds; --full runs the paper's d = 1000.
The sizes keep n <= d/2 as the paper does: at d = 200, n = 150 no alpha reached 0.025 on any of
6 seeds (interpolating the noise near n = d amplifies it), so the claim is about that regime.
"""

from __future__ import annotations

import math

from krtheory.claims import Claim, Domain, RunConfig, Status, Verdict, register
from krtheory.precision import Tolerance

SEEDS = {"quick": 6, "full": 10}
SIZES = {"quick": {"d": 200, "n_alpha": 60, "n_small": 60, "n_large": 100, "n_depth": 100},
         "full": {"d": 1000, "n_alpha": 100, "n_small": 100, "n_large": 500, "n_depth": 200}}
SMALL_ALPHA, LARGE_ALPHA = 0.003, 0.5
CONFIDENCE = 0.95
TOLERANCE = Tolerance.criterion(f"the {CONFIDENCE:.0%} Clopper-Pearson interval of the fraction of seeds on the "
                                "claimed side excludes 1/2")


def interval(differences) -> tuple[float, float, float]:
    """(mean, low, high): the Student-t confidence interval of the mean of ``differences``."""
    from scipy import stats

    k = len(differences)
    mean = sum(differences) / k
    if k < 2:
        return mean, -math.inf, math.inf
    sd = math.sqrt(sum((x - mean) ** 2 for x in differences) / (k - 1))
    half = stats.t.ppf((1 + CONFIDENCE) / 2, k - 1) * sd / math.sqrt(k)
    return mean, mean - half, mean + half


def verdict(differences, what: str, evidence: dict) -> Verdict:
    from scipy import stats

    mean, low, high = interval(differences)
    agree = sum(x > 0 for x in differences)
    share = stats.binomtest(agree, len(differences)).proportion_ci(confidence_level=CONFIDENCE, method="exact")
    status = Status.HOLDS if share.low > 0.5 else Status.REFUTED if share.high < 0.5 else Status.INCONCLUSIVE
    summary = (f"{what}: {agree} of {len(differences)} seeds agree ({CONFIDENCE:.0%} interval of the share "
               f"[{share.low:.2f}, {share.high:.2f}]); mean log10 difference {mean:.3g}, t interval "
               f"[{low:.3g}, {high:.3g}]")
    return Verdict(status, summary, {**evidence, "log10_differences": differences, "seeds_agreeing": agree,
                                     "share_interval": [float(share.low), float(share.high)], "mean": mean,
                                     "t_interval": [float(low), float(high)]})


def _seeds(config: RunConfig) -> list[int]:
    return list(range(config.seed, config.seed + SEEDS[config.mode]))


def _largest_scale(d: int, n: int, depth: int, seed: int) -> float:
    """log10 of the largest alpha^D with population error <= 0.025 (the floor when none passed)."""
    from krtheory.experiments.sparse_regression import SCALE_FLOOR, threshold_point

    row = threshold_point({"d": d, "n": n, "depth": depth, "seed": seed})
    return math.log10(row["largest_scale"] if row["search"] != "none" else SCALE_FLOOR)


def check_smaller_alpha(config: RunConfig) -> Verdict:
    from krtheory.experiments.sparse_regression import alpha_point

    size = SIZES[config.mode]
    errors = []
    for seed in _seeds(config):
        pair = [alpha_point({"d": size["d"], "n": size["n_alpha"], "depth": 2, "seed": seed, "alpha": a})
                ["population_error"] for a in (SMALL_ALPHA, LARGE_ALPHA)]
        errors.append(pair)
    differences = [math.log10(large / small) for small, large in errors]
    return verdict(differences, f"population error at alpha = {SMALL_ALPHA} below alpha = {LARGE_ALPHA}",
                   {"d": size["d"], "n": size["n_alpha"], "errors_small_large": errors})


def check_grows_with_n(config: RunConfig) -> Verdict:
    size = SIZES[config.mode]
    pairs = [[_largest_scale(size["d"], n, 2, seed) for n in (size["n_small"], size["n_large"])]
             for seed in _seeds(config)]
    differences = [large - small for small, large in pairs]
    return verdict(differences, f"largest alpha^2 at n = {size['n_large']} above n = {size['n_small']}",
                   {"d": size["d"], "log10_largest_scale_small_large_n": pairs})


def check_depth(config: RunConfig) -> Verdict:
    size = SIZES[config.mode]
    pairs = [[_largest_scale(size["d"], size["n_depth"], depth, seed) for depth in (2, 3)] for seed in _seeds(config)]
    differences = [d3 - d2 for d2, d3 in pairs]
    return verdict(differences, f"largest alpha^D for D = 3 above D = 2 at n = {size['n_depth']}",
                   {"d": size["d"], "n": size["n_depth"], "log10_largest_scale_D2_D3": pairs})


def _domain(what: str) -> Domain:
    return Domain(f"5-sparse regression, x ~ N(0, I), noise variance 0.01, {what}",
                  extras={"d": {"quick": SIZES["quick"]["d"], "full": SIZES["full"]["d"]},
                          "seeds": {"quick": SEEDS["quick"], "full": SEEDS["full"]}})


register(Claim(
    id="sparse.smaller-alpha-generalizes",
    statement="On sparse regression a smaller initialization scale alpha gives a smaller population error "
              "(the rich regime recovers the sparse plant, the kernel regime does not)",
    reference="§4, Figure 1(a)", domain=_domain(f"alpha {SMALL_ALPHA} against {LARGE_ALPHA}"),
    tolerance=TOLERANCE, check=check_smaller_alpha))
register(Claim(
    id="sparse.largest-alpha-grows-with-n",
    statement="The largest alpha whose population error is at most 0.025 grows with the number of samples n",
    reference="§4, Figure 1(c)", domain=_domain("depth 2, two sample sizes"),
    tolerance=TOLERANCE, check=check_grows_with_n))
register(Claim(
    id="depth.larger-scale-recovers",
    statement="Depth D >= 3 reaches population error 0.025 from a larger initial scale alpha^D than D = 2",
    reference="§5, Figure 3(c)", domain=_domain("D = 3 against D = 2"),
    tolerance=TOLERANCE, check=check_depth))
