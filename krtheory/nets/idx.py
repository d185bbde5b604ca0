"""Reading MNIST's IDX files (the four files of Figure 6(c)) with one-line errors.

An IDX file is two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32,
0x0D float32, 0x0E float64), the number of dimensions n, n big-endian uint32 sizes, then the
data, big-endian, row-major. A file may be gzip-compressed (``.gz``).
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np

from krtheory.errors import InvalidArgument

_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
#: the four files, as distributed (each may also end in .gz)
MNIST_FILES = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
               "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}


def _raw_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidArgument(f"{path}: cannot read the IDX file ({error.strerror or error})") from None
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:
            raise InvalidArgument(f"{path}: corrupt gzip data ({error})") from None
    return data


def read_idx(path) -> np.ndarray:
    """The array stored in one IDX file (gzip or not); InvalidArgument naming the file for a
    missing, truncated, oversized or malformed one."""
    path = Path(path)
    data = _raw_bytes(path)
    if len(data) < 4:
        raise InvalidArgument(f"{path}: truncated IDX header ({len(data)} bytes, need at least 4)")
    if data[0] != 0 or data[1] != 0 or data[2] not in _TYPES:
        raise InvalidArgument(f"{path}: not an IDX file (magic bytes {data[:4].hex()}; expected "
                              f"00 00, a type code in {{08, 09, 0b, 0c, 0d, 0e}}, the dimension count)")
    ndim = data[3]
    header = 4 + 4 * ndim
    if ndim == 0:
        raise InvalidArgument(f"{path}: IDX header declares 0 dimensions")
    if len(data) < header:
        raise InvalidArgument(f"{path}: truncated IDX header ({len(data)} bytes, the {ndim} sizes need "
                              f"{header})")
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", ndim, 4))
    dtype = np.dtype(_TYPES[data[2]])
    expected = int(np.prod(shape, dtype=object)) * dtype.itemsize
    if len(data) - header != expected:
        kind = "truncated" if len(data) - header < expected else "has trailing bytes"
        raise InvalidArgument(f"{path}: {kind}: shape {shape} of {dtype.str} needs {expected} data bytes, "
                              f"the file has {len(data) - header}")
    return np.frombuffer(data, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(directory: Path, stem: str) -> Path:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"), stem.replace("-idx", ".idx") + ".gz"):
        if (directory / name).is_file():
            return directory / name
    raise InvalidArgument(f"--mnist-dir {directory}: missing {stem} (or {stem}.gz)")


def load_mnist(directory) -> dict[str, np.ndarray]:
    """The four MNIST arrays from ``directory``: images as float in [0, 1] flattened to
    (N, rows*cols), labels as int64 in 0..9; checks their shapes agree."""
    directory = Path(directory)
    if not directory.is_dir():
        raise InvalidArgument(f"--mnist-dir {directory}: not a directory")
    arrays = {key: read_idx(_find(directory, stem)) for key, stem in MNIST_FILES.items()}
    out = {}
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if images.ndim != 3 or labels.ndim != 1:
            raise InvalidArgument(f"--mnist-dir {directory}: {split} images must be 3-dimensional and labels "
                                  f"1-dimensional, got shapes {images.shape} and {labels.shape}")
        if len(images) != len(labels):
            raise InvalidArgument(f"--mnist-dir {directory}: {len(images)} {split} images but {len(labels)} "
                                  f"labels")
        if labels.size and (labels.min() < 0 or labels.max() > 9):
            raise InvalidArgument(f"--mnist-dir {directory}: {split} labels outside 0..9 "
                                  f"(range {labels.min()}..{labels.max()})")
        scale = 255.0 if images.dtype == np.uint8 else 1.0
        out[f"X_{split}"] = images.reshape(len(images), -1).astype(float) / scale
        out[f"y_{split}"] = labels.astype(np.int64)
    if out["X_train"].shape[1] != out["X_test"].shape[1]:
        raise InvalidArgument(f"--mnist-dir {directory}: train and test images differ in size")
    return out
