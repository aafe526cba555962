"""The engine: every contract of every suite through the same fixed stages, one record per check.

:class:`ContractRun` draws a contract's cases and puts each through :data:`stages.CASE_STAGES`
(smoke, NumPy untouched, structure, type, shape, values against PyTorch and autograd, saturation,
determinism, inputs unchanged, finite differences), then :data:`stages.CONTRACT_STAGES`; it turns
the observations into records: one per (stage, quantity), a failing one naming the first case
that fails and the bug class. :func:`run` checks a whole target, unit by unit, suite by suite,
each suite in its own worker, with the training curves of :mod:`training`.
"""

import functools
import math
import os
import re
import sys
import time
from typing import NamedTuple

import numpy as np

from nnconf.conformance.box import numpy2, probes
from nnconf.conformance.box.probes import layers as layer_probes
from nnconf.conformance.box.protocol import NOT_APPLICABLE, probe_name
from nnconf.conformance.judging import severity
from nnconf.conformance.judging.bug_classes import explain
from nnconf.conformance.judging.records import STAGE_WORDS, STAGES, Record
from nnconf.conformance.reading import loader, sources
from nnconf.conformance.reading.sources import module_name
from nnconf.conformance.run import stages
from nnconf.conformance.run.cache import Cache, Memo
from nnconf.conformance.suites.dependencies import REQUIRES, note_likely_causes, waits_for
from nnconf.conformance.suites.strategies import PROFILES, draw_examples


class ContractRun:
    """Runs one contract on its cases and turns the observations into records."""

    require = False  # --require: a case that could not run for want of another function is a fail, not a skip

    def __init__(self, worker, contract, profile, seed, import_line, memo=None):
        self.worker, self.contract = worker, contract
        self.memo = memo or Memo()  # the reference side, from the cache where it was computed before
        self.profile, self.seed, self.import_line = PROFILES[profile], seed, import_line
        self.observations = {}  # (stage, quantity) -> [Observation]
        self.stop = False
        self.notes = []
        self.alias = None  # the name the target used instead of the SPEC's (document 000's)
        self.conventions = {}  # accepted convention -> the first case it was seen on
        self.reached = set()  # (qualified name, file) of every function the checked calls reached

    # -- collecting ------------------------------------------------------------------------

    def observe(self, stage, quantity, obs):
        self.observations.setdefault((stage, quantity), []).append(obs)

    def cases(self):
        return self.memo.get("cases", self.draw_cases)

    def draw_cases(self):
        c = self.contract
        examples = draw_examples(c.examples(), count=self.profile["examples"], seed=self.seed)
        cases = [c.build(example, "random") for example in examples]
        largest = max(examples, key=_volume)  # pinned cases on the roomiest example: both signs, zeros, ...
        cases += [c.build(largest, label) for label in c.labels if label != "random"]
        cases = [case for case in cases if case is not None]
        for case in cases:
            case.seed = self.seed
        return cases

    def run(self):
        for case in self.cases():
            if self.stop:
                break
            self.run_case(case)
        for stage in stages.CONTRACT_STAGES:
            if self.stop:
                break
            stage(self)
        return self.records()

    def run_case(self, case):
        """``case`` through the stages of :data:`stages.CASE_STAGES`, in order, until one stops it."""
        outcome, data = self.contract.run(self.worker, case)
        call = stages.Call(case, outcome, data)
        for stage in stages.CASE_STAGES:
            if stage(self, call) is stages.STOP:
                break

    def plausible_skip(self, outcome):
        """Whether a condition the worker reported fits the unit's files (see :func:`_plausible_skip`)."""
        return _plausible_skip(self.worker, self.contract, outcome)

    # -- records ---------------------------------------------------------------------------

    def repro(self, case):
        lines = [self.import_line(self.contract.name.split(".")[0])]
        for arg_name, value in zip(case.arg_names, list(case.args) + list(case.kwargs.values())):
            lines.append(f"{arg_name} = {_literal(value)}")
        lines.append(self.contract.call_text(case))
        return "\n".join(lines)

    def records(self):
        c = self.contract
        out = []
        keys = sorted(self.observations, key=lambda k: (STAGES.index(k[0]), _quantity_order(k[1])))
        first_layer = _first_divergent_layer(self.observations)
        for stage, quantity in keys:
            observations = self.observations[(stage, quantity)]
            levels = {id(o): severity.level(stage, quantity, o.case, o.diagnosis, o.status) for o in observations}
            bad = [o for o in observations if levels[id(o)][0] in ("fail", "error")] or [
                o for o in observations if levels[id(o)][0] == "warn"]  # a warning only where nothing fails
            specific = [o for o in bad if o.diagnosis not in (None, "value.wrong")]  # the most specific class wins
            chosen = (specific or bad)[0] if bad else max(
                observations, key=lambda o: (o.comparison.max_abs_err or 0) if o.comparison is not None and o.comparison.max_abs_err is not None else -1)
            status, rule = levels[id(chosen)] if bad else (
                "skip" if all(o.status == "skip" for o in observations) else "pass", None)
            comparison = chosen.comparison
            record = Record(
                suite=c.suite, function=c.name,
                check=f"{stage}:{quantity or c.name}@{chosen.case}",
                stage=stage, status=status, quantity=quantity, layer=chosen.layer, case=chosen.case,
                diagnosis=chosen.diagnosis if bad else None,
                diagnosis_text=explain(chosen.diagnosis) if bad else None,
                tolerance=chosen.tolerance, reference=chosen.reference,
                repro=self.repro(chosen.source) if bad and chosen.source is not None else None,
            )
            if comparison is not None:
                record.expected_shape = _list(comparison.expected_shape)
                record.actual_shape = _list(comparison.actual_shape)
                if comparison.shape_ok and comparison.max_abs_err is not None:
                    record.max_abs_err = comparison.max_abs_err
                    record.max_rel_err = comparison.max_rel_err
                    record.worst_index = _list(comparison.worst_index)
                    record.expected_value = comparison.expected_value
                    record.actual_value = comparison.actual_value
            record.message = self.message(record, chosen, len(observations), first_layer)
            if rule is not None:
                record.extra["rule"] = rule.name
                record.message = f"warning ({rule.name}: {rule.why}): {record.message}"
            if self.alias and record.repro:
                top = c.name.split(".")[0]
                record.repro = record.repro.replace(f"import {top}", f"import {self.alias}").replace(
                    f"out = {top}(", f"out = {self.alias}(")
            out.append(record)
        for text, case_label in self.conventions.items():
            out.append(Record(
                suite=c.suite, function=c.name, check=f"convention:{c.name}@{case_label}", stage="value",
                status="note", case=case_label,
                message=f"{c.name}: follows an accepted convention of a course version: {text}; judged by it"))
        return out

    def message(self, record, obs, count, first_layer):
        c = self.contract
        what = record.quantity or "the call"
        if record.status == "pass":
            text = f"{c.name}: {what} passes {record.stage} on {count} case(s)"
            if self.notes and record.stage == "smoke":
                text += f" (noted, not failed: {' | '.join(self.notes[:3])})"
            if self.alias and record.stage == "smoke":
                text += f" (found under the older name `{self.alias}`)"
            return text
        if record.status == "skip":
            return f"{c.name}: {record.stage} skipped: {obs.detail}"
        parts = [f"{c.name}: {what} {STAGE_WORDS.get(record.stage, record.stage)} [stage {record.stage}, case {obs.case}]"]
        if obs.detail:
            parts.append(obs.detail)
        if record.expected_shape is not None or record.actual_shape is not None:
            parts.append(f"expected shape {_shape_text(record.expected_shape)}, got {_shape_text(record.actual_shape)}")
        if record.worst_index is not None and record.max_abs_err is not None:
            parts.append(
                f"worst element {tuple(record.worst_index)}: expected {record.expected_value:.8g}, "
                f"got {record.actual_value:.8g} (max abs err {record.max_abs_err:.3g}, max rel err {record.max_rel_err:.3g})")
        if record.diagnosis:
            parts.append(f"looks like {record.diagnosis}")
        if first_layer is not None and record.quantity == first_layer:
            parts.append("this is the first quantity that diverges, walking backward from the output")
        return "; ".join(parts)


# The probes that build a check on another function of the target's, and so may report a precondition.
_WAITING_PROBES = frozenset(map(probe_name, (probes.chain_deep_backward, layer_probes.net_call_probe)))
# The names a probe looks up itself, beside the function checked: a missing one of these is a skip
# (the probe could not build its case); any other missing name is the target's own doing.
_LOOKS_UP = {
    probe_name(probes.chain_deep_backward): ("L_model_forward",),
    **{probe_name(p): ("TwoLayerNet",) for p in (layer_probes.net_call_probe, layer_probes.net_init_probe,
                                                   layer_probes.net_form_probe)},
    probe_name(layer_probes.numerical_gradient_probe): ("numerical_gradient",),
}


def _plausible_skip(worker, contract, outcome):
    """Whether a harness condition fits what the harness knows itself: one the harness gave from
    data (``NOT_APPLICABLE``) holds unless the function it names passed all its own checks in this
    worker; a precondition the worker reported comes from a probe that builds on another function
    (``_WAITING_PROBES``), waits for the function this contract's probes build on (``WAITS_FOR``),
    and that function did not pass all its own checks here (it failed, was skipped for a helper
    file that is not there, or was not checked: ``--function``); a missing name is the function's
    own or one the probe looks up itself (``_LOOKS_UP``), and the unit's files do not define it; an
    unavailable name is one an import of theirs binds (or a star import may) and the function can
    reach through their definitions (``sources.reachable``). Else the skip is the target's doing
    (it can call the harness's own code in its process, or write on its socket) and the call is its
    crash."""
    suite = contract.suite
    if outcome.error_type == "Precondition" and outcome.condition == NOT_APPLICABLE:  # the harness's own, from data
        return outcome.needs not in worker.clean
    if outcome.error_type == "Precondition":
        return outcome.asked in _WAITING_PROBES and outcome.needs == waits_for(contract.name) \
            and outcome.needs not in worker.clean
    top = contract.name.split(".")[0]
    if outcome.error_type == "MissingName" and outcome.missing not in (top, *_LOOKS_UP.get(outcome.asked, ())):
        return False
    scans = [scan for _, scan in _unit_scans(worker.target, suite)]
    if not scans:
        return True  # a package or a kernel's functions: nothing the harness reads to hold it against
    defined = set().union(*(s.defined for s in scans))
    if outcome.error_type == "MissingName":
        return outcome.missing not in defined
    named = re.match(r"`(\w+)`", outcome.error or "")
    return bool(named) and named.group(1) not in defined and any(
        named.group(1) in s.imported or s.star for s in scans) and named.group(1) in _reachable(scans, suite, top)


def _reachable(scans, suite, top):
    """The names the function ``top`` can reach through the unit's own definitions, under the name
    the files define it under (an older name of the documents, ``L_Model_Forward``, or a name as
    learners write it: ``loader.defined_under``)."""
    defined = set().union(*(s.defined for s in scans))
    return sources.reachable(scans, loader.defined_under(suite, top, defined) or top)


def _volume(example):
    """The product of the sizes in an example (ints, nested in tuples and lists)."""
    if isinstance(example, (tuple, list)):
        return math.prod(_volume(e) for e in example) if example else 1
    return example if isinstance(example, int) else 1


def _quantity_order(quantity):
    if quantity is None:
        return (-1, "")
    layer = stages.layer_of(quantity)
    return (0 if layer is None else 1, -(layer or 0), quantity)


def _first_divergent_layer(observations):
    """The first failing per-layer quantity walking backward from the output (highest layer first)."""
    failing = [
        (obs.layer, key[1]) for key, group in observations.items() if key[0] == "layer"
        for obs in group if obs.status == "fail" and obs.layer is not None
    ]
    if not failing:
        return None
    kind_order = {"W": 0, "b": 1, "A": 2}
    return sorted(failing, key=lambda x: (-x[0], kind_order.get(x[1][1:2], 3), x[1]))[0][1]


def _shape_text(shape):
    return "n/a" if shape is None else str(tuple(shape))


def _list(value):
    return None if value is None else [int(v) for v in value]


def _literal(value):
    """Python source that rebuilds ``value`` exactly (arrays up to 200 elements)."""
    if isinstance(value, np.ndarray):
        if value.size > 200:
            return f"np.zeros({value.shape})  # {value.size} values elided: see the JSON record's case"
        body = np.array2string(value, separator=", ", threshold=10**6, floatmode="unique", max_line_width=120)
        return f"np.array({body}, dtype=np.{value.dtype})"
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    return repr(value)


def import_line(target, suite, name):
    """The lines a repro snippet starts with: numpy, and ``name`` from the target's own file."""
    if target.kind == "package":
        return f"import numpy as np\nfrom {target.package}.{suite} import {name}"
    if target.kind == "objects":
        return f"# in the notebook that defines {name}\nimport numpy as np"
    source = target.sources[suite]
    path = source.names.get(name, source.primary)
    if path.endswith(".ipynb"):
        return (f"# run in {os.path.basename(path)}, after the cell that defines {name}"
                f" (or import it from where it is defined)\nimport numpy as np")
    module, base = module_name(path)
    return f"import sys; sys.path.insert(0, {base!r})\nimport numpy as np\nfrom {module} import {name}"


# --- the whole run ------------------------------------------------------------------------------


def run(target, suites=None, profile="fast", seed=0, timeout=10.0, progress=None, training=True,
        functions=None, jobs=1, require=False, limits=None, cache=None, early=None):
    """Check ``target`` (a loader.Target) on ``suites``, unit by unit; returns the results document.

    Each unit (a file that holds a suite on its own: see loader.Target.units) is checked as
    :func:`run_unit` checks it, and every record names its unit (``unit``). A function that two
    units reach in the same file and line (a helper both import) is checked under the first and
    named under the others, never reported twice.
    """
    units = target.units()
    start = time.perf_counter()
    documents, checked = [], {}
    for i, unit in enumerate(units):
        if progress is not None and hasattr(progress, "unit") and len(units) > 1:
            progress.unit(unit.label())
        own = suites if len(units) == 1 else [s for s in (suites or loader.SUITES) if s in unit.suites()]
        document = run_unit(unit, own, profile, seed, timeout, progress, training, functions, jobs, require,
                            limits, cache, early if i == 0 else None)
        name = unit.unit or target.spec
        kept, shared = [], set()
        for record in document["records"]:
            source = record.get("source")
            first = checked.setdefault((record["suite"], record["function"], source), name) if source else name
            if first == name:
                kept.append({**record, "unit": name})
            else:
                shared.add(f"{record['suite']}.{record['function']} (the same code, checked under {first})")
        document["records"], document["meta"]["shared"] = kept, sorted(shared)
        document["curves"] = [{**c, "unit": name} if isinstance(c, dict) else c for c in document["curves"]]
        documents.append((unit, document))
    return _merged(target, documents, time.perf_counter() - start, suites, require, functions)


def _merged(target, documents, duration, suites, require, functions):
    """One results document from the units' documents."""
    if len(documents) == 1 and not target.parts:
        document = documents[0][1]
        document["meta"]["units"] = [_unit_meta(*documents[0])]
        return document
    records = _without_missing_elsewhere([r for _, d in documents for r in d["records"]])
    wanted = [s for s in (suites or loader.SUITES) if functions is None or contract_names(s, functions)]
    for suite in wanted:
        if suite not in target.suites():
            records += [{**not_implemented(suite, name, require, f"{target.spec} does not implement the {suite} suite")
                        .to_json(), "unit": None} for name in contract_names(suite, functions)]
    meta = {**documents[0][1]["meta"], "requested": wanted, "target": target.spec, "sources": target.describe(),
            "suites": [s for s in loader.SUITES if any(s in d["meta"]["suites"] for _, d in documents)],
            "duration_s": round(duration, 3), "units": [_unit_meta(u, d) for u, d in documents]}
    return {"meta": meta, "records": records, "curves": [c for _, d in documents for c in d["curves"]],
            "planar": next((d["planar"] for _, d in documents if d["planar"]), documents[0][1]["planar"])}


def _without_missing_elsewhere(records):
    """The records less the "not implemented" ones of a function that another unit implements (a
    learner's one-function-per-file folder: each file is a unit, none lacks what another holds)."""
    present = {(r["suite"], r["function"]) for r in records if r.get("diagnosis") != "api.missing"}
    return [r for r in records if not (r.get("diagnosis") == "api.missing" and r["status"] in ("skip", "fail")
                                       and r["stage"] == "api" and (r["suite"], r["function"]) in present)]


def _unit_meta(unit, document):
    return {"unit": unit.unit or unit.spec, "copy_of": unit.copy_of, "suites": document["meta"]["suites"],
            "course_version": unit.course_version, "version_evidence": unit.version_evidence,
            "shared": document["meta"].get("shared", [])}


def run_unit(target, suites=None, profile="fast", seed=0, timeout=10.0, progress=None, training=True,
             functions=None, jobs=1, require=False, limits=None, cache=None, early=None):
    """Check one unit ``target`` (a loader.Target without parts) on ``suites``; returns its results document.

    The work is a list of tasks (the checks of a suite, a training curve, the planar sweep), each
    with its own isolated worker; ``jobs`` > 1 runs them in that many processes at once. A suite
    or function the target does not implement is a ``skip`` (``api.missing``, "not implemented"),
    a ``fail`` with ``require``. ``limits`` (a worker.Limits) bounds each worker's memory and files
    and the whole run's time.
    """
    import datetime
    import platform

    start = time.perf_counter()
    wanted = list(loader.SUITES if suites is None else suites)
    if functions is not None:  # the suites holding those functions; no curves for a choice of functions
        wanted, training = [s for s in wanted if contract_names(s, functions)], False
    suites = [s for s in wanted if s in target.suites()]
    from nnconf.conformance.box.worker import Limits, box_of

    limits = limits or Limits()
    box = box_of(target, limits)
    tasks = plan(suites, training)
    cache = cache or Cache.default()
    if box.mode == "none":
        cache.distrust_from_now()  # the code under check will run unboxed: it can sign entries with the key
    results = _run_tasks(target, tasks, profile, seed, timeout, functions, jobs, progress, require, limits, cache, early)
    from nnconf.conformance.run.training import merge_planar

    records, curves, planar = [], [], []
    for suite in wanted:
        if suite not in suites:
            records += [not_implemented(suite, name, require, f"{target.spec} does not implement the {suite} suite").to_json()
                        for name in contract_names(suite, functions)]
    for task_records, task_curves, task_planar in results:
        records += task_records
        curves += task_curves
        planar.append(task_planar)
    note_likely_causes(records)
    for record in records:
        record["sandbox"] = box.mode
    return {
        "meta": {
            "sandbox": box.mode,
            "sandbox_warning": box.warning,
            "target": target.spec,
            "target_kind": target.kind,
            "sources": target.describe(),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "versions": _versions(platform.python_version()),
            "seed": seed,
            "profile": profile,
            "suites": list(suites),
            "requested": wanted,
            "duration_s": round(time.perf_counter() - start, 3),
            "jobs": jobs,
        },
        "records": records,
        "curves": curves,
        "planar": merge_planar(planar),
    }


class Task(NamedTuple):
    """A unit of work with its own worker: ``kind`` "checks", "curve" or "planar sweep", of
    ``suite``; ``part`` the hidden size of a planar sweep task."""

    kind: str
    suite: str
    part: object = None


def plan(suites, training):
    """The tasks of a run, longest first (so that parallel jobs finish together): the planar
    curve (10,000 lockstep iterations), the planar sweep split into one task per hidden size, the
    other curves, the checks."""
    if not training:
        return [Task("checks", s) for s in suites]
    from nnconf.conformance.run.training import HIDDEN_SIZES, SYSTEMS

    tasks = []
    if training:
        tasks += [Task("curve", s) for s in SYSTEMS if s in suites and s == "shallow"]
    if training and "shallow" in suites:
        tasks += [Task("planar sweep", "shallow", n_h) for n_h in sorted(HIDDEN_SIZES, reverse=True)]
    if training:
        tasks += [Task("curve", s) for s in SYSTEMS if s in suites and s != "shallow"]
    return tasks + [Task("checks", s) for s in suites]


def _run_tasks(target, tasks, profile, seed, timeout, functions, jobs, progress, require, limits, cache, early=None):
    """Each task's (records, curves, planar), in the order of ``tasks``. ``early``: a worker the
    caller started already for the first task's suite (it loaded while the caller went on)."""
    arguments = [(target, task, profile, seed, timeout, functions, require, limits, cache) for task in tasks]
    if jobs <= 1:
        from nnconf.conformance.box.worker import Worker

        # each task's worker is started while the task before it runs: its start-up (a fresh
        # Python in its box) overlaps with the work instead of adding to it
        workers = [Worker(target, task[1], seed=seed, timeout=timeout, limits=limits) for task in tasks]
        if early is not None and tasks and tasks[0] == Task("checks", early.suite):
            workers[0], early = early, None
        results = []
        for i, (task, args) in enumerate(zip(tasks, arguments)):
            if i + 1 < len(workers):
                workers[i + 1].start()
            results.append(run_task(*args, progress=progress, worker=workers[i]))  # the checks report as they go
        if early is not None:
            early.close()
            if progress and task[0] != "checks" and results[-1][0]:
                progress(task[1], task[0], results[-1][0])
        return results
    import concurrent.futures
    import multiprocessing

    # fork where PyTorch is not loaded (a warm run never loads it): the job processes start at once,
    # with everything imported; spawn where it is (it must not be forked after it started threads)
    context = multiprocessing.get_context("spawn" if "torch" in sys.modules else "fork")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context) as pool:
        futures = {pool.submit(run_task, *args): task for task, args in zip(tasks, arguments)}
        for future in concurrent.futures.as_completed(futures):
            if progress:
                _progress_of_task(progress, futures[future], future.result()[0])
        return [future.result() for future in futures]


def _progress_of_task(progress, task, records):
    kind, suite = task.kind, task.suite
    if kind != "checks":
        if records:
            progress(suite, kind, records)
        return
    by_function = {}
    for record in records:
        by_function.setdefault(record["function"], []).append(record)
    for function, found in by_function.items():
        progress(suite, function, found)


def run_task(target, task, profile, seed, timeout, functions, require=False, limits=None, cache=None, progress=None,
             worker=None):
    """One unit of work in its own worker process for the target (``worker``, or a new one; closed
    at the end): (records, curves, planar)."""
    from nnconf.conformance.box import probes
    from nnconf.conformance.box.worker import Limits, Worker
    from nnconf.conformance.run import training
    from nnconf.conformance.suites import contracts

    kind, suite, part = task

    with worker or Worker(target, suite, seed=seed, timeout=timeout, limits=limits or Limits()) as worker:
        if kind == "checks":
            chosen = [c for c in contracts(suite) if functions is None or c.name in functions]
            records = run_suite(worker, target, suite, chosen, profile, seed, progress, require, cache)
            return [r.to_json() for r in records], [], None
        needs = REQUIRES[suite if kind == "curve" else "planar sweep"]
        inventory = worker.call(probes.inventory, suite, needs)
        if not inventory.ok:
            return [], [], None  # the suite's checks report why its code does not load
        absent = [name for name in needs if not inventory.value["implemented"][name]]
        if absent and part not in (None, max(training.HIDDEN_SIZES)):
            return [], [], None  # the sweep's first part says it once
        if absent:
            return [Record(suite=suite, function=f"training ({kind})", check=f"training:{kind}", stage="training",
                           status="skip", message=f"{kind} not run: needs {', '.join(absent)}, not implemented").to_json()], [], None
        try:
            cache = cache or Cache.default()
            if kind == "curve":
                curve, record = training.run_curve(worker, suite, profile, cache.named(suite, "training curve", profile, 0))
                return [record.to_json()], [curve], None
            return [], [], training.run_planar(worker, profile, (part,), cache.named(suite, "planar sweep", profile, 0))
        except Exception as exc:  # noqa: BLE001 - the other tasks' results must survive
            return [Record(suite=suite, function=f"training ({kind})", check=f"harness:{kind}", stage="training",
                           status="error", message=f"internal error of the harness in the {kind}: {exc!r}").to_json()], [], None


def run_suite(worker, target, suite, contracts, profile, seed, progress=None, require=False, cache=None):
    """Records of one suite: each contract of a function the target implements, and one
    not-implemented record for each function it lacks."""
    from nnconf.conformance.box import probes

    cache = cache or Cache.default()
    from nnconf.conformance.suites import FUNCTIONS

    names = list(dict.fromkeys(c.name for c in contracts))
    # every API name's source, not only the checked ones': a call into linear_backward is known as such
    # also where linear_activation_backward is checked alone (the pytest plugin, --function)
    outcome = worker.call(probes.inventory, suite, list(dict.fromkeys([*names, *FUNCTIONS[suite]])))
    if not outcome.ok:
        return [Record(
            suite=suite, function="*", check=f"api:{suite}", stage="api", status="error", diagnosis=outcome.kind,
            diagnosis_text=explain(outcome.kind),
            message=f"the {suite} code of {target.spec} could not be loaded: {outcome.error_type}: {outcome.error}"
                    + (f"\n{outcome.traceback}" if outcome.traceback else ""),
        )]
    inventory = outcome.value
    records, absent = [], set()
    line = functools.partial(import_line, target, suite)
    written = _written_definitions(target, suite)
    broken = _unparsed_definitions(target, suite)
    read_as, known_calls = {}, {}
    removed = {}  # name -> the warning of its NumPy names removed in NumPy 2 (read from the files)
    for record in numpy2.unit_records(target, suite, [n for n in names if inventory["implemented"][n]]):
        removed.setdefault(record.function, record)
    for contract in contracts:
        name = contract.name
        top = name.split(".")[0]
        if top in broken and name not in absent:
            absent.add(name)
            found = [does_not_parse(suite, name, broken[top])]
            records += found
            if progress:
                progress(suite, name, [r.to_json() for r in found])
        if inventory["implemented"][name] and top not in read_as:
            read_as[top] = _name_read(target, suite, top, written)
            if read_as[top]:
                records.append(Record(
                    suite=suite, function=name, check=f"name:{top}", stage="api", status="note",
                    message=f"{name}: read as {read_as[top]}, a name as learners write it or an older name of the "
                            f"documents; judged under it (the API's name is `{top}`)"))
        if not inventory["implemented"][name]:
            if name not in absent:
                absent.add(name)
                found = [not_implemented(suite, name, require, inventory["reasons"][name])
                         if name not in written else vanished(suite, name, written[name])]
                records += found
                if progress:
                    progress(suite, name, [r.to_json() for r in found])
            continue
        started = time.perf_counter()
        run = ContractRun(worker, contract, profile, seed, line, cache.memo(contract, profile, seed))
        run.require = require
        try:
            found = run.run()
            run.memo.save()
        except Exception as exc:  # noqa: BLE001 - a harness bug must not lose the other results
            import traceback

            found = [Record(
                suite=suite, function=contract.name, check=f"harness:{contract.name}", stage="smoke",
                status="error", diagnosis=None,
                message=f"internal error of the harness while checking {contract.name}: {exc!r}\n{traceback.format_exc(limit=4)}",
            )]
        if name in removed:
            found.append(removed.pop(name))
        elapsed = round(time.perf_counter() - started, 4)
        source = _source_text(target, inventory["sources"].get(name.split(".")[0]))
        calls = _api_calls(suite, run.reached, name, inventory["sources"])
        calls = known_calls[name] = sorted(set(calls) | set(known_calls.get(name, ())))  # traced once per worker
        for record in found:
            record.duration_s = elapsed
            record.extra["source"] = source
            if calls:
                record.extra["calls"] = calls
        if found and all(r.status in ("pass", "warn", "note") for r in found):
            worker.clean.add(contract.name)
        if any(r.status in ("fail", "error") for r in found):
            worker.broken.add(contract.name)  # its numeric gradient must not judge later functions
            callees = [c for c in dict.fromkeys([*calls, *_undefined_names(found)])
                       if c != name and (c in worker.broken or c in broken)]
            for record in on_its_own(worker, contract, callees, profile, seed, line, cache):
                record.extra["source"] = source
                found.append(record)
        records += found
        if progress:
            progress(suite, contract.name, [r.to_json() for r in found])
    if inventory["notes"] and records:
        records[0].extra["load_notes"] = inventory["notes"][:20]
    return records


STANDIN_FILE = "<nnconf stand-in>"  # the file name the stand-ins are compiled under (loader.put_standins)


def on_its_own(worker, contract, callees, profile, seed, line, cache):
    """``contract``'s function judged once more with working stand-ins (suites.standins) for the
    ``callees`` that fail on their own: its own failures (``isolated`` names the stand-ins), or one
    record saying it passes that way and its failures follow from theirs. Nothing where a callee
    has no stand-in."""
    from nnconf.conformance.box.worker import Worker
    from nnconf.conformance.suites.standins import standins

    chosen = standins(contract.suite, callees)
    if chosen is None:
        return []
    names, _ = chosen
    if names not in worker.isolation:
        worker.isolation[names] = Worker(worker.target, worker.suite, seed=worker.seed, timeout=worker.timeout,
                                         limits=worker.limits, standins=chosen)
    run = ContractRun(worker.isolation[names], contract, profile, seed, line, cache.memo(contract, profile, seed))
    try:
        found = run.run()
    except Exception:  # noqa: BLE001 - the function's own records stand; this pass only adds to them
        return []
    words = ", ".join(f"`{n}`" for n in names)
    bad = [r for r in found if r.status in ("fail", "error")]
    if any(STANDIN_FILE in r.message or any(f"{n}()" in r.message for n in names) for r in bad):
        return []  # the stand-in could not stand in (a call it does not take): nothing learned
    if not bad:
        return [Record(suite=contract.suite, function=contract.name, check=f"isolated:{contract.name}", stage="smoke",
                       status="pass", message=f"{contract.name}: passes its checks with a working {words} in place of "
                                          f"yours: its failures follow from {words}")]
    for record in bad:
        record.check = f"isolated:{record.check}"
        record.message = f"with a working {words} in place of yours, {record.message}"
        record.extra["isolated"] = list(names)
    return bad


def _undefined_names(records):
    """The names a crash found undefined (``NameError: name 'linear_backward' is not defined``)."""
    from nnconf.conformance.suites.dependencies import undefined_names

    return [n for r in records if r.status in ("fail", "error") for n in undefined_names(r.message)]


def _api_calls(suite, reached, name, sources):
    """The suite's API functions (other than ``name``) that the checked calls really reached, in
    the files the suite's names were loaded from (not a same-named function elsewhere, nor a
    function's own comprehensions and inner functions)."""
    from nnconf.conformance.suites import FUNCTIONS

    files = {top: where[0] for top, where in sources.items() if where}
    return sorted({qualname for qualname, filename in reached
                   if qualname != name and qualname in FUNCTIONS[suite] and files.get(qualname.split(".")[0]) == filename})


def not_implemented(suite, name, require, reason=""):
    """The record of a function the target does not define: a skip, or a fail with ``--require``."""
    detail = reason if reason and "not implemented" not in reason else reason.partition("; ")[2] if reason else ""
    return Record(
        suite=suite, function=name, check=f"api:{name}", stage="api", status="fail" if require else "skip",
        diagnosis="api.missing", diagnosis_text=explain("api.missing"),
        message=f"{name}: not implemented" + (f" ({detail})" if detail else "")
                + (" [--require: every function must be implemented]" if require else ""),
    )


def _unit_scans(target, suite):
    """[(path, sources.Scan)] of the files the suite of a path target is read from, as the harness
    reads them itself (never from the worker, which runs the target's code); none for a package or
    a kernel's functions."""
    from nnconf.conformance.reading import sources

    if target.kind != "path" or suite not in target.sources:
        return []
    return [(path, sources.scan(path)) for path in target.sources[suite].files()]


def _written_definitions(target, suite):
    """{name: "file:line"} of the functions and classes the suite's files define at top level."""
    written = {}
    for path, scan in _unit_scans(target, suite):
        for name in scan.public:
            written.setdefault(name, f"{target.relative(path)}:{scan.defined.get(name)}")
    return written


def _name_read(target, suite, top, written):
    """The name (and where) the unit's files define for the API's ``top`` when they do not define
    ``top`` itself: an older name of the documents or a name as learners write it (read from the
    files, never from the worker); None when ``top`` is defined as it is, or imported."""
    if target.kind != "path" or suite not in target.sources or top in written:
        return None
    if top in target.sources[suite].names or any(top in scan.imported for _, scan in _unit_scans(target, suite)):
        return None
    read = loader.defined_under(suite, top, written)
    return f"`{read}` ({written[read]})" if read else None


def _unparsed_definitions(target, suite):
    """{name: (where, syntax error)} of the functions and classes that code of the suite's files
    which does not parse would define."""
    broken = {}
    for path, scan in _unit_scans(target, suite):
        for piece in scan.broken:
            for name in piece.names:
                broken.setdefault(name, (f"{target.relative(path)}, {piece.where}", piece.message))
    return broken


def does_not_parse(suite, name, found):
    """The record of a function whose code is not valid Python: an error, never a skip."""
    where, message = found
    return Record(
        suite=suite, function=name, check=f"api:{name}", stage="api", status="error", diagnosis="crash.syntax",
        diagnosis_text=explain("crash.syntax"), extra={"source": where},
        message=f"{name}: its code does not parse ({where}: SyntaxError: {message}); none of its checks ran, and "
                "every function that calls it is not checked either",
    )


def vanished(suite, name, where):
    """The record of a function the files define but the loaded code does not have: something
    that ran at import removed or hid it. An error, never a skip (a skip would pass the run)."""
    return Record(
        suite=suite, function=name, check=f"api:{name}", stage="api", status="error", diagnosis="api.missing",
        diagnosis_text=explain("api.missing"),
        message=f"{name}: {where} defines it, but the loaded code does not have it (something that runs at import - "
                "a decorator, a default argument, a class body - removed or hid it)",
    )


def contract_names(suite, functions=None):
    """The distinct function names the contracts of ``suite`` check (in order)."""
    from nnconf.conformance.suites import FUNCTIONS

    return [name for name in FUNCTIONS[suite] if functions is None or name in functions]


def _source_text(target, where):
    """``path:line`` (``notebook.ipynb, cell 12, line 3``) relative to the working folder."""
    if not where:
        return None
    filename, line = where
    path, _, cell = filename.partition("#cell")
    path = target.relative(path) if target.kind == "path" else path
    return f"{path}, cell {cell}, line {line}" if cell else f"{path}:{line}"


def _versions(python):
    import importlib.metadata

    versions = {"python": python, "numpy": np.__version__}
    for name in ("torch", "nnconf", "hypothesis"):
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions
