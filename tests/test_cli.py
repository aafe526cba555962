"""The command line as the ecosystem expects it: messages and exit code 2 instead of tracebacks,
option values checked with their range, a limit the user set named as theirs, a closed pipe that
ends quietly, ``--json -``, ``-q``/``-v``, "did you mean", colour as NO_COLOR and FORCE_COLOR say,
signs of life on long silent work, variants told apart, and the CI formats (``--format github``,
``--junit``, the workflow of docs/ci/github-actions.yml run as written).

Most runs are in-process (``cli.main``, the same parsing, checks, summary and exit code as the
``nnconf`` script; the target still runs in its worker); the installed script is run where its
streams, its exit status or its start-up are what is tested. Targets are small: one function or
two of the bundled implementation, a catalog bug, or a folder holding one ``deep.py``.
"""

import errno
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET

import pytest

from nnconf.conformance.doors import ci, cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(os.path.dirname(sys.executable), "nnconf")
BUG = os.path.join(ROOT, "conformance", "catalog", "bugs", "deep_linear_backward_db_rank1.py")
WORKFLOW = os.path.join(ROOT, "docs", "ci", "github-actions.yml")
SMALL = ["nnconf.impl", "--suite", "deep", "--function", "relu", "--no-training"]

# A learner's deep.py that builds on the bundled implementation (the tests allow that through
# NNCONF_ALLOW_BUNDLED, see conftest.py): linear_backward returns db rank-1 (a failure, line 5),
# relu_backward turns float32 into float64 (a warning, line 14).
TWO_BUGS = '''\
from nnconf.impl.deep import *
import numpy as np


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    dW = 1./m * np.dot(dZ, A_prev.T)
    db = 1./m * np.sum(dZ, axis=1)
    dA_prev = np.dot(W.T, dZ)
    return dA_prev, dW, db


def relu_backward(dA, activation_cache):
    Z = activation_cache
    dZ = dA * (Z > 0).astype(float)
    return dZ
'''

SLOW_RELU = '''\
from nnconf.impl.deep import *
import time
import numpy as np


def relu(Z):
    time.sleep(1.5)
    return np.maximum(0, Z), Z
'''


def script(*args, cwd=ROOT, env=None, **kwargs):
    """The installed ``nnconf`` script (``python -m nnconf`` where there is none), colour variables unset."""
    command = [SCRIPT] if os.path.exists(SCRIPT) else [sys.executable, "-m", "nnconf"]
    environment = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")}
    environment.update(env or {})
    kwargs.setdefault("capture_output", True)
    return subprocess.run([*command, *map(str, args)], cwd=cwd, env=environment, text=True, timeout=300, **kwargs)


def run(capsys, *args):
    """``nnconf ARGS`` in-process: (exit code, stdout, stderr)."""
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _no_colour_variables(monkeypatch):
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def folder_with(tmp_path, name, source, file="deep.py"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / file).write_text(source)
    return folder


# --- help, option values, names -------------------------------------------------------------------


def test_help_is_plain_names_every_command_and_loads_nothing_heavy():
    top = script("--help")
    assert top.returncode == 0
    for command in ("check", "list", "api", "report", "catalog", "NO_COLOR", "FORCE_COLOR"):
        assert command in top.stdout, command
    check = script("check", "--help").stdout
    for option in ("-q, --quiet", "-v, --verbose", "--format {text,github}", "--junit FILE", "141"):
        assert option in check, option
    assert re.search(r"--timeout SECONDS\s+seconds per call of the target \(default 10 s;\s+from 1\s+to\s+3600\)", check)
    assert "``" not in top.stdout + check  # no reStructuredText quoting in what users read
    probe = ("import sys, time\nstarted = time.perf_counter()\nfrom nnconf.conformance.doors import cli\n"
             "try:\n    cli.main(['check', '--help'])\nexcept SystemExit:\n    pass\n"
             "print('TOOK', time.perf_counter() - started)\n"
             "print('HEAVY', sorted(m for m in ('torch', 'numpy', 'pandas', 'hypothesis', 'rich', 'jinja2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    heavy = re.search(r"^HEAVY (.*)$", done.stdout, re.M)[1]
    assert heavy == "[]", f"--help imports {heavy}"
    assert float(re.search(r"^TOOK (\S+)$", done.stdout, re.M)[1]) < 10  # about 0.2 s here; generous on a loaded machine


@pytest.mark.parametrize("option,value,said", [
    ("--timeout", "0", "from 1 to 3600 seconds"),
    ("--timeout", "nan", "from 1 to 3600 seconds"),
    ("--max-time", "1", "from 2 to 604800 seconds"),
    ("--max-memory", "1", "from 128 to 1048576 MB"),
    ("--max-memory", "1.5", "a whole number from 128"),
    ("--max-file", "0", "from 1 to 1048576 MB"),
    ("--max-processes", "0", "from 1 to 4096"),
    ("-n", "0", "from 1 to 64"),
    ("-n", "-3", "from 1 to 64"),
    ("--seed", "-1", "from 0 to 4294967295"),
])
def test_option_values_out_of_range_are_refused_with_the_range(capsys, option, value, said):
    code, out, err = run(capsys, "check", *SMALL, option, value)
    assert code == 2 and out == ""
    assert f"argument {option}" in err or f"/{option}" in err or f"{option}/" in err, err
    assert said in err, err


def test_a_misspelt_name_gets_did_you_mean_not_a_list(capsys):
    code, _, err = run(capsys, "check", "nnconf.impl", "--function", "linear_backwards")
    assert code == 2 and "did you mean linear_backward?" in err, err
    assert len(err) < 300, err  # not the 80 names of every suite
    code, _, err = run(capsys, "check", "nnconf.impl", "--function", "Affine.backwards")
    assert code == 2 and "did you mean Affine.backward?" in err, err
    code, _, err = run(capsys, "check", "nnconf.impl", "--suite", "dep")
    assert code == 2 and "did you mean deep?" in err, err
    code, _, err = run(capsys, "api", "layer")
    assert code == 2 and "did you mean layers?" in err, err
    code, _, err = run(capsys, "check", "nnconf.impl", "--suite", "init", "--function", "linear_backward")
    assert code == 2 and "not a function of the suite(s) init" in err, err  # never a run that checks nothing


def test_two_outputs_to_stdout_are_refused(capsys):
    code, _, err = run(capsys, "check", *SMALL, "--json", "-", "--format", "github")
    assert code == 2 and "--json - and --format github" in err, err


# --- results files and outputs --------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"not json", b"3", b"[3]", b'{"records": 5}', b"\xff\xfe\x00", b""])
def test_a_results_file_that_cannot_be_read_is_a_message(capsys, tmp_path, content):
    path = tmp_path / "results.json"
    path.write_bytes(content)
    code, out, err = run(capsys, "report", path, "--out", tmp_path / "out")
    assert code == 2, (out, err)
    assert err.startswith("error:") and "results" in err and "Traceback" not in err, err


def test_outputs_that_cannot_be_written_are_refused_before_the_run(capsys, tmp_path):
    blocked = tmp_path / "a file"
    blocked.write_text("")
    for flag, path in (("--json", tmp_path / ("x" * 300 + ".json")), ("--junit", blocked / "nnconf.xml"),
                       ("--report", blocked)):
        started = time.perf_counter()
        code, out, err = run(capsys, "check", *SMALL, flag, path)
        assert code == 2 and err.startswith(f"error: {flag}"), (flag, err)
        assert "checking" not in out and time.perf_counter() - started < 20, flag  # before any check


def test_an_output_that_fails_at_the_end_is_named_after_the_summary(capsys, tmp_path, monkeypatch):
    from nnconf.conformance.judging import jsonfile

    def full(path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

    monkeypatch.setattr(jsonfile, "write_atomic", full)
    code, out, err = run(capsys, "check", *SMALL, "--json", tmp_path / "r.json", "--junit", tmp_path / "r.xml")
    assert code == 2, (out, err)
    assert re.search(r"nnconf\.impl: \d+ passed, 0 failed", out), out  # the summary is still there
    assert "--json" in err and "could not be written (No space left on device)" in err, err
    assert (tmp_path / "r.xml").is_file()  # the other outputs are written all the same


def test_json_dash_writes_the_records_to_stdout_and_the_words_to_stderr(tmp_path):
    result = script("check", *SMALL, "--json", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert records and {r["function"] for r in records} == {"relu"}
    assert "checking nnconf.impl" in result.stderr and re.search(r"\d+ passed", result.stderr)
    assert not (tmp_path / "-").exists()


# --- loudness, variants, colour -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bug_runs():
    """The catalog's rank-1 db bug, linear_backward and the variants of linear_activation_forward,
    run plainly, with -q and with -v (the same in-process run each time)."""
    import contextlib
    import io

    runs = {}
    for loudness in ((), ("-q",), ("-v",)):
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(["check", f"deep={BUG}", "--allow-bundled", "--no-training", "--function", "linear_backward",
                             "--function", "linear_activation_forward", *loudness])
        runs[loudness[0] if loudness else ""] = (code, out.getvalue(), err.getvalue())
    return runs


def test_quiet_prints_only_the_verdict_line(bug_runs):
    code, out, _ = bug_runs["-q"]
    assert code == 1
    assert len(out.splitlines()) == 1 and re.match(r"deep=\S+: \d+ passed, 1 failed", out), out


def test_verbose_prints_every_check_and_the_plain_run_does_not(bug_runs):
    code, out, _ = bug_runs["-v"]
    assert code == 1
    assert re.search(r"^ +fail +shape:db@random +linear_backward: db has the wrong shape", out, re.M), out
    assert re.search(r"^ +pass +smoke:linear_backward@random$", out, re.M), out
    _, plain, _ = bug_runs[""]
    assert "smoke:linear_backward@random" not in plain
    assert "wrong on their own (fix these first)" in plain and "wrong on their own" in out


def test_the_variants_of_a_function_are_told_apart(bug_runs):
    _, out, _ = bug_runs[""]
    lines = [line for line in out.splitlines() if "deep.linear_activation_forward" in line]
    assert len(lines) == 2 and len(set(lines)) == 2, lines
    assert "deep.linear_activation_forward (sigmoid)" in lines[0] and "deep.linear_activation_forward (relu)" in lines[1]


def test_colour_follows_force_color_and_no_color(capsys, monkeypatch):
    code, out, _ = run(capsys, "check", *SMALL)
    assert code == 0 and "\x1b[" not in out  # captured: not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    code, out, _ = run(capsys, "check", *SMALL)
    assert code == 0 and "\x1b[32mok" in out, out

    class Terminal:
        def isatty(self):
            return True

    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TERM", "xterm")
    assert cli.color_for(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not cli.color_for(Terminal())
    monkeypatch.setenv("NO_COLOR", "")  # present but empty: no effect (no-color.org)
    assert cli.color_for(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")  # force-color.org's example: FORCE_COLOR is read last and wins
    assert cli.color_for(Terminal())


# --- a closed pipe ----------------------------------------------------------------------------------


def _closed_stdout(*args, cwd=ROOT):
    """Run the script with its stdout a pipe whose reader has gone: (exit code, stderr, seconds)."""
    read, write = os.pipe()
    os.close(read)
    started = time.perf_counter()
    try:
        result = script(*args, cwd=cwd, stdout=write, stderr=subprocess.PIPE, capture_output=False)
    finally:
        os.close(write)
    return result.returncode, result.stderr, time.perf_counter() - started


def test_a_closed_pipe_ends_quietly(tmp_path):
    code, err, _ = _closed_stdout("list", os.path.join(ROOT, "tests", "targets", "course_style"))
    assert code == 141 and "Traceback" not in err and "BrokenPipe" not in err, err
    # nnconf check ... | head: the reader goes away after the first function's line; the run stops there
    command = [SCRIPT] if os.path.exists(SCRIPT) else [sys.executable, "-m", "nnconf"]
    started = time.perf_counter()
    process = subprocess.Popen([*command, "check", f"deep={BUG}", "--allow-bundled"], cwd=ROOT, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    for line in process.stdout:
        if line.startswith(("  ok", "  FAIL")):
            break
    process.stdout.close()
    err = process.stderr.read()
    assert process.wait(timeout=300) == 141 and "Traceback" not in err and "BrokenPipe" not in err, err
    assert time.perf_counter() - started < 120
    # with the results kept in a file, the run goes on to the end, silently, and gives its verdict
    code, err, _ = _closed_stdout("check", f"deep={BUG}", "--allow-bundled", "--no-training", "--function",
                                  "linear_backward", "--json", tmp_path / "r.json")
    assert code == 1 and "Traceback" not in err, err
    assert any(r["status"] == "fail" for r in json.loads((tmp_path / "r.json").read_text()))


# --- limits of the run ------------------------------------------------------------------------------


def test_a_limit_the_user_set_is_named_not_blamed_on_the_code(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "PULSE_EVERY", 0.5)  # and the silence of the slow calls is broken on stderr
    folder = folder_with(tmp_path, "slow", SLOW_RELU)
    code, out, err = run(capsys, "check", folder, "--allow-bundled", "--no-training", "--function", "relu",
                         "--function", "linear_forward", "--timeout", "1", "--junit", tmp_path / "j.xml",
                         "--format", "github")
    assert code == 1, out + err
    assert re.search(r"^  --   deep\.relu  \(not checked: stopped by --timeout 1 s \(the limit you set, default 10 s\)\)",
                     out, re.M), out
    assert "wrong on their own" not in out and "vectorize" not in out, out
    assert "--timeout 1 s (the limit you set, default 10 s) was reached: deep.relu" in out, out
    verdict = next(line for line in out.splitlines() if " passed, " in line)
    assert verdict.endswith("; 1 function(s) not checked, stopped by --timeout"), verdict
    assert "::error title=nnconf%3A a limit of the run stopped checks::--timeout 1 s" in out, out
    assert "::error file=" not in out  # no line of the code is blamed
    case = ET.parse(tmp_path / "j.xml").getroot().find(".//testcase[@name='relu']")
    assert case.find("error").get("type") == "limit"
    assert re.search(r"^nnconf: checking", err, re.M), err  # signs of life while relu sleeps


def test_which_failures_count_as_limits():
    class Args:
        timeout, max_time, max_memory = 10.0, 1800.0, 512
        given = {"--max-memory": 512}

    def record(function, message, diagnosis, status="error"):
        return {"unit": None, "suite": "deep", "function": function, "status": status, "diagnosis": diagnosis,
                "message": message}

    records = [
        record("relu", "relu: the call does not run; Timeout: no answer within 10 s (an endless loop?)", "crash.timeout"),
        record("sigmoid", "sigmoid: RunTimeLimit: not run: the run's time limit (--max-time) was reached", "crash.timeout"),
        record("predict", "predict: MemoryLimit: the code used more memory than the worker may (512 MB)", "crash.resource"),
        record("linear_forward", "linear_forward: RunTimeLimit: not run ...", "crash.timeout"),
        record("linear_forward", "linear_forward: dW has the wrong shape", "shape.transposed", "fail"),
    ]
    hit = cli.limits_hit(records, Args())
    assert set(hit) == {(None, "deep", "sigmoid"), (None, "deep", "predict")}  # the default --timeout: the code's
    assert hit[(None, "deep", "sigmoid")] == "--max-time 1800 s (the default)"
    assert hit[(None, "deep", "predict")] == "--max-memory 512 MB (the limit you set, default 2048 MB)"


# --- the bundled implementation copied to be edited -------------------------------------------------


def test_a_copy_of_the_bundled_implementation_is_told_about_allow_bundled(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("NNCONF_ALLOW_BUNDLED", raising=False)
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copyfile(os.path.join(ROOT, "impl", "deep.py"), folder / "deep.py")
    code, out, err = run(capsys, "check", folder, "--no-training", "--function", "linear_activation_forward")
    assert code == 1, out + err
    assert "ForbiddenImport" in out and "nnconf check --allow-bundled" in out, out


# --- signs of life ------------------------------------------------------------------------------------


class Stream:
    def __init__(self, tty):
        self.text, self.tty = [], tty

    def write(self, text):
        self.text.append(text)

    def flush(self):
        pass

    def isatty(self):
        return self.tty


def test_signs_of_life_on_a_pipe_only_after_silence(monkeypatch):
    monkeypatch.setattr(cli, "PULSE_EVERY", 0.3)
    stream = Stream(tty=False)
    with cli.Pulse(stream=stream) as pulse:
        with pulse.during("reading a large tree"):
            time.sleep(1.2)
        lines = len(stream.text)
        with pulse.during("checking"):
            for _ in range(10):  # something printed every 0.1 s: no need to say more
                pulse.touch()
                time.sleep(0.1)
        time.sleep(0.6)  # outside a block of long work: nothing
    assert 2 <= lines <= 5 and all(re.match(r"nnconf: reading a large tree \(\d+ s\)\n$", t) for t in stream.text)
    assert len(stream.text) == lines, stream.text


def test_signs_of_life_on_a_terminal_are_one_line_wiped_at_the_end(monkeypatch):
    monkeypatch.setattr(cli, "PULSE_FIRST", 0.0)
    monkeypatch.setenv("TERM", "xterm")
    stream = Stream(tty=True)
    with cli.Pulse(stream=stream) as pulse, pulse.during("reading a large tree"):
        time.sleep(0.8)
    assert stream.text and all(t.startswith("\r\x1b[K") and "\n" not in t for t in stream.text)
    assert "reading a large tree" in stream.text[0] and stream.text[-1] == "\r\x1b[K"


# --- CI formats ---------------------------------------------------------------------------------------


def _record(function, status, suite="deep", **fields):
    return {"suite": suite, "function": function, "check": f"value:x@random", "stage": "value", "status": status,
            "case": "random", "diagnosis": fields.pop("diagnosis", None), "message": fields.pop("message", f"{function}: msg"),
            "duration_s": 0.5, "unit": None, **fields}


def test_github_annotations_put_root_failures_first_and_escape_what_they_must():
    records = [
        _record("L_model_backward", "fail", source="deep.py:40", likely_cause=["linear_backward"]),
        _record("linear_backward", "fail", source="my, odd: deep.py:7", diagnosis="shape.rank1",
                message="linear_backward: 100% wrong\nsecond line", diagnosis_text="keepdims=True"),
        _record("relu", "warn", source="W4A1.ipynb, cell 12, line 3", rule="float32 not kept"),
        _record("sigmoid", "pass", source="deep.py:1"),
        _record("predict", "skip", diagnosis="api.missing", stage="api", message="predict: not implemented"),
    ]
    lines = ci.github(records).splitlines()
    assert len(lines) == 3, lines
    assert lines[0] == ("::error file=my%2C odd%3A deep.py,line=7,title=nnconf%3A deep.linear_backward shape.rank1::"
                        "linear_backward: 100%25 wrong%0Asecond line%0Awhat to change: keepdims=True")
    assert lines[1].startswith("::error file=deep.py,line=40,title=nnconf%3A deep.L_model_backward")
    assert lines[2].startswith("::warning file=W4A1.ipynb,title=nnconf%3A deep.relu float32 not kept (cell 12%2C line 3)::")
    assert ci.github(records, strict=True).splitlines()[2].startswith("::error file=W4A1.ipynb")


def test_junit_is_one_case_per_function_and_valid_xml():
    records = [
        _record("linear_activation_forward", "pass", case="random, sigmoid", source="deep.py:3"),
        _record("linear_activation_forward", "fail", case="random, relu", source="deep.py:3", diagnosis="value.wrong",
                message="linear_activation_forward: A differs \x1b[31m\x00"),
        _record("relu", "warn", source="deep.py:9", rule="float32 not kept"),
        _record("predict", "skip", diagnosis="api.missing", stage="api", message="predict: not implemented"),
        _record("sigmoid", "skip", suite="activations", diagnosis="api.missing", stage="api",
                message="sigmoid: not implemented (. does not implement the activations suite)"),
    ]
    root = ET.fromstring(ci.junit(records).split("\n", 1)[1])
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "1", "2")
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    assert set(cases) == {("nnconf.deep", "linear_activation_forward"), ("nnconf.deep", "relu"),
                          ("nnconf.deep", "predict"), ("nnconf.activations", "(the whole suite)")}
    failure = cases[("nnconf.deep", "linear_activation_forward")].find("failure")
    assert failure.get("type") == "value.wrong" and "A differs" in failure.get("message")
    assert cases[("nnconf.deep", "linear_activation_forward")].get("line") == "3"
    assert cases[("nnconf.deep", "relu")].find("failure") is None
    assert "float32 not kept" in cases[("nnconf.deep", "relu")].find("system-out").text
    assert cases[("nnconf.deep", "predict")].find("skipped").get("message").startswith("not implemented")
    strict = ET.fromstring(ci.junit(records, strict=True).split("\n", 1)[1])
    assert strict.get("failures") == "2"


def _workflow_command():
    """The `nnconf check` command of the workflow's `run:` steps (a one-line `run:` or a `run: |` block)."""
    commands, block = [], None
    for line in open(WORKFLOW, encoding="utf-8"):
        stripped = line.strip()
        if block is not None:
            if stripped and len(line) - len(line.lstrip()) > block:
                commands.append(stripped)
                continue
            block = None
        match = re.match(r"^(\s*)(?:- )?run:\s*(.*)$", line)
        if match:
            if match[2] in ("|", ">"):
                block = len(match[1])
            elif match[2]:
                commands.append(match[2])
    found = [c for c in commands if c.startswith("nnconf check")]
    assert len(found) == 1, commands
    return found[0]


def test_the_documented_github_workflow_runs_as_written(tmp_path):
    command = _workflow_command()
    assert command == "nnconf check . --format github --junit nnconf.xml"
    words = shlex.split(command)
    words[words.index(".")] = "submission"  # the repository's code, here a folder of it
    folder_with(tmp_path, "submission", TWO_BUGS)
    result = script(*words[1:], cwd=tmp_path)
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert annotations[0].startswith("::error file=submission/deep.py,line=5,title=nnconf%3A deep.linear_backward "
                                     "shape.rank1::linear_backward: db has the wrong shape"), annotations
    assert any(a.startswith("::warning file=submission/deep.py,line=14,title=nnconf%3A deep.relu_backward") for a in annotations)
    assert len(annotations) == 2, annotations  # the bundled functions it imports pass: nothing said of them
    root = ET.parse(tmp_path / "nnconf.xml").getroot()
    cases = {(c.get("classname"), c.get("name")): c for c in root.iter("testcase")}
    failing = cases[("nnconf.deep", "linear_backward")]
    assert failing.find("failure").get("type") == "shape.rank1"
    assert (failing.get("file"), failing.get("line")) == ("submission/deep.py", "5")
    assert cases[("nnconf.deep", "relu_backward")].find("failure") is None
    assert cases[("nnconf.layers", "(the whole suite)")].find("skipped") is not None
    assert int(root.get("failures")) == 1 and int(root.get("tests")) == len(cases)


def test_the_readme_points_at_the_recipe():
    text = open(os.path.join(ROOT, "README.md"), encoding="utf-8").read()
    assert "docs/ci/github-actions.yml" in text and "--format github" in text and "--junit" in text
    assert textwrap.dedent(_workflow_command()) in text
