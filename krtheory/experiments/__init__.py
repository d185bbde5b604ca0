"""The paper's experiments: the sweeps behind its figures (§4–§7), their tables and pictures.

One module per experimental set-up (sparse regression, the potentials, matrix completion, ReLU
networks); :mod:`._figure` holds what every figure shares (scales, the sweep runner a figure is
given, atomic CSV/NPZ/PNG/SVG writes, the lazy matplotlib import) and :mod:`.registry` maps each
``krtheory figure NAME`` to the function that makes it. Tables come first, pictures second: every
picture has the CSV it was drawn from beside it, and every generated problem is saved in ``data/``.
"""
