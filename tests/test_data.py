"""Tests of impl/data.py: generated sets, bundled sklearn sets, and the IDX/MNIST reader."""

import gzip
import struct

import numpy as np
import pytest

from nnconf.impl import data

# --------------------------------------------------------------------------- helpers

_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
          np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(arr, code=None):
    """The IDX encoding of arr: 00 00 code ndim, big-endian uint32 dims, big-endian data."""
    arr = np.asarray(arr)
    code = _CODES[arr.dtype.type] if code is None else code
    header = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write(path, payload, gz=False):
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


def sample_mnist(n=5, rows=28, cols=28, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
    images[0, 0, 0], images[0, 0, 1] = 0, 255  # both ends of the pixel range
    labels = np.arange(n, dtype=np.uint8) % 10
    return images, labels


def write_mnist(directory, images, labels, prefix="train", gz=False, dotted=False):
    sep = "." if dotted else "-"
    suffix = ".gz" if gz else ""
    write(directory / f"{prefix}-images{sep}idx3-ubyte{suffix}", idx_bytes(images), gz)
    write(directory / f"{prefix}-labels{sep}idx1-ubyte{suffix}", idx_bytes(labels), gz)


def assert_shape(arr, shape, what):
    assert arr.shape == shape, f"{what}: shape {arr.shape}, but should be {shape}"


# --------------------------------------------------------------------------- planar (001)


def test_planar_shapes_dtypes():
    X, Y = data.load_planar_dataset()
    assert_shape(X, (2, 400), "X")
    assert_shape(Y, (1, 400), "Y")
    assert X.dtype == np.float64 and Y.dtype == np.uint8


def test_planar_classes_and_radius():
    X, Y = data.load_planar_dataset()
    assert np.all(Y[0, :200] == 0) and np.all(Y[0, 200:] == 1)
    assert np.bincount(Y[0]).tolist() == [200, 200]
    assert np.all(np.isfinite(X))
    assert np.all(np.abs(X) < 5), f"max |X| = {np.abs(X).max()}"


def test_planar_deterministic_and_seeds_global_rng():
    X1, Y1 = data.load_planar_dataset()
    after1 = np.random.rand()
    np.random.seed(123)
    X2, Y2 = data.load_planar_dataset()
    after2 = np.random.rand()
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)
    assert after1 == after2  # the global state after the call is the course's too


# --------------------------------------------------------------------------- xor (003)


def test_xor():
    X, Y = data.load_xor()
    assert_shape(X, (2, 4), "X")
    assert_shape(Y, (1, 4), "Y")
    assert X.dtype == np.float64 and Y.dtype == np.float64
    patterns = [tuple(col) for col in X.T]
    assert patterns == [(0, 0), (0, 1), (1, 0), (1, 1)]
    np.testing.assert_array_equal(Y[0], [a != b for a, b in patterns])


# --------------------------------------------------------------------------- digits


@pytest.mark.parametrize("one_hot", [False, True], ids=["labels", "one_hot"])
def test_digits_rows(one_hot):
    s = data.load_digits_split(layout="rows", one_hot=one_hot)
    assert isinstance(s, data.Split)
    n_tr, n_te = s.x_train.shape[0], s.x_test.shape[0]
    assert n_tr + n_te == 1797 and n_te == 360
    assert_shape(s.x_train, (n_tr, 64), "x_train")
    assert_shape(s.x_test, (n_te, 64), "x_test")
    assert_shape(s.t_train, (n_tr, 10) if one_hot else (n_tr,), "t_train")
    assert_shape(s.t_test, (n_te, 10) if one_hot else (n_te,), "t_test")
    for x in (s.x_train, s.x_test):
        assert x.dtype == np.float64 and x.min() >= 0 and x.max() <= 1
    assert s.x_train.max() == 1.0  # divided by 16, not by 255


@pytest.mark.parametrize("one_hot", [False, True], ids=["labels", "one_hot"])
def test_digits_columns_is_transpose_of_rows(one_hot):
    r = data.load_digits_split(layout="rows", one_hot=one_hot)
    c = data.load_digits_split(layout="columns", one_hot=one_hot)
    m = r.x_train.shape[0]
    assert_shape(c.x_train, (64, m), "X_train")
    assert_shape(c.t_train, (10, m) if one_hot else (1, m), "Y_train")
    np.testing.assert_array_equal(c.x_train, r.x_train.T)
    np.testing.assert_array_equal(c.x_test, r.x_test.T)
    np.testing.assert_array_equal(c.t_train, r.t_train.T if one_hot else r.t_train[None, :])


def test_digits_one_hot_matches_labels():
    lab = data.load_digits_split(one_hot=False)
    oh = data.load_digits_split(one_hot=True)
    for t, o in ((lab.t_train, oh.t_train), (lab.t_test, oh.t_test)):
        np.testing.assert_array_equal(o.sum(axis=1), 1)
        assert set(np.unique(o)) == {0.0, 1.0}
        np.testing.assert_array_equal(o.argmax(axis=1), t)


def test_digits_split_stratified_and_deterministic():
    a = data.load_digits_split(seed=0)
    b = data.load_digits_split(seed=0)
    c = data.load_digits_split(seed=1)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.t_test, c.t_test), "seed is ignored"
    frac_tr = np.bincount(a.t_train, minlength=10) / a.t_train.size
    frac_te = np.bincount(a.t_test, minlength=10) / a.t_test.size
    assert np.abs(frac_tr - frac_te).max() < 0.01, (frac_tr, frac_te)


def test_digits_bad_layout():
    with pytest.raises(ValueError, match="layout"):
        data.load_digits_split(layout="cols")


# --------------------------------------------------------------------------- breast cancer


def test_breast_cancer_shapes():
    s = data.load_breast_cancer_split()
    m_tr, m_te = s.x_train.shape[1], s.x_test.shape[1]
    assert m_tr + m_te == 569 and m_te == 114
    assert_shape(s.x_train, (30, m_tr), "X_train")
    assert_shape(s.t_train, (1, m_tr), "Y_train")
    assert_shape(s.x_test, (30, m_te), "X_test")
    assert_shape(s.t_test, (1, m_te), "Y_test")
    assert set(np.unique(s.t_train)) == {0, 1}


def test_breast_cancer_standardized_with_train_stats_only():
    s = data.load_breast_cancer_split(standardize=True)
    raw = data.load_breast_cancer_split(standardize=False)
    np.testing.assert_allclose(s.x_train.mean(axis=1), 0, atol=1e-12)
    np.testing.assert_allclose(s.x_train.std(axis=1), 1, rtol=1e-12)
    mu = raw.x_train.mean(axis=1, keepdims=True)
    sigma = raw.x_train.std(axis=1, keepdims=True)
    np.testing.assert_allclose(s.x_test, (raw.x_test - mu) / sigma, rtol=1e-12, atol=1e-12)
    assert np.abs(s.x_test.mean(axis=1)).max() > 1e-6  # test set not re-centred on itself


def test_breast_cancer_stratified_and_deterministic():
    a = data.load_breast_cancer_split(seed=3)
    b = data.load_breast_cancer_split(seed=3)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert abs(a.t_train.mean() - a.t_test.mean()) < 0.01


# --------------------------------------------------------------------------- IDX reader (004)


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_idx_roundtrip_ubyte(tmp_path, gz):
    images, labels = sample_mnist()
    ip = write(tmp_path / "imgs.bin", idx_bytes(images), gz)  # name says nothing about gzip
    lp = write(tmp_path / "lbls.bin", idx_bytes(labels), gz)
    got_i, got_l = data.read_idx(ip), data.read_idx(lp)
    assert got_i.dtype == np.uint8 and got_l.dtype == np.uint8
    np.testing.assert_array_equal(got_i, images)
    np.testing.assert_array_equal(got_l, labels)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_idx_roundtrip_other_types_nonsquare_3d(tmp_path, dtype):
    arr = (np.arange(2 * 3 * 5) - 7).reshape(2, 3, 5).astype(dtype)
    if np.issubdtype(dtype, np.floating):
        arr = arr * np.asarray(0.37, dtype) + np.asarray(1e-3, dtype)
    got = data.read_idx(write(tmp_path / "a.idx", idx_bytes(arr)))
    assert_shape(got, (2, 3, 5), "read_idx")
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative
    np.testing.assert_array_equal(got, arr)


def test_idx_gzip_by_magic_not_name(tmp_path):
    arr = np.arange(6, dtype=np.uint8)
    plain_named_gz = write(tmp_path / "x.gz", idx_bytes(arr))
    np.testing.assert_array_equal(data.read_idx(plain_named_gz), arr)


_GOOD = idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4))

MALFORMED = [
    pytest.param(b"", "empty", id="empty"),
    pytest.param(b"\x08\x03" + _GOOD[2:], "magic", id="bad_magic"),
    pytest.param(_GOOD[:2] + b"\x0A" + _GOOD[3:], "type code", id="unknown_dtype_code"),
    pytest.param(_GOOD[:-1], "truncated", id="truncated_data"),
    pytest.param(_GOOD[:6], "truncated", id="truncated_header"),
    pytest.param(_GOOD + b"\x00", "trailing", id="trailing_bytes"),
]


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
@pytest.mark.parametrize("payload, what", MALFORMED)
def test_idx_malformed_raises_naming_file(tmp_path, payload, what, gz):
    path = write(tmp_path / "broken-file.idx", payload, gz)
    with pytest.raises(ValueError) as info:
        data.read_idx(path)
    msg = str(info.value)
    assert "broken-file.idx" in msg, msg
    assert what in msg.lower(), msg
    assert "expected" in msg, msg


def test_idx_corrupt_gzip(tmp_path):
    path = write(tmp_path / "bad.gz", gzip.compress(_GOOD)[:-6])
    with pytest.raises(ValueError, match="bad.gz"):
        data.read_idx(path)


# --------------------------------------------------------------------------- load_mnist (004)


@pytest.mark.parametrize("gz, dotted", [(False, False), (True, False), (False, True)],
                         ids=["plain", "gzip", "dotted_name"])
def test_load_mnist_default_book_semantics(tmp_path, gz, dotted):
    images, labels = sample_mnist()
    write_mnist(tmp_path, images, labels, gz=gz, dotted=dotted)
    x, t = data.load_mnist(tmp_path)
    assert_shape(x, (5, 784), "x")
    assert_shape(t, (5,), "t")
    assert x.dtype == np.float32 and t.dtype == np.uint8
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_allclose(x, images.reshape(5, 784) / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(t, labels)


def test_load_mnist_options(tmp_path):
    images, labels = sample_mnist()
    write_mnist(tmp_path, images, labels, prefix="t10k")
    x, t = data.load_mnist(tmp_path, kind="test", normalize=False, flatten=False,
                           one_hot_label=True)
    assert_shape(x, (5, 1, 28, 28), "x")
    assert x.dtype == np.uint8
    np.testing.assert_array_equal(x[:, 0], images)
    assert_shape(t, (5, 10), "t")
    np.testing.assert_array_equal(t.argmax(axis=1), labels)
    np.testing.assert_array_equal(t.sum(axis=1), 1)


def test_load_mnist_missing_files_lists_names(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        data.load_mnist(tmp_path)
    msg = str(info.value)
    for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz",
                 "train-images.idx3-ubyte"):
        assert name in msg, msg


def test_load_mnist_missing_labels_only(tmp_path):
    images, _ = sample_mnist()
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(images))
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        data.load_mnist(tmp_path)


def test_load_mnist_count_mismatch(tmp_path):
    images, labels = sample_mnist(n=5)
    write_mnist(tmp_path, images, labels[:4])
    with pytest.raises(ValueError) as info:
        data.load_mnist(tmp_path)
    msg = str(info.value)
    assert "train-images-idx3-ubyte" in msg and "train-labels-idx1-ubyte" in msg, msg
    assert "5" in msg and "4" in msg, msg


def test_load_mnist_malformed_file_named(tmp_path):
    images, labels = sample_mnist()
    write_mnist(tmp_path, images, labels)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(labels)[:-2])
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte"):
        data.load_mnist(tmp_path)


def test_load_mnist_bad_kind(tmp_path):
    with pytest.raises(ValueError, match="kind"):
        data.load_mnist(tmp_path, kind="validation")
