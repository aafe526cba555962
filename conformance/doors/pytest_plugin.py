"""pytest front door (entry point ``pytest11``): the same checks as ``nnconf check``.

    pytest --pyargs nnconf.conformance.checks --nnconf-impl path/to/my_code [--nnconf-profile thorough]

``--nnconf-impl`` takes the CLI's TARGET forms (repeatable); without it, the ``NNCONF_IMPL``
environment variable (space-separated); with neither, the run is a usage error (a CI job that
forgot the option must not pass). One test per function of every suite (and of every unit, where
the target holds several: ``[deep.linear_backward@alice/deep.py]``); a function the target does
not implement is skipped ("not implemented", one line of ``-rs`` for them all), or fails with
``--nnconf-require``. The options are prefixed so that they never collide with a project's own ``--impl``.

Node ids are pytest's own, so ``--lf``, ``--sw``, ``--deselect`` and a node id pasted back on the
command line select the same tests. Where the checks module lies outside the rootdir (an installed
nnconf), pytest would name it ``""`` (ids such as ``::test_conforms[deep.relu]``, which select
nothing); it is named ``nnconf.conformance.checks`` instead, the name ``--pyargs`` takes back
(``--pyargs 'nnconf.conformance.checks::test_conforms[deep.relu]'``), or by its absolute path when
pytest runs from a folder other than its rootdir (pytest shows ids relative to the working folder).

``--junitxml``: a check's test case is class ``nnconf.<suite>``, name ``<function>``, with each
check's figures as properties. Repro scripts of failures go into a folder of pytest's own
temporary directory (``tmp_path_factory``: kept for pytest's last three runs), each file created
anew, never written through a link. Works under ``pytest -n 2``: each suite's checks go to one
xdist process, which keeps one isolated worker process for it.
"""

import functools
import os
import re
import warnings
from pathlib import Path

import pytest

CHECKS = Path(__file__).resolve().parents[1] / "checks.py"  # the module users collect: nnconf.conformance.checks
CHECKS_MODULE = "nnconf.conformance.checks"


class ConformanceWarning(UserWarning):
    """A finding of level ``warn``: right on ordinary inputs, fragile at an edge."""


def pytest_addoption(parser, pluginmanager):
    _unmark_for_rewrite(pluginmanager)
    from nnconf.conformance.box import sandbox

    group = parser.getgroup("nnconf", "nnconf conformance checks")
    group.addoption("--nnconf-impl", action="append", default=[], metavar="TARGET",
                    help="implementation to check: folder, file, notebook, SUITE=PATH or package (repeatable)")
    group.addoption("--nnconf-profile", choices=("fast", "thorough"), default="fast")
    group.addoption("--nnconf-seed", type=int, default=0)
    group.addoption("--nnconf-require", action="store_true", help="a function the target does not implement fails")
    group.addoption("--nnconf-sandbox", choices=sandbox.MODES, default=sandbox.default_mode(),
                    help="box the code under check with bubblewrap (as nnconf check --sandbox)")


def _unmark_for_rewrite(pluginmanager):
    """pytest marks every module of a plugin's distribution for assertion rewriting. nnconf's
    modules hold no test assertions, and rewriting them parses and compiles each one again in
    every pytest process (each xdist worker too) wherever the rewritten bytecode is not cached
    (PYTHONDONTWRITEBYTECODE, a read-only install): 1-1.5 s a process on a 2-core machine. Our
    package's mark is taken back; where pytest keeps its marks elsewhere, nothing changes."""
    hook = getattr(pluginmanager, "rewrite_hook", None)
    marked = getattr(hook, "_must_rewrite", None)
    if isinstance(marked, set) and "nnconf" in marked:
        marked.discard("nnconf")
        getattr(hook, "_marked_for_rewrite_cache", {}).clear()


class Runner:
    """Runs contracts of one target; one isolated worker per suite, started on first use."""

    def __init__(self, target_words, profile, seed, require=False, sandbox="auto", tmp_path_factory=None):
        from nnconf.conformance.box.worker import Limits
        from nnconf.conformance.reading import loader
        from nnconf.conformance.run.cache import Cache

        self.target = _STATE.get("target") or loader.parse_target(target_words)
        self.profile, self.seed, self.require = profile, seed, require
        self.limits = Limits(sandbox=sandbox)
        self.cache = Cache.default()
        from nnconf.conformance.box import sandbox as boxes

        if boxes.choose(sandbox).mode == "none":
            self.cache.distrust_from_now()  # unboxed code can sign entries with the key
        self.workers = {}
        self.done = {}  # (unit, suite, function) -> its records: a failure is blamed on a failing callee
        self.warned = False  # the run's NOT SANDBOXED warning, given once
        self.tmp_path_factory = tmp_path_factory
        self._repro_folder = None

    def repro_folder(self):
        """This session's folder of repro scripts, made on first use in pytest's temporary
        directory (its retention removes old ones), or None without one."""
        if self._repro_folder is None and self.tmp_path_factory is not None:
            try:
                self._repro_folder = self.tmp_path_factory.mktemp("nnconf-repro")
            except OSError:  # no temporary folder: the repros are shown, not written
                self.tmp_path_factory = None
        return self._repro_folder

    def unit(self, name=None):
        """The unit named ``name`` (None: the target's only one)."""
        return next((u for u in self.target.units() if u.unit == name), self.target.units()[0])

    def worker(self, suite, unit=None, next_check=None):
        """The worker of the suite of ``unit``; the worker of ``next_check`` ((suite, unit) of the
        test pytest runs next in this process, under xdist too) is started as well, to load while
        this suite checks."""
        worker = self._worker(suite, unit)
        if worker.box.warning and not self.warned:
            self.warned = True
            warnings.warn(ConformanceWarning(worker.box.warning), stacklevel=1)
        if next_check not in (None, (suite, unit)) and next_check[0] in self.unit(next_check[1]).suites():
            self._worker(*next_check).start()
        return worker

    def _worker(self, suite, unit=None):
        from nnconf.conformance.box.worker import Worker

        if (suite, unit) not in self.workers:
            self.workers[(suite, unit)] = Worker(self.unit(unit), suite, seed=self.seed, limits=self.limits)
        return self.workers[(suite, unit)]

    def check(self, suite, function, unit=None, next_check=None):
        from nnconf.conformance.run import engine
        from nnconf.conformance.suites import contracts
        from nnconf.conformance.suites.dependencies import note_likely_causes

        chosen = [c for c in contracts(suite) if c.name == function]
        records = engine.run_suite(self.worker(suite, unit, next_check), self.unit(unit), suite, chosen, self.profile,
                                   self.seed, require=self.require, cache=self.cache)
        records = [r.to_json() for r in records]
        self.done.update({(unit, suite, function): records})
        earlier = [dict(r) for k, v in self.done.items() if k[:2] == (unit, suite) and k[2] != function for r in v]
        return note_likely_causes(records + earlier)[:len(records)]

    def close(self):
        for worker in self.workers.values():
            worker.close()


def target_words(config):
    words = config.getoption("--nnconf-impl")
    if not words and os.environ.get("NNCONF_IMPL"):
        words = os.environ["NNCONF_IMPL"].split()
    return words


@pytest.fixture(scope="session")
def nnconf_runner(request, tmp_path_factory):
    """The session's :class:`Runner` for the target named by ``--nnconf-impl`` / ``NNCONF_IMPL``."""
    option = request.config.getoption
    if not target_words(request.config):
        raise pytest.UsageError("nnconf: name the code to check with --nnconf-impl PATH or NNCONF_IMPL")
    runner = Runner(target_words(request.config), option("--nnconf-profile"), option("--nnconf-seed"),
                    option("--nnconf-require"), option("--nnconf-sandbox"), tmp_path_factory)
    _STATE["runner"] = runner
    yield runner
    runner.close()


def pytest_terminal_summary(terminalreporter):
    """The real bug first: the functions wrong on their own, each with those that fail because of it."""
    from nnconf.conformance.suites.dependencies import causes_of, roots_of

    runner = _STATE.get("runner")
    if runner is None:
        return
    failing = {k: causes_of([r for r in v if r["status"] in ("fail", "error")]) for k, v in runner.done.items()
               if any(r["status"] in ("fail", "error") for r in v)}
    roots = {k: roots_of(k, failing) for k in failing}
    lines = []
    for key in [k for k in failing if roots[k] == {k}]:
        lines.append(f"{key[1]}.{key[2]}" + (f"@{key[0]}" if key[0] else "") + ": wrong on its own (fix it first)")
        lines += [f"    then {k[1]}.{k[2]} fails too, probably because of it" for k in failing if k != key and key in roots[k]]
    if lines:
        terminalreporter.write_sep("=", "nnconf: the real bugs first")
        for line in lines:
            terminalreporter.write_line(line)


def functions():
    """Every (suite, function) the harness checks, in suite order (a function checked under
    several variants, e.g. linear_activation_forward for relu and sigmoid, appears once)."""
    from nnconf.conformance.suites import FUNCTIONS

    return [(suite, name) for suite, names in FUNCTIONS.items() for name in names]


_STATE = {"next check": None, "target": None, "config": None}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """A TARGET that cannot be used, or none in a run of the checks, is one usage error, before
    anything is collected."""
    _STATE["config"] = config
    words = target_words(config)
    if not words:
        if _names_the_checks(config):
            raise pytest.UsageError(
                "nnconf: name the code to check with --nnconf-impl PATH (a folder, file, notebook or package; "
                "nnconf.impl for the bundled implementation) or the NNCONF_IMPL environment variable")
        return
    from nnconf.conformance.reading import loader

    try:
        _STATE["target"] = loader.parse_target(words)
    except loader.UsageError as exc:
        raise pytest.UsageError(f"--nnconf-impl {' '.join(words)}: {exc}") from None
    from nnconf.conformance.box import sandbox

    try:
        sandbox.choose(config.getoption("--nnconf-sandbox"))
    except sandbox.SandboxUnavailable as exc:
        raise pytest.UsageError(str(exc)) from None


def _names_the_checks(config):
    return any("nnconf.conformance.checks" in str(a) or os.path.join("conformance", "checks.py") in str(a)
               for a in config.args)


def pytest_generate_tests(metafunc):
    """The checks' parameters: each (suite, function), and its unit where the target holds several."""
    if metafunc.definition.name != "test_conforms" or "nnconf_check" not in metafunc.fixturenames:
        return
    target = _STATE.get("target")
    units = [u.unit for u in target.units()] if target is not None and target.parts else [None]
    metafunc.parametrize("nnconf_check", [
        pytest.param((s, f, u), id=f"{s}.{f}" + (f"@{u}" if u else "")) for u in units for s, f in functions()])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Remembers the suite of the check this process runs next (xdist hands each process its
    next test before the current one runs), so that its suite's worker can start early."""
    check = _check_of(nextitem.nodeid) if nextitem is not None else None
    _STATE["next check"] = (check[0], check[2]) if check else None
    yield


def pytest_pycollect_makemodule(module_path, parent):
    """The checks module, collected from outside the rootdir (an installed nnconf), gets a node id
    that selects it again: pytest's own would be ``""`` (or a path relative to an argument), and
    ``::test_conforms[deep.relu]`` selects nothing. Its dotted name, which ``--pyargs`` takes
    back, where pytest runs from its rootdir; else its absolute path (pytest shows node ids
    relative to the working folder, so it shows a path that works from there)."""
    if module_path.name != CHECKS.name or module_path.resolve() != CHECKS:
        return None
    config = parent.config
    try:
        module_path.relative_to(config.rootpath)
        return None  # inside the rootdir: pytest's own node id is a path that selects it
    except ValueError:
        pass
    if config.invocation_params.dir == config.rootpath:
        nodeid = CHECKS_MODULE
    else:
        nodeid = str(module_path).replace(os.sep, "/")
    return pytest.Module.from_parent(parent, path=module_path, nodeid=nodeid)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_logreport(report):
    """JUnit names a check's test case class ``nnconf.<suite>``, name ``<function>`` (its unit after
    ``@``), whatever its node id: the attributes are set on ``--junitxml``'s own record of the test
    (in the xdist controller, where the XML is written), before it takes the report."""
    config = _STATE.get("config")
    xml = _junit_xml(config) if config is not None else None
    if xml is None or not _is_a_check(report):
        return
    check = _check_of(report.nodeid)
    if check is None:
        return
    suite, function, unit = check
    reporter = xml.node_reporter(report)
    reporter.add_attribute("classname", ".".join(p for p in (xml.prefix, "nnconf", suite) if p))
    reporter.add_attribute("name", function + (f"@{unit}" if unit else ""))


def _junit_xml(config):
    """``--junitxml``'s writer of this run, or None (none asked, an xdist worker, another pytest)."""
    try:
        from _pytest.junitxml import xml_key
    except ImportError:  # pytest moved it: JUnit keeps pytest's own names
        return None
    return config.stash.get(xml_key, None)


def _is_a_check(report):
    """Whether a report is of ``test_conforms`` of the checks module (collected by name, or
    imported into a project's own test file): its location is that function's."""
    location = getattr(report, "location", None)
    return bool(location) and str(location[0]).replace("\\", "/").endswith("conformance/checks.py")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under ``-n N`` (xdist's ``load`` or ``loadgroup``) in a run of the checks, the checks go to
    the xdist processes in runs of consecutive functions of one suite (:func:`check_unit`), so that
    a suite's worker starts once per run, not once per test; other tests are distributed as before
    (one by one, or by their ``xdist_group``). A run that does not name the checks keeps xdist's
    own scheduling."""
    if config.getvalue("dist") not in ("load", "loadgroup") or not _names_the_checks(config):
        return None
    from xdist.scheduler import LoadGroupScheduling

    processes = len(config.getvalue("tx") or []) or 1

    class BySuite(LoadGroupScheduling):
        def _split_scope(self, nodeid):
            check = _check_of(nodeid)
            if not check:
                return super()._split_scope(nodeid)
            return check_unit(*check[:2], processes) + (f"@{check[2]}" if check[2] else "")

    return BySuite(config, log)


@functools.lru_cache(maxsize=None)
def check_unit(suite, function, processes):
    """The unit of work a check belongs to under ``-n processes``: its whole suite while there are
    about two units per process or fewer (7 suites; each unit pays one worker start), else runs of
    consecutive functions of the suite, so that many processes share the largest suites too."""
    names = functions()
    size = max(1, -(-len(names) // (2 * processes)))  # ceil(checks / 2N) functions a unit
    own = [f for s, f in names if s == suite]
    if len(own) <= size or function not in own:
        return f"nnconf:{suite}"
    return f"nnconf:{suite}:{own.index(function) // size}"


def _check_of(nodeid):
    """(suite, function, unit or None) of a node id ``...::test_conforms[suite.function]`` or
    ``[suite.function@unit]`` (xdist may add ``@group`` after it), else None."""
    head, _, params = nodeid.partition("::test_conforms[")
    params = params.rsplit("@", 1)[0] if "]@" in params else params
    if not params.endswith("]"):
        return None
    check, _, unit = params[:-1].partition("@")
    suite, _, function = check.partition(".")
    return suite, function, unit or None


def assert_conforms(runner, suite, function, item, unit=None):
    """Run the checks of one function (of one unit), record each check's figures, fail with the
    findings, give a warning as a pytest warning. Returns the reason to skip the test (the target
    does not implement the function or its suite), or None: the test skips with it, so that every
    such skip has the same place and words and ``-rs`` folds them into one line."""
    from nnconf.conformance.run import engine

    if suite not in runner.unit(unit).suites():
        records = [engine.not_implemented(suite, function, runner.require,
                                          f"{unit or runner.target.spec} does not implement the {suite} suite").to_json()]
    else:
        records = runner.check(suite, function, unit, _STATE["next check"])
    if item.config.getini("junit_family") != "xunit2":  # xunit2 has no properties per test case
        item.user_properties.extend((r["check"], _figures(r)) for r in records)
    bad = [r for r in records if r["status"] in ("fail", "error")]
    if bad:
        folder = runner.repro_folder()
        more = f"\n\n... {len(bad) - 5} more failing checks of {function}" if len(bad) > 5 else ""
        pytest.fail("\n\n".join(_failure_text({**r, "unit": unit}, folder) for r in bad[:5]) + more, pytrace=False)
    for r in records:
        if r["status"] == "warn":
            warnings.warn(ConformanceWarning(f"{suite}.{function} [{r['diagnosis']}] {r['message']}"), stacklevel=1)
    if records and all(r.get("diagnosis") == "api.missing" for r in records):
        return f"not implemented in {runner.target.spec}"
    return None


def _failure_text(record, folder=None, lines=12):
    """The finding, what to change, and the first lines of its repro (the whole repro in a file of
    ``folder``)."""
    parts = [f"[{record['diagnosis']}] {record['message']}"]
    if record.get("diagnosis_text"):
        parts.append(f"what to change: {record['diagnosis_text']}")
    repro = record.get("repro")
    if repro:
        shown = [line if len(line) <= 160 else line[:160] + " ..." for line in repro.splitlines()[:lines]]
        more = len(repro.splitlines()) - lines
        where = _write_repro(folder, record, repro) if folder is not None else None
        parts.append("repro:\n" + "\n".join(shown) + (f"\n# ... {more} more lines" if more > 0 else "")
                     + (f"\n# the whole repro: {where}" if where else ""))
    return "\n".join(parts)


def _write_repro(folder, record, repro):
    """Write ``repro`` into a new file of ``folder`` named after the check; its path, or why not.
    The file is created exclusively (O_EXCL: a name already there, a link included, is never
    opened, never followed); a taken name gets a number."""
    stem = ".".join(str(p) for p in (record.get("unit"), record["suite"], record["function"], record["check"]) if p)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("._")[:120] or "repro"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    for n in range(1, 100):
        path = os.path.join(folder, stem + (f"-{n}" if n > 1 else "") + ".py")
        try:
            handle = os.open(path, flags, 0o600)
        except FileExistsError:
            continue
        except OSError as exc:
            return f"(not written: {exc.strerror})"
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(repro + "\n")
        return path
    return "(not written: too many repros of one name)"


def _figures(record):
    parts = [record["status"]]
    for key in ("diagnosis", "max_abs_err", "max_rel_err", "expected_shape", "actual_shape"):
        if record.get(key) is not None:
            parts.append(f"{key}={record[key]}")
    return " ".join(str(p) for p in parts)
