"""pytest front door (entry point ``pytest11``): the same checks as ``nnconf check``.

    pytest --pyargs nnconf.conformance.checks --impl path/to/my_code [--conformance-profile thorough]

``--impl`` takes the CLI's TARGET forms (repeatable); without it, the ``NNCONF_IMPL`` environment
variable (space-separated), then the bundled ``impl``. One test per function of every suite; each
check's figures go into ``--junitxml`` as properties. Works under ``pytest -n 2``: every xdist
worker keeps one isolated worker process per suite.
"""

import os

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("nnconf", "nnconf conformance checks")
    group.addoption("--impl", action="append", default=[], metavar="TARGET",
                    help="implementation to check: dotted package, folder, or SUITE=FILE.py (repeatable)")
    group.addoption("--conformance-profile", choices=("fast", "thorough"), default="fast")
    group.addoption("--conformance-seed", type=int, default=0)


class Runner:
    """Runs contracts of one target; one isolated worker per suite, started on first use."""

    def __init__(self, target_words, profile, seed):
        from nnconf.conformance import loader

        self.target = loader.parse_target(target_words)
        self.profile, self.seed = profile, seed
        self.workers = {}
        self.suite_errors = {}

    def worker(self, suite):
        from nnconf.conformance import engine, probes
        from nnconf.conformance.worker import Worker

        if suite not in self.workers:
            self.workers[suite] = Worker(self.target, suite, seed=self.seed)
            outcome = self.workers[suite].call(probes.module_names)
            if not outcome.ok:
                self.suite_errors[suite] = engine.run_suite(self.workers[suite], self.target, suite, [], self.profile, self.seed)
        return self.workers[suite]

    def check(self, suite, function):
        from nnconf.conformance import engine
        from nnconf.conformance.suites import contracts

        worker = self.worker(suite)
        if suite in self.suite_errors:
            return [r.to_json() for r in self.suite_errors[suite]]
        chosen = [c for c in contracts(suite) if c.name == function]
        return [r.to_json() for r in engine.run_suite(worker, self.target, suite, chosen, self.profile, self.seed)]

    def close(self):
        for worker in self.workers.values():
            worker.close()


def target_words(config):
    words = config.getoption("--impl")
    if not words and os.environ.get("NNCONF_IMPL"):
        words = os.environ["NNCONF_IMPL"].split()
    return words or ["impl"]


@pytest.fixture(scope="session")
def nnconf_runner(request):
    """The session's :class:`Runner` for the target named by ``--impl`` / ``NNCONF_IMPL``."""
    runner = Runner(target_words(request.config), request.config.getoption("--conformance-profile"),
                    request.config.getoption("--conformance-seed"))
    yield runner
    runner.close()


def functions():
    """Every (suite, function) the harness checks, in suite order (a function checked under
    several variants, e.g. linear_activation_forward for relu and sigmoid, appears once)."""
    from nnconf.conformance.loader import SUITES
    from nnconf.conformance.suites import contracts

    seen = []
    for suite in SUITES:
        for contract in contracts(suite):
            if (suite, contract.name) not in seen:
                seen.append((suite, contract.name))
    return seen


def assert_conforms(runner, suite, function, record_property):
    """Run the checks of one function, record each check's figures, fail with the findings."""
    if suite not in runner.target.suites():
        pytest.skip(f"suite {suite} is not part of --impl {runner.target.spec}")
    records = runner.check(suite, function)
    for r in records:
        record_property(r["check"], _figures(r))
    bad = [r for r in records if r["status"] in ("fail", "error")]
    if bad:
        pytest.fail("\n\n".join(f"[{r['diagnosis']}] {r['message']}" + (f"\nrepro:\n{r['repro']}" if r.get("repro") else "")
                                for r in bad), pytrace=False)


def _figures(record):
    parts = [record["status"]]
    for key in ("diagnosis", "max_abs_err", "max_rel_err", "expected_shape", "actual_shape"):
        if record.get(key) is not None:
            parts.append(f"{key}={record[key]}")
    return " ".join(str(p) for p in parts)
