"""MNIST's IDX files: small valid files round-trip (plain and gzip); missing, truncated,
oversized, malformed and inconsistent files give one InvalidArgument naming the file."""

import gzip
import struct

import numpy as np
import pytest

from krtheory.errors import InvalidArgument
from krtheory.nets.idx import MNIST_FILES, load_mnist, read_idx


def idx_bytes(array: np.ndarray, code: int = 0x08) -> bytes:
    """The IDX encoding, written independently of the reader: header, then big-endian data."""
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(dtype).tobytes()


def write_mnist(directory, n_train=5, n_test=3, rows=4, cols=3, gz=False):
    rng = np.random.default_rng(0)
    arrays = {"train_images": rng.integers(0, 256, (n_train, rows, cols)),
              "train_labels": rng.integers(0, 10, n_train),
              "test_images": rng.integers(0, 256, (n_test, rows, cols)),
              "test_labels": rng.integers(0, 10, n_test)}
    for key, stem in MNIST_FILES.items():
        data = idx_bytes(arrays[key])
        (directory / (stem + (".gz" if gz else ""))).write_bytes(gzip.compress(data) if gz else data)
    return arrays


@pytest.mark.parametrize("code", [0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E])
def test_read_idx_round_trips_every_type(tmp_path, code):
    array = np.arange(-3, 21).reshape(2, 3, 4) if code != 0x08 else np.arange(24).reshape(2, 3, 4)
    (tmp_path / "f").write_bytes(idx_bytes(array, code))
    np.testing.assert_array_equal(read_idx(tmp_path / "f"), array)


@pytest.mark.parametrize("gz", [False, True])
def test_load_mnist_scales_and_flattens(tmp_path, gz):
    arrays = write_mnist(tmp_path, gz=gz)
    data = load_mnist(tmp_path)
    np.testing.assert_allclose(data["X_train"], arrays["train_images"].reshape(5, 12) / 255)
    np.testing.assert_array_equal(data["y_test"], arrays["test_labels"])
    assert data["X_test"].shape == (3, 12)


def _corrupt(data: bytes, how: str) -> bytes:
    return {"empty": b"", "short header": data[:3], "short sizes": data[:9],
            "truncated": data[:-1], "trailing": data + b"\x00", "magic": b"\x01" + data[1:],
            "type": data[:2] + b"\x07" + data[3:], "zero dims": bytes([0, 0, 8, 0])}[how]


@pytest.mark.parametrize("how, match", [
    ("empty", "truncated IDX header"), ("short header", "truncated IDX header"),
    ("short sizes", "truncated IDX header"), ("truncated", "truncated: shape"),
    ("trailing", "trailing bytes"), ("magic", "not an IDX file"), ("type", "not an IDX file"),
    ("zero dims", "0 dimensions"),
])
def test_malformed_files_name_themselves(tmp_path, how, match):
    write_mnist(tmp_path)
    path = tmp_path / MNIST_FILES["train_images"]
    path.write_bytes(_corrupt(path.read_bytes(), how))
    with pytest.raises(InvalidArgument, match=match) as error:
        load_mnist(tmp_path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_corrupt_gzip(tmp_path):
    write_mnist(tmp_path, gz=True)
    path = tmp_path / (MNIST_FILES["test_labels"] + ".gz")
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(InvalidArgument, match="corrupt gzip"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("change, match", [
    ("missing", "missing t10k-labels-idx1-ubyte"),
    ("count", "5 train images but 4 labels"),
    ("label range", r"labels outside 0\.\.9"),
    ("label dims", "must be 3-dimensional"),
    ("image size", "differ in size"),
])
def test_inconsistent_sets(tmp_path, change, match):
    write_mnist(tmp_path)
    if change == "missing":
        (tmp_path / MNIST_FILES["test_labels"]).unlink()
    elif change == "count":
        (tmp_path / MNIST_FILES["train_labels"]).write_bytes(idx_bytes(np.zeros(4)))
    elif change == "label range":
        (tmp_path / MNIST_FILES["train_labels"]).write_bytes(idx_bytes(np.array([0, 1, 2, 3, 12])))
    elif change == "label dims":
        (tmp_path / MNIST_FILES["train_labels"]).write_bytes(idx_bytes(np.zeros((5, 1))))
    else:
        (tmp_path / MNIST_FILES["test_images"]).write_bytes(idx_bytes(np.zeros((3, 5, 5))))
    with pytest.raises(InvalidArgument, match=match):
        load_mnist(tmp_path)


def test_not_a_directory(tmp_path):
    with pytest.raises(InvalidArgument, match="not a directory"):
        load_mnist(tmp_path / "nowhere")
