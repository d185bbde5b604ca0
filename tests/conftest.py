"""Suite-wide configuration: one BLAS thread, hypothesis profiles, and the precision-leak guards
(mpmath's global context, and python-flint's when installed)."""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
if "KRTHEORY_CACHE_DIR" not in os.environ:  # the derivation cache of this run, not the user's
    import atexit
    import shutil
    import tempfile

    os.environ["KRTHEORY_CACHE_DIR"] = tempfile.mkdtemp(prefix="krtheory-test-cache-")
    atexit.register(shutil.rmtree, os.environ["KRTHEORY_CACHE_DIR"], ignore_errors=True)

import mpmath  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

try:
    import flint  # the optional backend
except ImportError:
    flint = None

# The suite's profiles build on Hypothesis's own: "suite" (the default) and "deep" extend its
# built-in ``ci`` profile (derandomized, no example database, print_blob, no deadline, too_slow
# suppressed), so a run is reproducible on every machine; "dev" extends ``default``.
settings.register_profile("suite", parent=settings.get_profile("ci"), max_examples=40)
settings.register_profile("deep", parent=settings.get_profile("ci"), max_examples=500)
settings.register_profile("dev", parent=settings.get_profile("default"), max_examples=10, deadline=None)
settings.load_profile(os.environ.get("KRTHEORY_HYPOTHESIS_PROFILE", "suite"))

GLOBAL_PREC = mpmath.mp.prec


def pytest_report_header(config):
    return (f"mpmath {mpmath.__version__} (backend {mpmath.libmp.BACKEND}), hypothesis profile "
            f"{settings._current_profile}, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}")


@pytest.fixture(autouse=True)
def flint_precision_is_untouched():
    """Like the mpmath guard: flint's global precision must survive every call."""
    if flint is None:
        yield
        return
    before = flint.ctx.prec
    yield
    assert flint.ctx.prec == before, f"flint.ctx.prec leaked: was {before}, is {flint.ctx.prec}"


@pytest.fixture(autouse=True)
def global_precision_is_untouched():
    """Every routine takes dps; none may leave the global mpmath precision changed."""
    before = (mpmath.mp.prec, mpmath.mp.pretty)
    yield
    after = (mpmath.mp.prec, mpmath.mp.pretty)
    assert after == before == (GLOBAL_PREC, False), (
        f"global mpmath state leaked: (prec, pretty) was {before}, is {after}")
