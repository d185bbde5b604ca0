"""Sweeps: a grid of independent points run on a local process pool (default, all cores) or on
an existing Dask cluster, with a progress bar, a journal that makes an interrupted sweep resume
where it stopped, and rows returned in point order whatever the number of workers.

:class:`Runner` (``krtheory.sweep.engine``) is the runner of the figure contract
(``krtheory.experiments._figure.Runner``); :func:`point_seed` derives a point's random seed
from the point itself, never from worker state.
"""

from krtheory.sweep.engine import Runner
from krtheory.sweep.table import point_seed

__all__ = ["Runner", "point_seed"]
