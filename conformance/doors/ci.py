"""A run's records in the formats CI systems read: GitHub Actions workflow commands
(``nnconf check --format github``) and JUnit XML (``nnconf check --junit FILE``).

Pure functions: the records of a run (the dicts ``--json`` writes) in, text out; the command line
writes the text. Both formats speak of functions, as the terminal's summary does: one annotation
and one test case per checked function (its variants, the sigmoid and relu versions of
``linear_activation_forward``, together), at the file and line the function was loaded from.

- GitHub: ``::error file=F,line=L,title=T::message`` for each failing function (root failures
  first, so that the ten annotations GitHub shows per step are the real bugs), ``::warning`` for
  each function with a warning (``::error`` with ``strict``, as the exit code counts it), and one
  ``::error`` without a file for each limit of the run that stopped checks (``limited``): that is
  not a line of the code to blame.
- JUnit: one ``<testsuite>`` per suite, one ``<testcase classname="nnconf.<suite>">`` per
  function; ``<failure>`` (a check failed) or ``<error>`` (the function crashed, or a limit of the
  run stopped it) with the first message and every failing check in the body; ``<skipped>`` for a
  function the code does not implement or that could not run; warnings and notes in
  ``<system-out>``.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from nnconf.conformance.judging.records import safe_text

BAD = ("fail", "error")
_SOURCE = re.compile(r"^(?P<file>.+?)(?:, cell (?P<cell>\d+), line (?P<cell_line>\d+)|:(?P<line>\d+))$")
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")  # what XML 1.0 cannot hold


@dataclass
class Function:
    """One checked function of a run: its records and what they add up to."""

    unit: str | None
    suite: str
    name: str
    records: list = field(default_factory=list)
    limit: str | None = None  # the limit of the run that stopped its checks, as the caller words it, if any

    @property
    def failing(self):
        """Its failing records, its own failures first (those not blamed on a failing callee)."""
        return sorted((r for r in self.records if r["status"] in BAD), key=lambda r: bool(r.get("likely_cause")))

    @property
    def missing(self):
        """Not implemented by the code (skipped, never failed, unless --require made it fail)."""
        return bool(self.records) and all(r.get("diagnosis") == "api.missing" and r["status"] == "skip"
                                          for r in self.records)

    @property
    def not_run(self):
        """The reason it could not run (every call skipped), or None."""
        runs = [r for r in self.records if r["stage"] in ("smoke", "training")]
        if runs and all(r["status"] == "skip" for r in runs) and not self.missing:
            return runs[0]["message"].split(": ", 1)[-1]
        return None

    def first(self, status):
        return next((r for r in self.records if r["status"] == status), None)

    @property
    def source(self):
        """(file, line or None, a place within the file to say or None), from the records' ``source``."""
        text = next((r["source"] for r in self.failing + self.records if r.get("source")), None)
        match = _SOURCE.match(text or "")
        if not match:
            return (text, None, None) if text else (None, None, None)
        if match["cell"]:
            return match["file"], None, f"cell {match['cell']}, line {match['cell_line']}"
        return match["file"], int(match["line"]), None

    @property
    def time(self):
        """Seconds its checks took: each contract's (a variant's) once."""
        runs = {}
        for r in self.records:
            variant = (r.get("case") or "").rpartition(", ")[2] if ", " in (r.get("case") or "") else ""
            runs[variant] = max(runs.get(variant, 0.0), float(r.get("duration_s") or 0.0))
        return sum(runs.values())

    def label(self, with_unit):
        return f"{self.suite}.{self.name}" + (f" ({self.unit})" if with_unit and self.unit else "")


def functions(records, limited=None):
    """The run's functions, in the order of their records. ``limited``: {(unit, suite, function):
    the limit that stopped its checks}, as the caller tells a limit of the run from the code's bug."""
    found = {}
    for record in safe_text(list(records)):
        key = (record.get("unit"), record["suite"], record["function"])
        if key not in found:
            found[key] = Function(*key)
        found[key].records.append(record)
    for key, function in found.items():
        function.limit = (limited or {}).get(key)
    return list(found.values())


def several_units(records):
    """Whether some suite's functions come from several units (then each is named with its unit)."""
    units = {}
    for r in records:
        units.setdefault(r["suite"], set()).add(r.get("unit"))
    return any(len(u) > 1 for u in units.values())


# --- GitHub Actions ---------------------------------------------------------------------------------


def _data(text):
    """A workflow command's message, escaped as @actions/core escapes it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text):
    """A workflow command's property value (file, title): also ``:`` and ``,`` escaped."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level, message, file=None, line=None, title=None):
    props = [f"file={_property(file)}"] if file else []
    props += [f"line={line}"] if file and line else []
    props += [f"title={_property(title)}"] if title else []
    return f"::{level} {','.join(props)}::{_data(message)}" if props else f"::{level}::{_data(message)}"


def _explained(record, cut=1500):
    """A failing record's message and what to change, for an annotation or a JUnit message."""
    text = record["message"][:cut]
    if record.get("diagnosis_text"):
        text += f"\nwhat to change: {record['diagnosis_text'][:600]}"
    return text


def github(records, limited=None, strict=False):
    """GitHub Actions workflow commands for the run, one line each (no trailing newline)."""
    found = functions(records, limited)
    with_unit = several_units(records)
    lines, stopped = [], {}
    failing = [f for f in found if f.failing and not f.limit]
    failing.sort(key=lambda f: all(r.get("likely_cause") for r in f.failing))  # the root failures first
    for function in failing:
        first = function.failing[0]
        file, line, place = function.source
        what = first.get("diagnosis") or ("crash" if first["status"] == "error" else "wrong")
        title = f"nnconf: {function.label(with_unit)} {what}" + (f" ({place})" if place else "")
        if function.name == "*":
            title = f"nnconf: the {function.suite} code could not be loaded"
        lines.append(_command("error", _explained(first), file, line, title))
    for function in found:
        if function.limit:
            stopped.setdefault(function.limit, []).append(function.label(with_unit))
    for limit, names in stopped.items():
        listed = ", ".join(names[:20]) + (f" and {len(names) - 20} more" if len(names) > 20 else "")
        lines.append(_command("error", f"{limit} was reached: {len(names)} function(s) not checked, not a bug of the "
                              f"code: {listed}", title="nnconf: a limit of the run stopped checks"))
    for function in found:
        warning = function.first("warn")
        if warning is None or function.failing:
            continue
        file, line, place = function.source
        text = warning.get("rule") or warning.get("diagnosis") or "warning"
        title = f"nnconf: {function.label(with_unit)} {text}" + (f" ({place})" if place else "")
        lines.append(_command("error" if strict else "warning", _explained(warning), file, line, title))
    return "\n".join(lines)


# --- JUnit XML --------------------------------------------------------------------------------------


def _xml(text):
    return _NOT_XML.sub("\ufffd", str(text))


def _first_line(text, cut=300):
    line = text.splitlines()[0] if text else ""
    return line[:cut] + ("..." if len(line) > cut else "")


def _testcase(function, with_unit, strict):
    file, line, place = function.source
    name = function.name + (f" ({function.unit})" if with_unit and function.unit else "")
    case = ET.Element("testcase", {"classname": f"nnconf.{function.suite}", "name": _xml(name),
                                   "time": f"{function.time:.3f}"})
    if file:
        case.set("file", _xml(file))
    if line:
        case.set("line", str(line))
    failing = function.failing
    warnings = [r for r in function.records if r["status"] == "warn"]
    if strict:
        failing += warnings
    if function.limit:
        error = ET.SubElement(case, "error", {"type": "limit", "message": _xml(f"not checked: stopped by {function.limit}")})
        error.text = _xml("\n".join(f"{r['status']} {r['check']}: {r['message']}" for r in failing))
        return case, "errors"
    if failing:
        first = failing[0]
        kind = "failure" if any(r["status"] in ("fail", "warn") for r in failing) else "error"
        body = [_explained(first), "", f"{len(failing)} failing check(s):"]
        body += [f"  {r['status']} {r['check']}: {_first_line(r['message'], 500)}" for r in failing]
        if place:
            body.insert(0, f"at {file}, {place}")
        ET.SubElement(case, kind, {"type": _xml(first.get("diagnosis") or first.get("rule") or first["stage"]),
                                   "message": _xml(_first_line(first["message"]))}).text = _xml("\n".join(body))
        outcome = "failures" if kind == "failure" else "errors"
    elif function.missing:
        message = function.records[0]["message"].split(": ", 1)[-1]
        message = message if message.startswith("not implemented") else f"not implemented: {message}"
        ET.SubElement(case, "skipped", {"type": "api.missing", "message": _xml(_first_line(message))})
        outcome = "skipped"
    elif function.not_run:
        message = _xml(f"could not run: {_first_line(function.not_run)}")
        ET.SubElement(case, "skipped", {"type": "not_run", "message": message})
        outcome = "skipped"
    else:
        outcome = "passed"
    said = [f"{r['status']} {r['check']}: {r.get('rule') or ''} {r['message']}".replace("  ", " ")
            for r in function.records if r["status"] in ("warn", "note") and r not in failing]
    if said:
        ET.SubElement(case, "system-out").text = _xml("\n".join(said))
    return case, outcome


def junit(records, limited=None, strict=False, name="nnconf", timestamp=None, hostname=None):
    """JUnit XML for the run: one ``<testsuite>`` per suite (``nnconf.<suite>``), one
    ``<testcase>`` per checked function. ``strict``: warnings are failures, as --strict counts them."""
    found = functions(records, limited)
    with_unit = several_units(records)
    root = ET.Element("testsuites", {"name": name})
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    total_time = 0.0
    suites = {}
    for function in found:
        suites.setdefault(function.suite, []).append(function)
    for suite, members in suites.items():
        if all(f.missing for f in members):  # a suite the code does not hold: one case, not one per function
            members = [Function(None, suite, "(the whole suite)", [
                {**members[0].records[0], "function": "(the whole suite)", "source": None}])]
        element = ET.SubElement(root, "testsuite", {"name": f"nnconf.{suite}"})
        counts = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
        for function in members:
            case, outcome = _testcase(function, with_unit, strict)
            element.append(case)
            counts["tests"] += 1
            if outcome != "passed":
                counts[outcome] += 1
        seconds = sum(f.time for f in members)
        for key, value in counts.items():
            element.set(key, str(value))
            totals[key] += value
        element.set("time", f"{seconds:.3f}")
        if timestamp:
            element.set("timestamp", timestamp)
        if hostname:
            element.set("hostname", _xml(hostname))
        total_time += seconds
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
