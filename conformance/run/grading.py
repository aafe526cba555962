"""Grading many submissions: each one checked as ``nnconf check`` checks it, in its own box.

The unit of work is data (STYLE 18). A :class:`Job` carries one student's files as bytes, the
assignment's helper files the student did not submit, and the options; :func:`grade_one` turns
it into a plain result (a status and its reason, the results document) and never raises for anything
a submission does. So the same job runs in a local process pool (:func:`run_local`) or on a Dask
distributed cluster (:func:`run_dask`), machines need no shared disk, and each result is stored
the moment it arrives. The executors take the function to run (``work``): a front door may wrap
:func:`grade_one` (to render the student's report where the job ran, for example).

The reference side (cases, expected values, training curves) is the same for every submission:
it comes from the reference cache, which the first submission graded fills (it is graded alone,
before the others start) and every later one reads.
"""

import concurrent.futures
import dataclasses
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import stat
import sys
import tempfile
import time
import traceback
import zipfile
from dataclasses import dataclass, field

CODE_SUFFIXES = (".ipynb", ".py")
MAX_SUBMISSION_BYTES = 64 * 2**20  # one student's files, all together
MAX_ZIP_MEMBERS = 2000
MAX_ZIP_BYTES = 64 * 2**20  # what a submitted .zip may unpack to


@dataclass(frozen=True)
class Options:
    """What decides a submission's results, besides its files (part of its key)."""

    profile: str = "fast"
    seed: int = 0
    timeout: float = 10.0  # per call of the student's code
    training: bool = True
    max_time: float = 300.0  # per submission: what is left then is not run, and the status is "timeout"
    sandbox: str = "auto"
    memory_mb: int = 2048
    processes: int = 32
    allow_bundled: bool = False
    report: bool = True  # the front door renders the student's own HTML report



@dataclass(frozen=True)
class Job:
    student: str
    key: str
    files: tuple  # (path relative to the submission, bytes) of the student's files
    helpers: tuple = ()  # (file name, bytes) of the assignment's helper files
    options: Options = field(default_factory=Options)


class TooLarge(ValueError):
    pass


def read_submission(files, root):
    """(relative path, bytes) of a submission's ``files`` (absolute paths) relative to ``root``
    (the submission's folder, or the folder holding its one file); at most MAX_SUBMISSION_BYTES."""
    found, total = [], 0
    for path in sorted(files):
        size = os.stat(path).st_size
        total += size
        if total > MAX_SUBMISSION_BYTES:
            raise TooLarge(f"the submission's files exceed {MAX_SUBMISSION_BYTES // 2**20} MB")
        relative = os.path.relpath(path, root) if os.path.isdir(root) else os.path.basename(path)
        with open(path, "rb") as handle:
            found.append((relative.replace(os.sep, "/"), handle.read()))
    return tuple(found)


def read_helpers(folder):
    """(name, bytes) of the helper files of ``folder`` (``--helpers``: the course's ``dnn_utils.py``,
    ``testCases.py``, ``public_tests.py``, data files they read), the folder's top level only."""
    if not folder:
        return ()
    found = []
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.startswith(".") or not stat.S_ISREG(os.lstat(path).st_mode):
            continue
        with open(path, "rb") as handle:
            found.append((name, handle.read()))
    return tuple(found)


def key_of(files, helpers, options):
    """The content hash a student's stored results are kept under: their files, the helpers, the
    options and the harness (its version and the hash of its reference and checks)."""
    from nnconf.conformance.run.cache import fingerprint

    digest = hashlib.sha256(f"nnconf {fingerprint()}".encode())  # the hash of the reference's and the checks' code
    digest.update(json.dumps({k: v for k, v in dataclasses.asdict(options).items() if k != "report"},
                             sort_keys=True).encode())
    for kind, entries in (("file", files), ("helper", helpers)):
        for name, data in entries:
            digest.update(f"{kind} {name} {hashlib.sha256(data).hexdigest()}\n".encode())
    return digest.hexdigest()


# -- one submission, anywhere ------------------------------------------------------------------


def grade_one(job):
    """The result of one job: {student, key, status, reason, duration_s, results}.
    Status: ``graded``; ``empty`` (no code, or none of the suites' functions); ``unreadable`` (no
    file could be read as code); ``timeout`` (the per-submission budget ran out: what was checked
    is kept); ``error`` (the harness could not grade it: the reason says why)."""
    started = time.perf_counter()
    workspace = tempfile.mkdtemp(prefix="nnconf-grade-")
    try:
        status, reason, results = _grade_in(job, workspace)
    except Exception as exc:  # noqa: BLE001 - a harness error for one student must not stop the class
        status, reason, results = "error", f"internal error of the harness: {exc!r}\n" + traceback.format_exc(limit=6), None
    finally:
        shutil.rmtree(workspace, ignore_errors=True)
    return {"student": job.student, "key": job.key, "status": status, "reason": reason,
            "duration_s": round(time.perf_counter() - started, 3), "results": results}


def _grade_in(job, workspace):
    from nnconf.conformance.box.worker import Limits
    from nnconf.conformance.reading import loader
    from nnconf.conformance.run import engine
    from nnconf.conformance.run.cache import Cache

    folder = os.path.join(workspace, "submission")
    os.makedirs(folder)
    unpacked = _write_files(folder, job.files)
    code = [p for p in unpacked if p.endswith(CODE_SUFFIXES)]
    if not code:
        return "empty", "no notebook (.ipynb) or Python file (.py) in the submission", None
    helpers = _write_helpers(folder, code, job.helpers)
    try:
        target = loader.parse_target([folder])
    except loader.UsageError as exc:
        why = _relative(str(exc), folder)
        return ("unreadable" if "not checked:" in why else "empty"), why, None
    target = _students_own(target, helpers)
    if target is None:
        return _nothing_of_the_students(folder, code, helpers)
    options = job.options
    limits = Limits(memory_mb=options.memory_mb, processes=options.processes, sandbox=options.sandbox,
                    deadline=time.time() + options.max_time, allow_bundled=options.allow_bundled)
    results = engine.run(target, None, profile=options.profile, seed=options.seed, timeout=options.timeout,
                         training=options.training, limits=limits, cache=Cache.default())
    given = _helper_sources(helpers)
    results["records"] = [r for r in results["records"] if not (r.get("source") or "").startswith(given)]
    results = json.loads(_relative(json.dumps(results, default=str), folder))
    hung = sorted({r["suite"] for r in results["records"] if r["function"] == "*" and r.get("diagnosis") == "crash.timeout"})
    if hung:
        return ("timeout", f"the {', '.join(hung)} code did not load within {options.timeout:g} s (--timeout): an endless "
                "loop where the file's definitions run (a class body, a default argument)?", results)
    late = [r for r in results["records"] if "(--max-time)" in (r.get("message") or "")]
    if late:
        functions = len({(r["suite"], r["function"]) for r in late})
        return ("timeout", f"the budget of {options.max_time:g} s per submission (--max-time-per-submission) ran out; "
                f"{functions} function(s) not checked", results)
    return "graded", None, results


def _students_own(target, helpers):
    """``target`` less its units made only of the assignment's helper files (a ``dnn_utils.py``
    that defines ``relu`` claims the deep suite when the student's notebook cannot be read: it is
    never graded as the student's work); None when no unit is the student's."""
    given = set(helpers)
    own = [u for u in target.units() if not {s.primary for s in u.sources.values()} <= given]
    if not own:
        return None
    if not target.parts:
        return target
    return dataclasses.replace(target, parts=tuple(own)) if len(own) > 1 else own[0]


def _nothing_of_the_students(folder, code, helpers):
    """The status of a submission none of whose files holds a suite: unreadable where its files
    cannot be read as code, else empty."""
    from nnconf.conformance.reading import sources

    theirs = [p for p in code if p not in set(helpers)]
    broken = {}
    for path in theirs:
        found = sources.scan(path)
        if found.error:
            broken[path] = found.error
    if broken and len(broken) == len(theirs):
        why = "; ".join(f"{_relative(p, folder)}: {_relative(str(e), folder)}" for p, e in broken.items())
        return "unreadable", f"no file of the submission can be read as code ({why})", None
    return "empty", "none of the suites' functions is defined in the submission's own files", None


def _helper_sources(helpers):
    """The beginnings of a record's ``source`` that name a helper file (absolute or relative)."""
    return tuple(sorted({form for path in helpers for form in (path, os.path.relpath(path))}))


def _relative(text, folder):
    """``text`` with the workspace's path taken out: paths as the student's submission has them."""
    return text.replace(folder + os.sep, "").replace(folder, ".")


def _inside(folder, relative):
    """The path of ``relative`` inside ``folder``, or None where it would leave it."""
    parts = [p for p in relative.replace("\\", "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or os.path.isabs(relative):
        return None
    return os.path.join(folder, *parts)


def _write_files(folder, files):
    """The student's files written under ``folder`` (a .zip unpacked beside itself); their paths."""
    written = []
    for relative, data in files:
        path = _inside(folder, relative)
        if path is None:
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if relative.lower().endswith(".zip"):
            written += _unzip(data, os.path.splitext(path)[0])
            continue
        with open(path, "wb") as handle:
            handle.write(data)
        written.append(path)
    return written


def _unzip(data, folder):
    """The regular files of a zip archive, unpacked under ``folder`` (never outside it, never a
    link, within MAX_ZIP_MEMBERS and MAX_ZIP_BYTES); an unreadable archive unpacks to nothing."""
    written, total = [], 0
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()[:MAX_ZIP_MEMBERS]
        for member in members:
            kind = stat.S_IFMT(member.external_attr >> 16)  # 0 where the archive does not say (a plain file)
            if member.is_dir() or kind not in (0, stat.S_IFREG) or "__MACOSX" in member.filename:
                continue
            path = _inside(folder, member.filename)
            total += member.file_size
            if path is None or total > MAX_ZIP_BYTES:
                continue
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with archive.open(member) as source, open(path, "wb") as target:
                shutil.copyfileobj(source, target)
            written.append(path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return written
    return written


def _write_helpers(folder, code, helpers):
    """The helper files beside each folder of the student's code, where the student has no file of
    that name there (a submitted ``dnn_utils.py`` is the student's, and is checked as theirs);
    the paths written."""
    written = []
    for where in sorted({os.path.dirname(p) for p in code}):
        for name, data in helpers:
            path = os.path.join(where, name)
            if not os.path.exists(path):
                with open(path, "wb") as handle:
                    handle.write(data)
                written.append(path)
    return written


# -- many submissions --------------------------------------------------------------------------


def error_result(job, exc):
    return {"student": job.student, "key": job.key, "status": "error", "duration_s": None, "results": None,
            "reason": f"the grading process failed: {exc!r}"}


def run_local(jobs, processes, on_result, work=grade_one):
    """Grade ``jobs`` in ``processes`` local processes; ``on_result(result)`` as each one ends. The
    first job is graded alone: it fills the reference cache the others then read. ``work``: a
    module-level function of a job (picklable by reference), :func:`grade_one` or a wrapper."""
    if not jobs:
        return
    # fork, as the engine does where PyTorch is not loaded (the driver never loads it itself): spawn would
    # run the caller's __main__ again in every process (a script without a main guard, code read from stdin)
    context = multiprocessing.get_context("spawn" if "torch" in sys.modules else "fork")
    first, rest = jobs[0], jobs[1:]
    with concurrent.futures.ProcessPoolExecutor(max(1, min(processes, len(jobs))), mp_context=context) as pool:
        on_result(_result(pool.submit(work, first), first))
        futures = {pool.submit(work, job): job for job in rest}
        for future in concurrent.futures.as_completed(futures):
            on_result(_result(future, futures[future]))


def _result(future, job):
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a pool process that died (BrokenProcessPool): that student's row says so
        return error_result(job, exc)


class ClusterError(RuntimeError):
    """The cluster cannot grade as this machine would (no workers, another nnconf on a worker)."""


def harness_fingerprint():
    """This process's nnconf: its version's hash of the reference's and the checks' code."""
    from nnconf.conformance.run.cache import fingerprint

    return fingerprint()


def run_dask(jobs, address, on_result, work=grade_one, timeout=30):
    """Grade ``jobs`` on the Dask distributed scheduler at ``address`` (``tcp://host:8786``): the
    same jobs, the same function, so the same results as a local run. Each worker machine needs
    nnconf (and bubblewrap) installed, the same nnconf as here (checked first: a worker with
    other checks would give other grades under the same key); its reference cache is its own.
    The first job runs alone."""
    from distributed import Client, as_completed

    if not jobs:
        return
    with Client(address, timeout=timeout) as client:
        try:
            theirs = client.run(harness_fingerprint)
        except Exception as exc:  # noqa: BLE001 - nnconf missing on a worker, or no worker at all
            raise ClusterError(f"the workers of {address} cannot run nnconf: {exc!r}") from None
        if not theirs:
            raise ClusterError(f"the scheduler at {address} has no worker: start some with `dask worker {address}`")
        other = sorted(worker for worker, found in theirs.items() if found != harness_fingerprint())
        if other:
            raise ClusterError(f"{len(other)} worker(s) of {address} run another nnconf than this machine "
                               f"({', '.join(other[:3])}): install the same version on every worker")
        keys = [f"nnconf-grade-{i}-{job.key[:16]}" for i, job in enumerate(jobs)]
        first = client.submit(work, jobs[0], key=keys[0], pure=False)
        on_result(_result(first, jobs[0]))
        futures = {client.submit(work, job, key=key, pure=False): job for job, key in zip(jobs[1:], keys[1:])}
        for future in as_completed(futures):
            on_result(_result(future, futures[future]))
