"""One module per claim of the paper; importing this package registers them all.

Each module builds its :class:`krtheory.claims.Claim` values and passes them to
:func:`krtheory.claims.register`. Add a new module to ``MODULES`` below.
"""

import importlib

MODULES: tuple[str, ...] = ()

for _name in MODULES:
    importlib.import_module(f"{__name__}.{_name}")
