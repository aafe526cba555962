"""Every dataset nnconf uses, generated in code or bundled with scikit-learn; never downloaded.

Layouts:
- column layout (course, documents 000-003): X is (n_x, m), one example a column; Y is (1, m).
- row layout (book, document 004): x is (N, D), one example a row; t is (N,) or (N, 10).

Sources: 001 planar flower, 003 XOR, 004 MNIST (IDX reader for users who have the files).
"""

from __future__ import annotations

import gzip
import os
from typing import NamedTuple

import numpy as np

__all__ = [
    "Split",
    "load_planar_dataset",
    "load_xor",
    "load_digits_split",
    "load_breast_cancer_split",
    "read_idx",
    "load_mnist",
]


class Split(NamedTuple):
    """A deterministic train/test split; shapes depend on the loader's layout."""

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray


# --------------------------------------------------------------------------- generated


def load_planar_dataset():
    """The "planar flower" of document 001, exactly as the course generates it.

    Returns X (2, 400) float64 and Y (1, 400) uint8: examples 0-199 are class 0 (red),
    200-399 class 1 (blue); each petal point is r*(sin t, cos t) with r = 4 sin(4t) + noise.

    Side effect, as in the course: calls ``np.random.seed(1)`` and draws from NumPy's
    *global* random state. Document 001's printed results depend on the state this leaves
    (e.g. the next ``np.random.seed``-less draw), so it is kept on purpose.
    """
    np.random.seed(1)
    m = 400  # number of examples
    N = int(m / 2)  # number of points per class
    D = 2  # dimensionality
    X = np.zeros((m, D))
    Y = np.zeros((m, 1), dtype="uint8")
    a = 4  # maximum ray of the flower
    for j in range(2):
        ix = range(N * j, N * (j + 1))
        t = np.linspace(j * 3.12, (j + 1) * 3.12, N) + np.random.randn(N) * 0.2  # theta
        r = a * np.sin(4 * t) + np.random.randn(N) * 0.2  # radius
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        Y[ix] = j
    return X.T, Y.T


def load_xor():
    """The XOR truth table of document 003, column layout, float64.

    Returns X (2, 4) with columns (0,0), (0,1), (1,0), (1,1) and Y (1, 4) = [[0, 1, 1, 0]].
    """
    X = np.array([0, 0, 1, 1, 0, 1, 0, 1], dtype=np.float64).reshape(2, 4)
    Y = np.array([0, 1, 1, 0], dtype=np.float64).reshape(1, 4)
    return X, Y


# --------------------------------------------------------------------------- bundled (sklearn)


def _one_hot(labels, n_classes):
    out = np.zeros((labels.shape[0], n_classes), dtype=np.float64)
    out[np.arange(labels.shape[0]), labels] = 1.0
    return out


def _stratified_split(x, y, test_size, seed):
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=test_size, random_state=seed, stratify=y)


def load_digits_split(test_size=0.2, seed=0, layout="rows", one_hot=False):
    """scikit-learn's bundled 8x8 digits (1797 images, 10 classes), pixels / 16 in [0, 1].

    Stratified, deterministic split: ``train_test_split(test_size, random_state=seed, stratify=y)``.

    - ``layout="rows"`` (book, 004): x (N, 64) float64; t (N,) int64 labels, or (N, 10) one-hot.
    - ``layout="columns"`` (course): X (64, m) float64; Y (1, m) int64 labels, or (10, m) one-hot.

    Returns ``Split(x_train, t_train, x_test, t_test)``.
    """
    if layout not in ("rows", "columns"):
        raise ValueError(f"layout must be 'rows' or 'columns', got {layout!r}")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    x = bunch.data.astype(np.float64) / 16.0
    y = bunch.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = _stratified_split(x, y, test_size, seed)
    t_tr = _one_hot(y_tr, 10) if one_hot else y_tr
    t_te = _one_hot(y_te, 10) if one_hot else y_te
    if layout == "rows":
        return Split(x_tr, t_tr, x_te, t_te)
    if one_hot:
        return Split(x_tr.T.copy(), t_tr.T.copy(), x_te.T.copy(), t_te.T.copy())
    return Split(x_tr.T.copy(), t_tr.reshape(1, -1), x_te.T.copy(), t_te.reshape(1, -1))


def load_breast_cancer_split(test_size=0.2, seed=0, standardize=True):
    """scikit-learn's bundled Wisconsin breast-cancer set (569 x 30, binary), course layout.

    Returns ``Split(X_train (30, m_train), Y_train (1, m_train), X_test (30, m_test),
    Y_test (1, m_test))``; X float64, Y int64 in {0, 1} (1 = benign, as sklearn).
    Split is stratified and deterministic (``random_state=seed``). With ``standardize``,
    each feature is (x - mu) / sigma using the TRAIN mean and std only (no test leakage);
    a constant feature keeps sigma = 1.
    """
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer()
    x = bunch.data.astype(np.float64)
    y = bunch.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = _stratified_split(x, y, test_size, seed)
    if standardize:
        mu = x_tr.mean(axis=0)
        sigma = x_tr.std(axis=0)
        sigma = np.where(sigma > 0, sigma, 1.0)
        x_tr = (x_tr - mu) / sigma
        x_te = (x_te - mu) / sigma
    return Split(x_tr.T.copy(), y_tr.reshape(1, -1), x_te.T.copy(), y_te.reshape(1, -1))


# --------------------------------------------------------------------------- MNIST / IDX (004)

# IDX type code -> big-endian NumPy dtype
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),  # unsigned byte
    0x09: np.dtype(">i1"),  # signed byte
    0x0B: np.dtype(">i2"),  # short
    0x0C: np.dtype(">i4"),  # int
    0x0D: np.dtype(">f4"),  # float
    0x0E: np.dtype(">f8"),  # double
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ValueError(
                f"{path}: starts with the gzip magic 1f 8b but could not be decompressed "
                f"({exc}); expected a complete gzip stream holding an IDX file"
            ) from exc
    return raw


def read_idx(path):
    """Read an IDX file (the MNIST format, document 004), plain or gzipped.

    Gzip is detected by the 1f 8b magic, not by the file name. Layout: two zero bytes,
    a type code (0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double,
    all big-endian), the number of dimensions, that many big-endian uint32 sizes, data.

    Returns an array of shape (d1, ..., dn) in native byte order.
    Raises ValueError naming the file for: empty file, bad magic, unknown type code,
    truncated header or data, trailing bytes.
    """
    path = os.fspath(path)
    raw = _read_bytes(path)
    expected = "an IDX file (00 00 <type code> <ndim>, ndim big-endian uint32 sizes, data)"
    if len(raw) == 0:
        raise ValueError(f"{path}: file is empty; expected {expected}")
    if len(raw) < 4:
        raise ValueError(
            f"{path}: truncated header, {len(raw)} bytes; expected at least 4 bytes of {expected}"
        )
    if raw[0] != 0 or raw[1] != 0:
        raise ValueError(
            f"{path}: bad magic number, first bytes are {raw[:4].hex(' ')}; expected the first "
            f"two bytes to be 00 00 ({expected}, plain or gzipped)"
        )
    code, ndim = raw[2], raw[3]
    if code not in _IDX_DTYPES:
        known = ", ".join(f"0x{c:02X}" for c in _IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{code:02X}; expected one of {known}")
    if ndim == 0:
        raise ValueError(f"{path}: IDX header declares 0 dimensions; expected at least 1")
    header_len = 4 + 4 * ndim
    if len(raw) < header_len:
        raise ValueError(
            f"{path}: truncated header, {len(raw)} bytes; expected {header_len} bytes for "
            f"{ndim} dimension sizes"
        )
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = _IDX_DTYPES[code]
    n_bytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    got = len(raw) - header_len
    if got < n_bytes:
        raise ValueError(
            f"{path}: truncated data, {got} bytes after the header; expected {n_bytes} bytes "
            f"for shape {shape} of {dtype.name} (type code 0x{code:02X})"
        )
    if got > n_bytes:
        raise ValueError(
            f"{path}: {got - n_bytes} trailing bytes after the data; expected exactly "
            f"{n_bytes} bytes for shape {shape} of {dtype.name} (type code 0x{code:02X})"
        )
    data = np.frombuffer(raw, dtype=dtype, count=n_bytes // dtype.itemsize, offset=header_len)
    return data.astype(dtype.newbyteorder("="), copy=True).reshape(shape)


_KIND_PREFIX = {"train": "train", "test": "t10k", "t10k": "t10k"}


def _idx_candidates(prefix, what, idx_n):
    # standard names first, then the `train-images.idx3-ubyte` variant, each plain then .gz
    names = []
    for base in (f"{prefix}-{what}-idx{idx_n}-ubyte", f"{prefix}-{what}.idx{idx_n}-ubyte"):
        names += [base, base + ".gz"]
    return names


def _find_idx(directory, prefix, what, idx_n):
    names = _idx_candidates(prefix, what, idx_n)
    for name in names:
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        f"no MNIST {what} file in {directory!r}; looked for: {', '.join(names)}"
    )


def load_mnist(directory, kind="train", normalize=True, flatten=True, one_hot_label=False):
    """Load MNIST from the IDX files in ``directory``, with the book's semantics (004).

    ``kind``: "train" (``train-*``) or "test"/"t10k" (``t10k-*``). Accepted file names:
    ``{train,t10k}-images-idx3-ubyte`` and ``...-labels-idx1-ubyte``, the
    ``train-images.idx3-ubyte`` variant, each optionally ``.gz`` (gzip detected by content).

    Returns (x, t), row layout:
    - x: (N, 784) with ``flatten``, else (N, 1, 28, 28); float32 in [0, 1] with
      ``normalize`` (x / 255), else uint8 as stored.
    - t: (N,) uint8 labels, or (N, 10) float64 one-hot with ``one_hot_label`` (as the book).

    Raises FileNotFoundError listing the names looked for; ValueError for malformed files,
    images that are not 3-D ubyte, labels that are not 1-D ubyte, or differing counts.
    """
    if kind not in _KIND_PREFIX:
        raise ValueError(f"kind must be 'train' or 'test' (alias 't10k'), got {kind!r}")
    directory = os.fspath(directory)
    prefix = _KIND_PREFIX[kind]
    img_path = _find_idx(directory, prefix, "images", 3)
    lbl_path = _find_idx(directory, prefix, "labels", 1)
    images = read_idx(img_path)
    labels = read_idx(lbl_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise ValueError(
            f"{img_path}: images have shape {images.shape} and dtype {images.dtype}; "
            f"expected 3-D (N, rows, cols) unsigned bytes (type code 0x08)"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise ValueError(
            f"{lbl_path}: labels have shape {labels.shape} and dtype {labels.dtype}; "
            f"expected 1-D (N,) unsigned bytes (type code 0x08)"
        )
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"image and label counts differ: {img_path} holds {images.shape[0]} images, "
            f"{lbl_path} holds {labels.shape[0]} labels; expected the same N in both"
        )
    n, rows, cols = images.shape
    x = images
    if normalize:
        x = x.astype(np.float32)
        x /= 255.0
    x = x.reshape(n, rows * cols) if flatten else x.reshape(n, 1, rows, cols)
    if one_hot_label:
        if labels.size and labels.max() > 9:
            raise ValueError(
                f"{lbl_path}: label {int(labels.max())} out of range; expected digits 0-9 "
                f"for one_hot_label=True"
            )
        t = _one_hot(labels.astype(np.intp), 10)
    else:
        t = labels
    return x, t
