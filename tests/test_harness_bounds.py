"""The harness's own bounds (issue 17, item 6): what the target gives the harness to read (its
notebooks, its answers, the names of its folders and files, its costs) costs the harness memory and
time in proportion to a cap, reaches the terminal and the report escaped, and leaves strict JSON.

The hostile catalog (tests/hostile/) covers what fits one file run with ``--function``; these are
the rest: a folder named with an escape sequence, a notebook too large, an answer too large, a
training loop whose costs are NaN."""

import json
import math
import os
import struct
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from nnconf.conformance.box import channel
from nnconf.conformance.reading import sources
from nnconf.conformance.run import training
from nnconf.conformance.box.protocol import Outcome

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# what must never reach a terminal or a file raw: ESC, BEL, NUL, C1's CSI, a right-to-left override
RAW = ("\x1b", "\x07", "\x00", "\x9b", "\u202e")
ODD = "stud\x1b[2J\x1b]0;pwned\x07\x9b31m\u202egnp"


def cli(*args, cwd=ROOT, timeout=300):
    return subprocess.run([sys.executable, "-m", "nnconf", *args], cwd=cwd, capture_output=True, timeout=timeout)


def peak_rss_mb(code):
    """The peak resident memory (MB) of a fresh Python running ``code``, and what it printed."""
    probe = f"import resource\n{code}\nprint('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return int(lines[-1].split()[1]) / 1024, "\n".join(lines[:-1])


def assert_clean(data, where):
    text = data.decode("utf-8")  # valid UTF-8
    for char in RAW:
        assert char not in text, f"a raw {char!r} reached {where}"


def notebook(path, cells):
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}))
    return path


def code_cell(source, outputs=()):
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": source, "outputs": list(outputs)}


# --- names of the target's folders and files ---------------------------------------------------------


def test_a_folder_and_files_named_with_escapes_reach_no_terminal_and_no_report_raw(tmp_path):
    folder = tmp_path / ODD
    folder.mkdir()
    (folder / "init.py").write_text("from nnconf.impl.init import *\n")
    (folder / f"{ODD}.ipynb").write_text('{"cells": [')  # named in the run as "not checked"
    out = tmp_path / "out"
    result = cli("check", str(folder), "--suite", "init", "--no-training", "--json", str(out / "records.json"),
                 "--report", str(out / "report"))
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    for data, where in ((result.stdout, "stdout"), (result.stderr, "stderr"),
                        *((p.read_bytes(), p.name) for p in [out / "records.json", *(out / "report").iterdir()])):
        assert_clean(data, where)
    stdout = result.stdout.decode()
    assert "stud\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202egnp" in stdout  # shown, escaped: the learner sees the name
    assert "not checked" in stdout and "cannot be read as a Jupyter notebook" in stdout
    saved = json.loads((out / "report" / "results.json").read_text(encoding="utf-8"))
    assert "\\x1b" in saved["meta"]["target"] and any("\\x1b" in line for line in saved["meta"]["sources"])

    listed = cli("list", str(folder))
    assert listed.returncode == 0
    assert_clean(listed.stdout, "the output of nnconf list")


def test_a_usage_error_naming_an_odd_path_is_escaped(tmp_path):
    result = cli("check", str(tmp_path / ODD))
    assert result.returncode == 2
    assert_clean(result.stderr, "stderr")
    assert "\\x1b[2J" in result.stderr.decode()


def test_a_saved_document_with_raw_control_characters_is_rebuilt_escaped(tmp_path):
    from nnconf import reports
    from nnconf.reports.sample import sample_results

    doc = sample_results()
    doc["meta"].update(target=ODD, sources=[f"deep  {ODD}/deep.py  (detected)"],
                       units=[{"unit": f"{ODD}/deep.py", "suites": ["deep"]}])
    doc["records"][0]["message"] = f"raised {ODD}"
    (tmp_path / "results.json").write_text(json.dumps(doc), encoding="utf-8")
    result = cli("report", str(tmp_path / "results.json"), "--out", str(tmp_path / "report"))
    assert result.returncode == 0, result.stderr
    for path in (tmp_path / "report").iterdir():
        assert_clean(path.read_bytes(), path.name)
    assert "\\x1b[2J" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    del reports


# --- notebooks and source files --------------------------------------------------------------------


def test_a_notebook_is_read_without_its_outputs_in_memory_in_proportion_to_its_code(tmp_path):
    """5 MB of outputs (text lines and base64 images, as a course notebook run to the end has): read
    at a small cost, its code all there; nbformat took 2 GB for 4.4 MB of notebook code."""
    image = "iVBORw0KGgo" * 2000
    cells = [code_cell([f"def f{i}(x):\n", f"    return x + {i}\n"],
                       [{"output_type": "stream", "name": "stdout", "text": [f"cost {j}\n" for j in range(4000)]},
                        {"output_type": "display_data", "metadata": {}, "data": {"image/png": image}}])
             for i in range(70)]
    cells.append(code_cell("import numpy as np\ndef sigmoid(z):\n    return 1 / (1 + np.exp(-z))\n"))
    path = notebook(tmp_path / "big.ipynb", cells)
    assert path.stat().st_size > 5 * 2**20
    baseline, _ = peak_rss_mb("from nnconf.conformance.reading import sources")
    peak, shown = peak_rss_mb(f"from nnconf.conformance.reading import sources\ns = sources.scan({str(path)!r})\n"
                              "print(sorted(s.defined), s.error)")
    assert "sigmoid" in shown and "f69" in shown and "None" in shown
    assert peak - baseline < 60, f"reading a 5 MB notebook took {peak - baseline:.0f} MB"


def test_a_notebook_with_too_much_code_is_not_read_and_named(tmp_path):
    dense = "TABLE = [" + ",".join("0" for _ in range(2_200_000)) + "]\n"  # 4.2 MB: a 2 GB syntax tree
    path = notebook(tmp_path / "huge.ipynb", [code_cell("def sigmoid(z):\n    return z\n"), code_cell(dense)])
    started = time.monotonic()
    baseline, _ = peak_rss_mb("from nnconf.conformance.reading import sources")
    peak, shown = peak_rss_mb(f"from nnconf.conformance.reading import sources\nprint(sources.scan({str(path)!r}).error)")
    assert time.monotonic() - started < 30
    assert peak - baseline < 60, f"refusing a notebook took {peak - baseline:.0f} MB"
    assert "huge.ipynb not read" in shown and "256 KB" in shown
    with pytest.raises(ValueError, match="not read"):
        sources.chunks(str(path))
    big_py = tmp_path / "deep.py"
    big_py.write_text(dense)
    assert "deep.py not read" in sources.scan(str(big_py)).error

    (tmp_path / "init.py").write_text("from nnconf.impl.init import *\n")
    result = cli("list", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert b"huge.ipynb" in result.stdout and b"not read" in result.stdout


@pytest.mark.parametrize("text", ['{"cells": [', "[1, 2]", '{"cells": [{"cell_type": "code", "source": 3}]}',
                                  "[" * 100_000, '{"metadata": {}}'])
def test_a_broken_notebook_is_a_named_value_error(tmp_path, text):
    path = tmp_path / "broken.ipynb"
    path.write_text(text)
    with pytest.raises(ValueError, match="broken.ipynb cannot be read as a Jupyter notebook"):
        sources.chunks(str(path))


def test_a_notebook_of_format_3_is_read(tmp_path):
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps({"nbformat": 3, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "markdown", "source": "# old"},
        {"cell_type": "code", "language": "python", "input": ["%matplotlib inline\n", "def relu(z):\n",
                                                              "    return z * (z > 0)\n"], "outputs": []}]}]}))
    assert [(c.cell, c.source) for c in sources.chunks(str(path))] == [(2, "\ndef relu(z):\n    return z * (z > 0)")]


# --- answers -------------------------------------------------------------------------------------------


def _header_answer(header):
    data = json.dumps(header).encode()
    return struct.pack(">I", len(data)) + data


def _forged(node):
    """An answer as a worker whose encoder was bypassed would send it: ``node`` as its value."""
    return _header_answer({"d": [["ok", True], ["value", node]]})


@pytest.mark.parametrize("node", [
    {"d": [[i, 0.5] for i in range(2_000_000)]},  # the 34 MB answer: 1.7 GB and 60 s before
    [0.5] * 3_000_000,
    [{"t": []}] * 100_000,  # under the byte cap, past the count of values
], ids=["dict-of-2M", "list-of-3M", "100k-tuples"])
def test_an_answer_of_too_many_values_is_refused_at_once(node):
    data = _forged(node)
    started = time.monotonic()
    with pytest.raises(ValueError, match="travels as arrays"):
        channel.decode(data)
    assert time.monotonic() - started < 1.0


def test_an_oversize_answer_costs_little_memory():
    code = ("import json, struct\nfrom nnconf.conformance.box import channel\n"
            "header = json.dumps({'d': [['ok', True], ['value', {'d': [[i, 0.5] for i in range(2_000_000)]}]]}).encode()\n"
            "data = struct.pack('>I', len(header)) + header\ndel header\n"
            "import gc, resource; gc.collect()\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
            "try:\n    channel.decode(data)\nexcept ValueError as exc:\n    print(exc)\n"
            "print('GREW', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)")
    _, shown = peak_rss_mb(code)
    grew = int(shown.split("GREW")[-1]) / 1024
    assert grew < 20, f"refusing the answer grew the harness by {grew:.0f} MB"


@pytest.mark.parametrize("data", [
    b"", b"\x00\x00", struct.pack(">I", 100) + b"{}",  # cut short
    struct.pack(">I", 2**31) + b"{}",  # a header larger than allowed
    _header_answer(None)[:4] + b"[" * 100_000,  # nested past the parser's recursion
    _header_answer({"a": [0, "<f8", [2**40, 2**40, 0]]}),  # no such buffer
    _header_answer({"a": [0, "<f8", [2**62, 4]]}) + struct.pack(">Q", 0),  # a product that overflows int64
    _header_answer({"o": 5}), _header_answer({"d": [[1]]}), _header_answer({"x": 1}),
    _header_answer({"a": [0, "|O", [1]]}) + struct.pack(">Q", 8) + b"\x00" * 8,
], ids=["empty", "short", "cut", "huge-header", "deep", "no-buffer", "overflow", "o-not-list", "d-pair", "unknown",
        "object-dtype"])
def test_a_garbled_answer_is_a_value_error_never_another_crash(data):
    with pytest.raises(ValueError):
        channel.decode(data)


def test_an_ordinary_answer_still_travels():
    value = {"ok": True, "value": (np.arange(6.0).reshape(2, 3), [np.float32(1.5), 2, "x", None],
                                   {"dW1": np.ones((3, 2), dtype=np.float32), "costs": [0.5] * 10_000}),
             "nan": float("nan"), "c": 1 + 2j}
    back = channel.decode(channel.encode(value))
    array, listed, grads = back["value"]
    assert np.array_equal(array, value["value"][0]) and array.flags.writeable
    assert listed == [1.5, 2, "x", None] and grads["dW1"].dtype == np.float32 and len(grads["costs"]) == 10_000
    assert math.isnan(back["nan"]) and back["c"] == 1 + 2j
    writable = channel.decode(bytearray(channel.encode({"a": np.ones(4)})))["a"]  # read in place from a writable frame
    writable[0] = 7.0


# --- training curves -------------------------------------------------------------------------------------


class _Answers:
    """A worker stand-in that answers the training loop with ``value``."""

    def __init__(self, value):
        self.value = value

    def call(self, loop, *args, timeout=None):
        return Outcome(True, value=self.value)


@pytest.fixture
def reference(monkeypatch):
    costs = [0.69 - 0.001 * i for i in range(300)]
    monkeypatch.setattr(training, "_reference_system",
                        lambda suite, profile: ("a system", training.loop_logistic, (), costs, None))
    return costs


def test_a_nan_training_curve_is_nonfinite_not_wrong(reference):
    costs = reference[:40] + [float("nan")] * 260
    curve, record = training.run_curve(_Answers(costs), "logistic", "fast")
    assert (record.status, record.diagnosis) == ("fail", "value.nonfinite")
    assert record.worst_index == [40] and "iteration 40" in record.message and "260 of 300" in record.message
    assert curve["status"] == "fail" and math.isnan(curve["target"][-1])
    json.loads(json.dumps(record.to_json(), allow_nan=False))  # strict JSON as written


def test_an_infinite_cost_is_nonfinite_and_a_finite_one_still_judged(reference):
    assert training.run_curve(_Answers([float("inf")] * 300), "logistic", "fast")[1].diagnosis == "value.nonfinite"
    assert training.run_curve(_Answers(list(reference)), "logistic", "fast")[1].status == "pass"
    wrong = training.run_curve(_Answers([c * 1.5 for c in reference]), "logistic", "fast")[1]
    assert (wrong.status, wrong.diagnosis) == ("fail", "value.wrong")


@pytest.mark.parametrize("value", [None, "costs", [object(), 1.0], np.ones((2, 2)), {"a": 1}])
def test_a_training_answer_that_is_not_costs_is_an_error_not_a_harness_crash(reference, value):
    curve, record = training.run_curve(_Answers(value), "logistic", "fast")
    assert (record.status, record.diagnosis) == ("error", "crash.exception")
    assert "did not give a list of costs" in record.message


def test_a_nan_training_cost_through_the_cli_is_nonfinite_and_every_output_strict_json(tmp_path):
    target = tmp_path / "logistic.py"
    target.write_text(textwrap.dedent("""\
        from nnconf.impl.logistic import *
        from nnconf.impl.logistic import propagate as _propagate


        def propagate(w, b, X, Y):
            grads, cost = _propagate(w, b, X, Y)
            return grads, cost * float("nan") if X.shape[1] > 100 else cost  # NaN on the training data only
    """))
    out = tmp_path / "out"
    result = cli("check", f"logistic={target}", "--suite", "logistic", "--json", str(out / "records.json"),
                 "--report", str(out / "report"), "--timeout", "30")
    shown = result.stdout.decode(errors="replace")[-3000:] + result.stderr.decode(errors="replace")[-3000:]
    assert result.returncode == 1, shown

    def strict(path):
        def refuse(word):
            raise AssertionError(f"{word} in {path.name}: not JSON")
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)

    records = strict(out / "records.json")
    trained = [r for r in records if r["stage"] == "training"]
    assert [r["diagnosis"] for r in trained] == ["value.nonfinite"], shown
    document = strict(out / "report" / "results.json")
    assert "nan" in document["curves"][0]["target"]
