"""Tests of reports/: the CSVs, escaping, atomic writes, odd documents, and the page in a real
headless Chromium (no request but the page itself, no console error, every section drawn)."""

import copy
import csv
import json
import os
import re

import pytest

from nnconf import reports
from nnconf.reports import figures, writer
from nnconf.conformance.judging.bug_classes import BUG_CLASSES
from nnconf.reports.sample import XSS, sample_results

CSV_FILES = ["functions.csv", "failures.csv", "gradient_errors.csv", "shape_contracts.csv",
             "layers.csv", "curves.csv", "sweep.csv", "records.csv"]
SPEC_BUG_CLASSES = {
    "shape.rank1", "shape.transposed", "shape.broadcast", "shape.other", "value.transposed",
    "value.scale_m", "value.scale", "value.sign", "value.activation_derivative", "value.kink",
    "value.stale_state", "value.nonfinite", "value.wrong", "side_effect.mutates_input",
    "type.not_scalar", "type.dtype", "crash.exception", "crash.timeout", "api.missing",
    "api.signature"}


# --------------------------------------------------------------------------- helpers

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sample():
    return sample_results()


@pytest.fixture(scope="module")
def written(sample, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    path = reports.write_report(copy.deepcopy(sample), out)
    return out, path, path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- files and CSVs

def test_writes_every_file(written):
    out, path, _ = written
    assert path == out / "report.html"
    for name in ["report.html", "results.json"] + CSV_FILES:
        assert (out / name).is_file(), name
    assert not list(out.glob(".*.tmp")), "temporary files left behind"


def test_results_json_is_the_document(written, sample):
    out, _, _ = written
    back = reports.load_results(out / "results.json")
    assert len(back["records"]) == len(sample["records"])
    assert back["meta"] == sample["meta"]
    assert back["curves"][0]["document"] == sample["curves"][0]["document"]
    # strict JSON, as --json writes it: a NaN is the string "nan" (bare NaN is not JSON; jq and browsers refuse it)
    nonfinite = back["records"][[r["diagnosis"] for r in sample["records"]].index("value.nonfinite")]
    assert nonfinite["max_abs_err"] == "nan"


def _strict(text):
    def refuse(word):
        raise ValueError(f"{word} is not JSON")
    return json.loads(text, parse_constant=refuse)


def test_results_json_is_strict_json_like_the_json_option(tmp_path, sample):
    from nnconf.conformance.judging.jsonfile import write_atomic

    doc = copy.deepcopy(sample)
    doc["records"][0]["max_abs_err"] = float("inf")
    doc["records"][0]["extra_numbers"] = [float("nan"), -float("inf"), 1.5]
    doc["curves"][0]["target"] = [float("nan")] * len(doc["curves"][0]["target"])
    reports.write_report(doc, tmp_path / "report")
    saved = _strict((tmp_path / "report" / "results.json").read_text(encoding="utf-8"))
    assert saved["records"][0]["max_abs_err"] == "inf"
    assert saved["records"][0]["extra_numbers"] == ["nan", "-inf", 1.5]
    assert set(saved["curves"][0]["target"]) == {"nan"}
    write_atomic(tmp_path / "records.json", doc["records"])
    assert _strict((tmp_path / "records.json").read_text(encoding="utf-8")) == saved["records"]
    reports.write_report(reports.load_results(tmp_path / "report" / "results.json"), tmp_path / "again")
    assert (tmp_path / "again" / "results.json").read_text(encoding="utf-8") == \
        (tmp_path / "report" / "results.json").read_text(encoding="utf-8")


def test_records_csv_has_every_record(written, sample):
    rows = read_csv(written[0] / "records.csv")
    assert len(rows) == len(sample["records"])
    assert [r["check"] for r in rows] == [r["check"] for r in sample["records"]]
    assert "extra_key" not in rows[0]


def test_failures_csv_has_the_failed_records(written, sample):
    rows = read_csv(written[0] / "failures.csv")
    failed = [r for r in sample["records"] if r["status"] in ("fail", "error")]
    assert len(rows) == len(failed)
    assert {r["status"] for r in rows} == {"fail", "error"}
    by_diag = {r["diagnosis"]: r for r in rows}
    # the record's own text wins; the bug-class table fills in where it is missing
    assert by_diag["value.kink"]["explanation"].startswith("Differs only where z = 0")
    assert by_diag["shape.rank1"]["explanation"].startswith(BUG_CLASSES["shape.rank1"][0])
    long = [r for r in rows if r["diagnosis"] == "side_effect.mutates_input"
            and r["function"] == "update_parameters"][0]
    assert len(long["message"]) > 20000, "the CSV keeps long messages in full"


def test_functions_csv_is_the_order_of_the_cards(written, sample):
    rows = read_csv(written[0] / "functions.csv")
    keys = {(r["suite"], r["function"]) for r in sample["records"]}
    assert len(rows) == len(keys) and {(r["suite"], r["function"]) for r in rows} == keys
    roles = [r["role"] for r in rows]
    assert roles == sorted(roles, key=["root", "follower", "warn", "other", "note", "pass",
                                       "skip"].index), "roots, followers, warnings, notes, passes"
    model = next(r for r in rows if r["function"] == "L_layer_model")
    assert (model["role"], json.loads(model["causes"]), json.loads(model["roots"])) == (
        "follower", ["L_model_backward"], ["L_model_backward"])
    cost = next(r for r in rows if (r["suite"], r["function"]) == ("deep", "compute_cost"))
    assert (cost["level"], cost["role"]) == ("warn", "warn")


def test_gradient_errors_csv(written):
    rows = read_csv(written[0] / "gradient_errors.csv")
    row = {(r["function"], r["quantity"]): r for r in rows}
    lb = row[("linear_backward", "dW")]
    assert float(lb["autograd_max_rel_err"]) == 5.0 and float(lb["fd_max_rel_err"]) == 5.0
    assert lb["status"] == "fail"
    da = row[("linear_backward", "dA_prev")]
    assert da["status"] == "pass" and float(da["fd_rtol"]) == 1e-5
    assert ("compute_cost", "cost") in row and row[("compute_cost", "cost")]["fd_max_abs_err"] == ""
    assert all(r["checks"] for r in rows)


def test_shape_and_layer_csvs(written, sample):
    shapes = read_csv(written[0] / "shape_contracts.csv")
    assert len(shapes) == sum(r["stage"] == "shape" for r in sample["records"])
    db = [r for r in shapes if r["function"] == "linear_backward" and r["quantity"] == "db"][0]
    assert (db["expected_shape"], db["actual_shape"], db["status"]) == ("[3, 1]", "[3]", "fail")
    layers = read_csv(written[0] / "layers.csv")
    assert len(layers) == 9
    assert {(r["layer"], r["kind"]) for r in layers} == {
        (str(l), k) for l in (1, 2, 3) for k in ("dW", "db", "dA")}
    assert [r["status"] for r in layers if (r["layer"], r["kind"]) == ("1", "dW")] == ["fail"]


def test_curves_and_sweep_csvs(written, sample):
    curves = read_csv(written[0] / "curves.csv")
    lengths = [len(c["target"]) for c in sample["curves"]]
    assert len(curves) == sum(lengths), "every iteration, not the plotted subsample"
    first = [r for r in curves if r["curve"] == "0"]
    assert sum(r["document"] != "" for r in first) == len(sample["curves"][0]["document"])
    assert float(first[1000]["document"]) == sample["curves"][0]["document"][1][1]
    sweep = read_csv(written[0] / "sweep.csv")
    assert [(r["model"], r["n_h"]) for r in sweep] == [("shallow", "1"), ("shallow", "4"),
                                                         ("logistic baseline", "")]
    assert float(sweep[-1]["accuracy"]) == 0.47


# --------------------------------------------------------------------------- the page's text

def test_every_spec_bug_class_has_an_explanation():
    # our own classes: a bound hit, code that does not parse, a name NumPy 2 removed
    assert set(BUG_CLASSES) - SPEC_BUG_CLASSES == {"crash.resource", "crash.syntax", "api.numpy2_removed"}
    assert SPEC_BUG_CLASSES <= set(BUG_CLASSES)
    assert all(what and fix for what, fix in BUG_CLASSES.values())


def test_markup_from_results_is_escaped(written):
    from markupsafe import escape

    from nnconf.reports import page

    html = written[2]
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    # the one script is the report's own filters, and the page's policy runs no other
    assert html.lower().count("<script") == 1 and f"<script>{page.SCRIPT}</script>" in html
    assert f'<meta http-equiv="Content-Security-Policy" content="{escape(page.CSP)}">' in html
    assert "script-src 'sha256-" in page.CSP and "default-src 'none'" in page.CSP
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


def test_page_is_self_contained(written):
    html = written[2]
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert "https://" not in html
    assert "<link rel=\"stylesheet\"" not in html and "@import" not in html
    assert "@font-face" not in html
    assert html.count("<svg") >= 3, "two curves and the decision boundaries"
    assert len(html.encode()) < 5_000_000


def test_long_text_is_truncated_on_the_page(written):
    html = written[2]
    assert "x" * 5000 not in html
    assert "more characters; full text in results.json" in html


def test_fallback_explanation_and_verdict(written):
    html = written[2]
    assert BUG_CLASSES["type.not_scalar"][0] in html        # record without diagnosis_text
    assert 'class="verdict FAIL"' in html


def test_curves_are_downsampled():
    doc = sample_results()
    svg = figures.curve_figure(reports.document.normalise(doc).curves[0])
    assert len(figures.downsample(10000)) <= figures.MAX_POINTS
    assert len(svg) < 400_000


# --------------------------------------------------------------------------- odd documents

def test_load_results_bare_array(tmp_path, sample):
    path = tmp_path / "records.json"
    path.write_text(json.dumps(sample["records"]))
    doc = reports.load_results(path)
    assert doc["records"] == json.loads(path.read_text())
    assert doc["meta"] == {} and doc["curves"] == [] and doc["planar"] is None
    html = reports.write_report(doc, tmp_path / "out").read_text()
    assert "Training curves" in html and "No training curves" in html
    assert 'id="planar"' not in html
    assert len(read_csv(tmp_path / "out" / "records.csv")) == len(sample["records"])


def test_empty_document(tmp_path):
    path = reports.write_report({"meta": {}, "records": [], "curves": [], "planar": None},
                                tmp_path)
    html = path.read_text()
    assert "NO RESULT" in html and "no checks ran" in html
    assert "No check failed" in html
    for name in CSV_FILES:
        rows = read_csv(tmp_path / name)
        assert rows == [], name
    # a document with only passing checks passes
    ok = [r for r in sample_results()["records"] if r["status"] == "pass"]
    html = reports.write_report(ok, tmp_path / "ok").read_text()
    assert 'class="verdict PASS"' in html


def test_odd_records_do_not_crash(tmp_path):
    odd = [
        None, 42, "text", [],
        {},
        {"suite": {"x": 1}, "function": ["a"], "status": "WEIRD", "max_abs_err": "NaN",
         "max_rel_err": "high", "tolerance": "tight", "expected_shape": "three",
         "actual_shape": [2.5], "layer": "last", "stage": "layer", "quantity": None,
         "expected_value": {"a": [1, 2]}, "actual_value": float("inf"), "worst_index": 3},
        {"suite": "deep", "function": "f", "status": "fail", "stage": "grad_autograd",
         "quantity": "dW", "max_abs_err": float("inf"), "max_rel_err": float("nan"),
         "tolerance": {"atol": 0, "rtol": None}, "diagnosis": "no.such.class",
         "message": "y" * 1_000_000, "repro": "z" * 1_000_000},
    ]
    doc = {"meta": "not a dict", "records": odd,
           "curves": [None, {"target": "x"}, {"target": [1, None, "a"], "reference": [1, 2],
                                             "iterations": [0], "document": [[0], "bad", [1, 2]]},
                      {"target": [], "reference": []}],
           "planar": {"X": [[1, 2], [3]], "Y": "no", "sweep": [None, {"n_h": 3},
                                                             {"n_h": 2, "grid": {"p": 1}}]}}
    path = reports.write_report(doc, tmp_path)
    html = path.read_text()
    assert "no.such.class" in html and "No explanation is known" in html
    assert len(html) < 200_000
    assert "status weird" in html and ">other</th>" in html   # shown, counted apart
    assert 'class="verdict FAIL"' in html
    rows = read_csv(tmp_path / "records.csv")
    assert len(rows) == 3
    assert 100_000 < len(rows[2]["message"]) < 100_100, "huge text cut in the CSV"


def test_many_failures_stay_readable(tmp_path):
    many = [{"suite": "deep", "function": f"f{i % 40}", "check": f"value:A@{i}", "stage": "value",
             "quantity": "A", "status": "fail", "diagnosis": "value.wrong",
             "message": "m" * 500, "repro": "r" * 2000, "max_abs_err": 1.0, "max_rel_err": 1.0}
            for i in range(4000)]
    html = reports.write_report(many, tmp_path).read_text()
    from nnconf.reports import page
    assert html.count('<details class="card ') == 40, "one card per function"
    assert html.count('<details class="check ') == page.MAX_CHECKS
    assert html.count('<details class="card fail root" ') == 40
    assert len(re.findall(r'<details class="card [^>]*" open>', html)) == page.OPEN_CARDS
    assert "more failures of this function are in failures.csv" in html
    assert len(html.encode()) < 5_000_000
    assert len(read_csv(tmp_path / "failures.csv")) == 4000


# --------------------------------------------------------------------------- atomic writes

def test_failure_while_drawing_leaves_the_old_report(tmp_path, monkeypatch, sample):
    reports.write_report(sample, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(curve):
        raise RuntimeError("figure failed mid-way")

    monkeypatch.setattr(figures, "curve_figure", broken)
    changed = copy.deepcopy(sample)
    changed["meta"]["target"] = "another target"
    changed["records"] = changed["records"][:3]
    with pytest.raises(RuntimeError, match="mid-way"):
        reports.write_report(changed, tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before, "old files byte-identical, nothing added"


def test_failure_while_writing_leaves_the_old_report(tmp_path, monkeypatch, sample):
    reports.write_report(sample, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_fdopen, calls = os.fdopen, []

    def failing_fdopen(fd, *args, **kwargs):
        calls.append(fd)
        if len(calls) == 4:                    # the fourth file: disk full
            os.close(fd)
            raise OSError(28, "No space left on device")
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(writer.os, "fdopen", failing_fdopen)
    with pytest.raises(OSError):
        reports.write_report(sample["records"][:2], tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before, "old files byte-identical, no temporary file left"


def test_cli(tmp_path, sample):
    src = tmp_path / "results.json"
    src.write_text(json.dumps(sample))
    from nnconf.reports.__main__ import main
    assert main([str(src), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "report.html").is_file()
    assert main([str(tmp_path / "missing.json"), "--out", str(tmp_path / "x")]) == 2


# --------------------------------------------------------------------------- the browser

def card(page, function):
    """The card of the function of that name."""
    return page.locator("details.card", has=page.locator(
        "summary .name code", has_text=re.compile("^" + re.escape(function) + "$")))


def test_report_in_headless_chromium(written, browser):
    out, path, _ = written
    url = path.resolve().as_uri()
    requests, console_errors, page_errors = [], [], []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    page.goto(url, wait_until="load")

    # nothing but the page itself was fetched (data: URIs are no fetch)
    others = [u for u in requests if u != url and not u.startswith("data:")]
    assert others == [], f"unexpected requests: {others}"
    assert console_errors == [] and page_errors == []

    # summary and verdict
    assert page.locator("#summary table.counts tbody tr").count() >= 6
    assert page.locator("#verdict .word").inner_text().strip() == "FAIL"
    meta = page.locator("#summary dl.meta").inner_text()
    assert "student_submission" in meta and "2.13.0" in meta and "fast" in meta

    # one card per function, the real bugs first: the first card's diagnosis and repro
    # are open above everything else
    first = page.locator("#failures details.card").first
    assert first.is_visible() and first.get_attribute("open") is not None
    assert first.get_attribute("data-role") == "root"
    assert "value.kink" in first.locator(".diagnosis").inner_text()
    assert "ReLU'(0) must be 0" in first.locator(".diagnosis").inner_text()
    repro = first.locator("pre.repro")
    assert repro.is_visible() and "relu_backward" in repro.inner_text()
    y = {sel: page.locator(sel).first.bounding_box()["y"] for sel in
         ("#summary", "#failures", "#warnings", "#passing", "#curves svg",
          "#gradients table", "#shapes table")}
    assert list(y) == sorted(y, key=y.get), y
    assert first.bounding_box()["y"] < y["#warnings"]

    # followers after the roots, each naming its root with a link to the root's card
    roles = page.locator("#failures details.card").evaluate_all(
        "cards => cards.map(c => c.dataset.role)")
    assert roles == sorted(roles, key=["root", "follower"].index) and "follower" in roles
    model = card(page, "L_layer_model")
    assert model.get_attribute("data-role") == "follower"
    link = model.locator("p.follows a", has_text="L_model_backward").first
    assert link.get_attribute("href") == "#" + card(page, "L_model_backward").get_attribute("id")

    # the markup message is shown as text
    assert page.locator("#failures img").count() == 0
    assert XSS in page.locator("#failures").text_content()

    # no empty field: a card shows only the facts a record has, never a dash
    facts = page.locator("#failures dl.facts dd").evaluate_all(
        "dds => dds.map(dd => dd.textContent)")
    assert facts and "\u2014" not in facts and "" not in [f.strip() for f in facts]

    # the heat map inside the card of its function, above the tables
    layered = card(page, "L_model_backward")
    cells = layered.locator(".heatmap td.cell")
    assert cells.count() == 9 and layered.locator(".heatmap td.cell.bad").count() == 1
    assert "e-" in cells.nth(1).inner_text()
    assert cells.first.is_visible()
    assert cells.first.bounding_box()["y"] < y["#passing"]

    # the failing training loop's curve in its card; the passing one with the others
    loop = card(page, "training loop (L_layer_model [12288, 20, 7, 5, 1])")
    assert loop.locator("svg.figure").is_visible()
    assert page.locator("#curves svg.figure").count() == 1

    # tables: gradients, shapes, with coloured cells and values
    assert page.locator("#gradients table.grad tbody tr").count() >= 8
    assert page.locator("#gradients td.hot[style*=background]").count() >= 8
    assert page.locator("#shapes tbody tr").count() >= 8

    # figures: two curves and the decision boundaries, drawn with a real size
    svgs = page.locator("svg.figure")
    assert svgs.count() == 3
    for i in range(svgs.count()):
        box = svgs.nth(i).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 150, box
    assert page.locator("#planar table.sweep tbody tr").count() == 3

    page.screenshot(path=str(out / "report.png"), full_page=True)
    assert (out / "report.png").stat().st_size > 10_000


def test_report_of_a_buggy_target_shows_failure_diagnosis_and_repro_first(tmp_path):
    """A real run of the engine on a catalog bug: the failure, its class and repro come first."""
    import html as html_lib

    from nnconf.conformance.run import engine
    from nnconf.conformance.reading import loader
    from nnconf.conformance.catalog import BUGS, path
    from nnconf.reports import write_report

    bug = next(b for b in BUGS if b.id == "deep_linear_backward_dW_transposed")
    results = engine.run(loader.parse_target([f"deep={path(bug)}"]), ["deep"], training=False,
                         functions={"linear_backward", "linear_forward"})
    page = write_report(results, tmp_path).read_text()
    failures = page.index('<section id="failures">')
    assert failures < page.index('<section id="gradients">') < page.index('<section id="shapes">')
    head = page[failures:page.index('<section id="gradients">')]
    assert "linear_backward" in head and "shape.transposed" in head
    assert html_lib.escape("from deep_linear_backward_dW_transposed import linear_backward") in head
