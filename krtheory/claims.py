"""Claims of the paper as data, three-valued verdicts with evidence, and the claim registry.

A :class:`Claim` states what the paper says (with its section/theorem/equation), on which
:class:`Domain` it is checked (the data its check runs on, rendered as text by
:meth:`Domain.describe`) and to which tolerance; its ``check`` returns a :class:`Verdict`:
HOLDS, REFUTED or INCONCLUSIVE ("the solver gave up" is never a pass). ``proofs_checks``
modules add their claims with :func:`register`; ``krtheory verify`` imports them (this module
imports nothing from there).
"""

from __future__ import annotations

import dataclasses
import enum
import time
from collections.abc import Callable, Mapping

from krtheory.errors import InvalidArgument, KRTheoryError
from krtheory.precision import Tolerance

#: Version of the verdict JSON layout written by ``krtheory verify --json`` (see README).
VERDICT_SCHEMA = "krtheory.verdicts/1"
#: the run modes: ``quick`` (default problems, minutes) and ``full`` (heavier ladders)
MODES = ("quick", "full")


class Status(str, enum.Enum):
    HOLDS = "HOLDS"
    REFUTED = "REFUTED"
    INCONCLUSIVE = "INCONCLUSIVE"

    @classmethod
    def combine(cls, *statuses: "Status") -> "Status":
        """The lattice REFUTED > INCONCLUSIVE > HOLDS: REFUTED if any is, else INCONCLUSIVE if any
        is, else HOLDS (also for no statuses)."""
        for status in (cls.REFUTED, cls.INCONCLUSIVE):
            if status in statuses:
                return status
        return cls.HOLDS


@dataclasses.dataclass(frozen=True)
class RunConfig:
    """How a verification run is carried out: ``quick`` (default problems, minutes) or
    ``full`` (heavier ladders and property searches), and the seed of all randomness (an
    integer >= 0, as numpy's generators require)."""

    mode: str = "quick"
    seed: int = 0

    def __post_init__(self):
        if self.mode not in MODES:
            raise InvalidArgument(f"Expected mode 'quick' or 'full' but got mode={self.mode!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise InvalidArgument(f"Expected an integer seed >= 0 but got seed={self.seed!r}")


def in_mode(value, mode: str):
    """``value[mode]`` for a per-mode value ``{"quick": ..., "full": ...}``; any other value is
    the same in both modes."""
    if isinstance(value, Mapping) and set(value) == set(MODES):
        return value[mode]
    return value


def _render(value, inner: bool = False) -> str:
    """A set as {a, b}, a tuple inside it as (a, b), ladders per depth as D=3: {...}; ..."""
    if isinstance(value, Mapping):
        return "; ".join(f"D={key}: {_render(v)}" for key, v in value.items())
    if isinstance(value, (tuple, list)):
        text = ", ".join(_render(v, True) for v in value)
        return f"({text})" if inner else f"{{{text}}}"
    return str(value)


def _render_modes(label: str, value) -> str:
    quick, full = in_mode(value, "quick"), in_mode(value, "full")
    text = f"{label} {_render(quick)}"
    return text if full == quick else f"{text} (full: {_render(full)})"


@dataclasses.dataclass(frozen=True)
class Domain:
    """Where a claim is checked, as the data its check runs on: ``problems`` (built-in names),
    ``alphas`` (the values of ``parameter``: a tuple, or ``{depth: tuple}``), ``dps`` and named
    ``extras``. Each of these is either the same in both modes or ``{"quick": ..., "full": ...}``.
    :meth:`describe` renders the text ``verify --list`` and the verdict JSON show."""

    subject: str
    problems: object = ()
    alphas: object = ()
    parameter: str = "alpha"
    dps: int | None = None
    extras: Mapping = dataclasses.field(default_factory=dict)

    def problems_in(self, mode: str):
        return in_mode(self.problems, mode)

    def alphas_in(self, mode: str):
        return in_mode(self.alphas, mode)

    def extra(self, name: str, mode: str = "quick"):
        return in_mode(self.extras[name], mode)

    def describe(self) -> str:
        parts = [self.subject]
        if self.problems:
            parts.append(_render_modes("problems", self.problems))
        if self.alphas:
            parts.append(_render_modes(f"{self.parameter} in", self.alphas))
        parts += [_render_modes(name, value) for name, value in self.extras.items()]
        if self.dps is not None:
            parts.append(f"dps {self.dps}")
        return ", ".join(p for p in parts if p)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The outcome of one claim check, with the evidence it rests on (JSON-able values)."""

    status: Status
    summary: str
    evidence: Mapping = dataclasses.field(default_factory=dict)
    certified: bool = False
    claim_id: str = ""
    seconds: float = 0.0


@dataclasses.dataclass(frozen=True)
class Claim:
    """A statement of the paper, where it is, where it is checked, and how to check it.

    Parameters
    ----------
    id : str
        Unique in the registry (``krtheory verify ID``).
    statement : str
        What the paper says, in words.
    reference : str
        Where: section, theorem, equation.
    domain : Domain
        The data the check runs on; ``domain.describe()`` is the text ``verify --list`` shows.
    tolerance : Tolerance
        To which precision, and why.
    check : callable
        RunConfig -> Verdict.

    Examples
    --------
    >>> from krtheory import Claim, Domain, RunConfig, Status, Tolerance, Verdict
    >>> claim = Claim("example.sum", "1 + 1 = 2", "§0", Domain("integers"), Tolerance.criterion("exact"),
    ...               lambda config: Verdict(Status.HOLDS if 1 + 1 == 2 else Status.REFUTED, "checked"))
    >>> verdict = claim.run(RunConfig())
    >>> verdict.status.value, verdict.claim_id
    ('HOLDS', 'example.sum')
    """

    id: str
    statement: str
    reference: str
    domain: Domain
    tolerance: Tolerance
    check: Callable[[RunConfig], Verdict]

    def run(self, config: RunConfig) -> Verdict:
        """Run the check; a krtheory error (no convergence, not applicable, ...) becomes an
        INCONCLUSIVE verdict that says why, never a pass.

        Returns
        -------
        Verdict
            The check's verdict, stamped with this claim's id and the seconds it took.
        """
        start = time.perf_counter()
        try:
            verdict = self.check(config)
        except KRTheoryError as error:
            verdict = Verdict(Status.INCONCLUSIVE, f"{type(error).__name__}: {error}",
                              {"error": type(error).__name__, "message": str(error)})
        return dataclasses.replace(verdict, claim_id=self.id,
                                   seconds=round(time.perf_counter() - start, 3))


REGISTRY: dict[str, Claim] = {}


def register(claim: Claim) -> Claim:
    """Add a claim to the registry (ids are unique)."""
    if claim.id in REGISTRY:
        raise InvalidArgument(f"claim id {claim.id!r} registered twice")
    REGISTRY[claim.id] = claim
    return claim


def jsonable(value):
    """Evidence as plain JSON values: mpf/arb become decimal strings, tuples lists."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else str(value)
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return jsonable(value.item())
    return str(value)


def verdict_record(claim: Claim, verdict: Verdict) -> dict:
    """One entry of the ``verdicts`` list of the verdict JSON."""
    return {
        "id": claim.id,
        "status": verdict.status.value,
        "statement": claim.statement,
        "reference": claim.reference,
        "domain": claim.domain.describe(),
        "tolerance": claim.tolerance.as_dict(),
        "summary": verdict.summary,
        "certified": verdict.certified,
        "seconds": verdict.seconds,
        "evidence": jsonable(dict(verdict.evidence)),
    }


def exit_code(verdicts: list[Verdict]) -> int:
    """0 when every verdict HOLDS, 1 when any is REFUTED, else 2 (INCONCLUSIVE or none)."""
    if not verdicts:
        return 2
    return {Status.HOLDS: 0, Status.REFUTED: 1,
            Status.INCONCLUSIVE: 2}[Status.combine(*(v.status for v in verdicts))]
