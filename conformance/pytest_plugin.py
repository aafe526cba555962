"""pytest front door (entry point ``pytest11``): the same checks as ``nnconf check``.

    pytest --pyargs nnconf.conformance.checks --nnconf-impl path/to/my_code [--nnconf-profile thorough]

``--nnconf-impl`` takes the CLI's TARGET forms (repeatable); without it, the ``NNCONF_IMPL``
environment variable (space-separated), then the bundled implementation. One test per function of
every suite; a function the target does not implement is skipped ("not implemented"), or fails
with ``--nnconf-require``. Each check's figures go into ``--junitxml`` as properties. Works under
``pytest -n 2``: every xdist worker keeps one isolated worker process per suite. The options are
prefixed so that they never collide with a project's own ``--impl``.
"""

import os
import tempfile
import warnings

import pytest


class ConformanceWarning(UserWarning):
    """A finding of level ``warn``: right on ordinary inputs, fragile at an edge."""


def pytest_addoption(parser):
    from nnconf.conformance import sandbox

    group = parser.getgroup("nnconf", "nnconf conformance checks")
    group.addoption("--nnconf-impl", action="append", default=[], metavar="TARGET",
                    help="implementation to check: folder, file, notebook, SUITE=PATH or package (repeatable)")
    group.addoption("--nnconf-profile", choices=("fast", "thorough"), default="fast")
    group.addoption("--nnconf-seed", type=int, default=0)
    group.addoption("--nnconf-require", action="store_true", help="a function the target does not implement fails")
    group.addoption("--nnconf-sandbox", choices=sandbox.MODES, default=sandbox.default_mode(),
                    help="box the code under check with bubblewrap (as nnconf check --sandbox)")


class Runner:
    """Runs contracts of one target; one isolated worker per suite, started on first use."""

    def __init__(self, target_words, profile, seed, require=False, sandbox="auto"):
        from nnconf.conformance import loader
        from nnconf.conformance.cache import Cache
        from nnconf.conformance.worker import Limits

        self.target = loader.parse_target(target_words)
        self.profile, self.seed, self.require = profile, seed, require
        self.limits = Limits(sandbox=sandbox)
        self.cache = Cache.default()
        self.workers = {}
        self.warned = False  # the run's NOT SANDBOXED warning, given once

    def worker(self, suite):
        """The suite's worker; in one process (not under xdist, where another process may get
        the next suite), the next suite's worker is started too, to load while this one checks."""
        worker = self._worker(suite)
        if worker.box.warning and not self.warned:
            self.warned = True
            warnings.warn(ConformanceWarning(worker.box.warning), stacklevel=1)
        suites = list(self.target.suites())
        if not _STATE["xdist worker"] and suite in suites and suites.index(suite) + 1 < len(suites):
            self._worker(suites[suites.index(suite) + 1]).start()
        return worker

    def _worker(self, suite):
        from nnconf.conformance.worker import Worker

        if suite not in self.workers:
            self.workers[suite] = Worker(self.target, suite, seed=self.seed, limits=self.limits)
        return self.workers[suite]

    def check(self, suite, function):
        from nnconf.conformance import engine
        from nnconf.conformance.suites import contracts

        chosen = [c for c in contracts(suite) if c.name == function]
        records = engine.run_suite(self.worker(suite), self.target, suite, chosen, self.profile, self.seed,
                                   require=self.require, cache=self.cache)
        return [r.to_json() for r in records]

    def close(self):
        for worker in self.workers.values():
            worker.close()


def target_words(config):
    words = config.getoption("--nnconf-impl")
    if not words and os.environ.get("NNCONF_IMPL"):
        words = os.environ["NNCONF_IMPL"].split()
    return words


@pytest.fixture(scope="session")
def nnconf_runner(request):
    """The session's :class:`Runner` for the target named by ``--nnconf-impl`` / ``NNCONF_IMPL``."""
    option = request.config.getoption
    runner = Runner(target_words(request.config), option("--nnconf-profile"), option("--nnconf-seed"),
                    option("--nnconf-require"), option("--nnconf-sandbox"))
    yield runner
    runner.close()


def functions():
    """Every (suite, function) the harness checks, in suite order (a function checked under
    several variants, e.g. linear_activation_forward for relu and sigmoid, appears once)."""
    from nnconf.conformance.suites import FUNCTIONS

    return [(suite, name) for suite, names in FUNCTIONS.items() for name in names]


_STATE = {"xdist worker": False}


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """A TARGET that cannot be used is one usage error, before anything is collected. Under
    ``-n N``, the checks of one suite stay in one xdist process (its tests carry an ``xdist_group``
    mark; plain ``load`` becomes ``loadgroup``, which distributes unmarked tests as before), so
    each suite's worker starts once, not once per process."""
    _STATE["xdist worker"] = hasattr(config, "workerinput")
    if getattr(config.option, "dist", None) == "load":
        config.option.dist = "loadgroup"
    words = target_words(config)
    if not words:
        return
    from nnconf.conformance import loader

    try:
        loader.parse_target(words)
    except loader.UsageError as exc:
        raise pytest.UsageError(f"--nnconf-impl {' '.join(words)}: {exc}") from None
    from nnconf.conformance import sandbox

    try:
        sandbox.choose(config.getoption("--nnconf-sandbox"))
    except sandbox.SandboxUnavailable as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_logreport(report):
    """JUnit names a check ``nnconf.<suite>`` / ``<function>``: while its report is logged (not in
    an xdist worker, which reports to the controller by node id) its node id reads
    ``nnconf/<suite>.py::<function>``."""
    original = report.nodeid
    suite_function = _check_of(original)
    if suite_function is not None and not _STATE["xdist worker"]:
        report.nodeid = f"nnconf/{suite_function[0]}.py::{suite_function[1]}"
    try:
        yield
    finally:
        report.nodeid = original


def _check_of(nodeid):
    """(suite, function) of a node id ``...::test_conforms[suite.function]``, else None."""
    head, _, params = nodeid.partition("::test_conforms[")
    if not params.endswith("]"):
        return None
    suite, _, function = params[:-1].partition(".")
    return suite, function


def assert_conforms(runner, suite, function, item):
    """Run the checks of one function, record each check's figures, fail with the findings; a
    function or suite the target does not implement is a skip, a warning a pytest warning."""
    from nnconf.conformance import engine

    if suite not in runner.target.suites():
        records = [engine.not_implemented(suite, function, runner.require,
                                          f"{runner.target.spec} does not implement the {suite} suite").to_json()]
    else:
        records = runner.check(suite, function)
    if item.config.getini("junit_family") != "xunit2":  # xunit2 has no properties per test case
        item.user_properties.extend((r["check"], _figures(r)) for r in records)
    bad = [r for r in records if r["status"] in ("fail", "error")]
    if bad:
        pytest.fail("\n\n".join(_failure_text(r) for r in bad[:5])
                    + (f"\n\n... {len(bad) - 5} more failing checks of {function}" if len(bad) > 5 else ""), pytrace=False)
    for r in records:
        if r["status"] == "warn":
            warnings.warn(ConformanceWarning(f"{suite}.{function} [{r['diagnosis']}] {r['message']}"), stacklevel=1)
    if records and all(r.get("diagnosis") == "api.missing" for r in records):
        pytest.skip(records[0]["message"])


def _failure_text(record, lines=12):
    """The finding, what to change, and the first lines of its repro (the whole repro in a file)."""
    parts = [f"[{record['diagnosis']}] {record['message']}"]
    if record.get("diagnosis_text"):
        parts.append(f"what to change: {record['diagnosis_text']}")
    repro = record.get("repro")
    if repro:
        folder = os.path.join(tempfile.gettempdir(), "nnconf-repro")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{record['suite']}.{record['function']}.{record['check']}.py".replace(":", "_").replace("@", "_"))
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(repro + "\n")
        shown = [line if len(line) <= 160 else line[:160] + " ..." for line in repro.splitlines()[:lines]]
        more = len(repro.splitlines()) - lines
        parts.append("repro:\n" + "\n".join(shown) + (f"\n# ... {more} more lines" if more > 0 else "")
                     + f"\n# the whole repro: {path}")
    return "\n".join(parts)


def _figures(record):
    parts = [record["status"]]
    for key in ("diagnosis", "max_abs_err", "max_rel_err", "expected_shape", "actual_shape"):
        if record.get(key) is not None:
            parts.append(f"{key}={record[key]}")
    return " ".join(str(p) for p in parts)
