"""Tests of reports/classbook.py, the teacher's outputs of `nnconf grade`: grades.csv and
findings.csv read back with pandas (columns and rows exactly), and class.html in a real headless
Chromium (the commonest bug first, every student link resolving offline, no horizontal scroll at
1366 px, a hostile name shown as text)."""

import copy
from pathlib import Path
from urllib.parse import unquote, urlparse

import pandas as pd
import pytest

from nnconf.reports import classbook
from nnconf.reports.classbook import write_class_outputs

HOSTILE = "<script>alert(1)</script>"
FUNCTIONS = {   # 29 functions: the grid is wider than the page and scrolls in its own box
    "activations": ["relu", "relu_backward", "sigmoid", "sigmoid_backward", "tanh_backward",
                    "leaky_relu_backward"],
    "deep": ["initialize_parameters_deep", "linear_forward", "linear_activation_forward",
             "L_model_forward", "compute_cost", "linear_backward", "linear_activation_backward",
             "L_model_backward", "update_parameters"],
    "logistic": ["sigmoid", "initialize_with_zeros", "propagate", "optimize", "predict", "model"],
    "shallow": ["layer_sizes", "initialize_parameters", "forward_propagation", "compute_cost",
                "backward_propagation", "update_parameters", "nn_model", "predict"],
}
KEYS = sorted(f"{s}.{f}" for s, fs in FUNCTIONS.items() for f in fs)   # no suite is a prefix of another
LONG = "dW.shape=(5,) " + "x" * 400                                   # a message with no place to wrap


def levels(**changed):
    out = {key: "pass" for key in KEYS}
    out.update({k.replace("__", "."): v for k, v in changed.items()})
    return out


def student(sid, name, status="graded", reason=None, late=False, points=None, levels=None,
            report=True):
    return {"student": sid, "name": name, "status": status, "reason": reason,
            "submission": f"{sid}/W4A1.ipynb", "late": late, "points": points,
            "max_points": 10.0 if status == "graded" else None, "levels": levels or {},
            "report": f"students/{sid}.html" if report else None}


def finding(sid, key, diagnosis, message, level="fail", cause=None, repro=None, cell=4, line=12):
    suite, function = key.split(".")
    return {"student": sid, "suite": suite, "function": function, "level": level,
            "diagnosis": diagnosis, "message": message, "file": "W4A1.ipynb", "cell": cell,
            "line": line, "repro": repro, "likely_cause": cause}


RANK1_LEVELS = dict(deep__linear_backward="fail", deep__linear_activation_backward="fail",
                    deep__L_model_backward="fail")
ZOE = "zoë o'brien"
DAN = "dan #2"
STUDENTS = [
    student("frank", "Frank", status="timeout", reason="ran out of time after 600 s", late=None),
    student(ZOE, "Zoë O'Brien", points=5.5, levels=levels(**RANK1_LEVELS)),
    student("carol", HOSTILE, points=7.5,
            levels=levels(activations__sigmoid_backward="fail", activations__relu_backward="fail",
                          logistic__propagate="error")),
    student("alice", "Alice Martin", points=10.0, levels=levels(deep__compute_cost="note")),
    student("eve", None, status="unreadable", reason="not a notebook: Expecting value: line 1",
            late=None, report=False),
    student("bob", "Bob", late=True, points=6.0, levels=levels(**RANK1_LEVELS)),
    student(DAN, "Dan Two", points=6.0, levels=levels(**RANK1_LEVELS)),
]
CAUSED = ["linear_backward"]
FINDINGS = [
    # the rarer bug first: one student, but more findings than the commonest one has
    finding("carol", "activations.sigmoid_backward", "value.sign", "dZ has the opposite sign",
            repro="from sub import sigmoid_backward\nsigmoid_backward(dA, cache)"),
    finding("carol", "activations.sigmoid_backward", "value.sign", "=HYPERLINK(\"x\") opposite sign"),
    finding("carol", "activations.relu_backward", "value.sign", "dZ has the opposite sign"),
    finding("carol", "logistic.propagate", "value.sign", "dw has the opposite sign", level="error"),
    finding("alice", "deep.compute_cost", "value.scale", "cost as a (1, 1) array", level="note",
            cell=None, line=None),
]
for sid in ("bob", DAN, ZOE):
    FINDINGS += [
        finding(sid, "deep.linear_backward", "shape.rank1", f"db.shape=(3,) but should be (3, 1) [{sid}]",
                repro="from sub import linear_backward\n" + "linear_backward(dZ, cache)  # " + "y" * 300),
        # follow from linear_backward: more students and findings than the root, but not a root
        finding(sid, "deep.linear_activation_backward", "value.wrong", "wrong values", cause=CAUSED),
        finding(sid, "deep.L_model_backward", "value.wrong", LONG, cause=CAUSED),
    ]
GROUPS = [
    {"suite": "activations", "function": "relu", "fingerprint": "f00d" * 10,
     "students": ["carol", "alice"], "levels": {"carol": "pass", "alice": "pass"}},
    {"suite": "deep", "function": "linear_backward", "fingerprint": "beef" * 10,
     "students": [ZOE, "bob", DAN], "levels": {ZOE: "fail", "bob": "fail", DAN: "fail"}},
]
META = {"layout": "one folder per student", "submissions": 7, "generated": "2024-05-01T10:00:00",
        "version": "0.9.0", "duration_s": 312.4, "points": True,
        "notes": ["points: 10 for the deep suite"]}
ORDER = ["alice", "bob", "carol", DAN, "eve", "frank", ZOE]          # natural order of the ids


def read(path):
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("graded")
    (out / "students").mkdir()
    for s in STUDENTS:
        if s["report"]:
            (out / s["report"]).write_text(f"<!DOCTYPE html><meta charset=utf-8><title>{s['student']}</title>"
                                           f"<p id=who>report of {s['student']}</p>", "utf-8")
    paths = write_class_outputs(out, copy.deepcopy(STUDENTS), copy.deepcopy(FINDINGS),
                                copy.deepcopy(GROUPS), dict(META))
    return out, paths


# --------------------------------------------------------------------------- the CSVs

def test_returns_the_paths_and_leaves_no_temporary_file(written):
    out, paths = written
    assert paths == {"grades": str(out / "grades.csv"), "findings": str(out / "findings.csv"),
                     "class": str(out / "class.html")}
    assert all(Path(p).is_file() for p in paths.values())
    assert not list(out.glob(".*.tmp"))


def test_grades_csv(written):
    grades = read(written[1]["grades"])
    assert list(grades.columns) == ["student", "status", "reason", "submission", "late", "points",
                                    "max_points"] + KEYS
    base = grades[["student", "status", "reason", "submission", "late", "points", "max_points"]]
    assert base.values.tolist() == [
        ["alice", "graded", "", "alice/W4A1.ipynb", "False", "10.0", "10.0"],
        ["bob", "graded", "", "bob/W4A1.ipynb", "True", "6.0", "10.0"],
        ["carol", "graded", "", "carol/W4A1.ipynb", "False", "7.5", "10.0"],
        [DAN, "graded", "", f"{DAN}/W4A1.ipynb", "False", "6.0", "10.0"],
        ["eve", "unreadable", "not a notebook: Expecting value: line 1", "eve/W4A1.ipynb", "", "",
         ""],
        ["frank", "timeout", "ran out of time after 600 s", "frank/W4A1.ipynb", "", "", ""],
        [ZOE, "graded", "", f"{ZOE}/W4A1.ipynb", "False", "5.5", "10.0"],
    ]
    by_id = {s["student"]: s for s in STUDENTS}
    for row in grades.to_dict("records"):
        assert {k: row[k] for k in KEYS} == {k: by_id[row["student"]]["levels"].get(k, "")
                                             for k in KEYS}
    assert grades.loc[grades.student == "carol", "logistic.propagate"].item() == "error"


def test_grades_csv_without_points_or_late(tmp_path):
    students = [dict(s, late=None, points=None, max_points=None) for s in STUDENTS]
    paths = write_class_outputs(tmp_path, students, FINDINGS, GROUPS, dict(META, points=False))
    assert list(read(paths["grades"]).columns) == ["student", "status", "reason", "submission"] + KEYS
    page = Path(paths["class"]).read_text("utf-8")
    assert "Failing functions per student" in page and "<h2>Scores</h2>" not in page


def test_findings_csv(written):
    findings = read(written[1]["findings"])
    assert list(findings.columns) == ["student", "suite", "function", "level", "diagnosis",
                                      "message", "file", "cell", "line"]

    def rows(sid):
        return [[sid, "deep", "L_model_backward", "fail", "value.wrong", LONG, "W4A1.ipynb", "4", "12"],
                [sid, "deep", "linear_activation_backward", "fail", "value.wrong", "wrong values",
                 "W4A1.ipynb", "4", "12"],
                [sid, "deep", "linear_backward", "fail", "shape.rank1",
                 f"db.shape=(3,) but should be (3, 1) [{sid}]", "W4A1.ipynb", "4", "12"]]
    assert findings.values.tolist() == [
        ["alice", "deep", "compute_cost", "note", "value.scale", "cost as a (1, 1) array",
         "W4A1.ipynb", "", ""],
        *rows("bob"),
        ["carol", "activations", "relu_backward", "fail", "value.sign", "dZ has the opposite sign",
         "W4A1.ipynb", "4", "12"],
        ["carol", "activations", "sigmoid_backward", "fail", "value.sign", "dZ has the opposite sign",
         "W4A1.ipynb", "4", "12"],
        # a spreadsheet would run it as a formula: it starts with a quote
        ["carol", "activations", "sigmoid_backward", "fail", "value.sign",
         "'=HYPERLINK(\"x\") opposite sign", "W4A1.ipynb", "4", "12"],
        ["carol", "logistic", "propagate", "error", "value.sign", "dw has the opposite sign",
         "W4A1.ipynb", "4", "12"],
        *rows(DAN), *rows(ZOE),
    ]


# --------------------------------------------------------------------------- the tables

def test_bug_classes_count_root_findings_by_students():
    t = classbook.class_tables(STUDENTS, FINDINGS, GROUPS, META)
    assert t.bugs[["bug_class", "n_students", "findings"]].values.tolist() == [
        ["shape.rank1", 3, 3], ["value.sign", 1, 4]]
    assert t.bugs.students[0] == ["bob", DAN, ZOE]
    assert t.notices.bug_class.tolist() == ["value.scale"]
    assert t.rates.set_index("key").rate["deep.linear_backward"] == pytest.approx(2 / 5)
    assert t.rates.set_index("key").rate["deep.compute_cost"] == pytest.approx(4 / 5)
    assert t.bands.set_index("band")["count"].to_dict() == {
        0: 0, 10: 0, 20: 0, 30: 0, 40: 0, 50: 1, 60: 2, 70: 1, 80: 0, 90: 0, 100: 1}
    assert t.groups[["key", "size", "common", "classes"]].values.tolist() == [
        ["deep.linear_backward", 3, "fail", [("shape.rank1", 3)]],
        ["activations.relu", 2, "pass", []]]
    # a group given without its levels takes them from the students' own
    bare = [dict(g, levels={}) for g in GROUPS]
    assert classbook.class_tables(STUDENTS, FINDINGS, bare, META).groups.common.tolist() == ["fail", "pass"]


def test_nothing_is_written_when_the_data_is_wrong(tmp_path):
    with pytest.raises(ValueError, match="unique"):
        write_class_outputs(tmp_path, STUDENTS + STUDENTS[:1], FINDINGS, GROUPS, META)
    assert list(tmp_path.iterdir()) == []


def test_report_links_are_relative_and_encoded():
    assert classbook.report_href("students/dan #2.html") == "students/dan%20%232.html"
    assert classbook.report_href(f"students/{ZOE}.html") == "students/zo%C3%AB%20o%27brien.html"
    assert classbook.report_href("javascript:alert(1)") == "javascript%3Aalert%281%29"
    assert classbook.report_href("/srv/out/students/a.html", "/srv/out") == "students/a.html"
    assert classbook.report_href(None) is None


# --------------------------------------------------------------------------- the page

def test_page_is_self_contained_and_escaped(written):
    page = Path(written[1]["class"]).read_text("utf-8")
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_long_hostile_id_stays_text(tmp_path):
    """An id with markup, longer than the page shows: escaped in the text, cut without markup in
    the attributes (a title never holds the page's own <span>)."""
    from html.parser import HTMLParser

    sid = '"><b onclick=x>' + "x" * 300
    students = [student(sid, None, points=1.0, levels=levels(deep__linear_backward="fail")),
                student("ann", "Ann", points=10.0, levels=levels())]
    findings = [finding(sid, "deep.linear_backward", "shape.rank1", "db rank 1")]
    groups = [{"suite": "deep", "function": "linear_backward", "fingerprint": "ab", "students": [sid, "ann"],
               "levels": {sid: "fail", "ann": "pass"}}]
    page = Path(write_class_outputs(tmp_path, students, findings, groups, META)["class"]).read_text("utf-8")

    class Tags(HTMLParser):
        tags, attrs = [], []

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.attrs += [v or "" for _, v in attrs]
    parsed = Tags()
    parsed.feed(page)
    assert "b" not in parsed.tags
    assert not [a for a in parsed.attrs if "<span" in a]
    assert 'class="cut"' in page                       # the visible text is cut, with a note
    assert "mixed:" in page                            # a group whose members' levels differ


def test_class_page_in_headless_chromium(written, browser):
    out, paths = written
    url = Path(paths["class"]).resolve().as_uri()
    requests, errors, dialogs = [], [], []
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="load")
    assert [u for u in requests if u != url and not u.startswith("data:")] == []
    assert errors == [] and dialogs == []

    # the commonest bug class first, above the grid, with its students, message and repro
    first = page.locator("#bugs article.bug").first
    assert first.get_attribute("data-class") == "shape.rank1"
    assert page.locator("#bugs article.bug").nth(1).get_attribute("data-class") == "value.sign"
    assert page.locator("#bugs article.bug").count() == 2          # value.wrong follows: no root
    assert [a.inner_text() for a in first.locator(".who-list a.student").all()] == [
        "Bob", "Dan Two", "Zoë O'Brien"]
    assert "db.shape=(3,) but should be (3, 1)" in first.locator(".message").inner_text()
    assert "linear_backward(dZ, cache)" in first.locator("pre.repro").inner_text()
    assert "rank-1" in first.locator(".explain").inner_text()
    box = {s: page.locator(s).bounding_box()["y"] for s in ("#bugs", "#functions", "#grid")}
    assert box["#bugs"] < box["#functions"] < box["#grid"]

    # the grid: one row per student, the hostile name shown as text
    rows = page.locator("#grid tbody tr")
    assert rows.count() == len(STUDENTS)
    assert page.locator("#grid tbody tr").nth(2).locator("th.who a").inner_text() == HOSTILE
    assert page.locator("script").count() == 0
    assert page.locator("#grid tbody td.lv").count() == 5 * len(KEYS)
    assert page.locator("#grid tbody td.lv-fail").count() == 3 * 3 + 2
    assert page.locator("#grid tbody td.status").count() == 2
    eve = rows.nth(ORDER.index("eve"))
    assert eve.locator("a").count() == 0 and "unreadable" in eve.inner_text()

    # every student link resolves, offline, to the student's own report
    hrefs = page.eval_on_selector_all("#grid a.student", "as => as.map(a => a.href)")
    assert len(hrefs) == 6
    all_links = set(page.eval_on_selector_all("a.student", "as => as.map(a => a.href)"))
    assert all_links == set(hrefs)
    for href in hrefs:
        target = Path(unquote(urlparse(href).path))
        assert target.is_file() and target.parent == out / "students", href

    # no horizontal scroll of the page; the wide grid scrolls in its own box
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], width
    grid = page.evaluate("(() => { const g = document.querySelector('#grid .grid-scroll');"
                         " return [g.scrollWidth, g.clientWidth]; })()")
    assert grid[0] > grid[1], grid

    # the groups of identical code and the students not graded
    groups = page.locator("#groups tr.group")
    assert groups.count() == 2
    assert "shape.rank1" in groups.first.inner_text() and "fail" in groups.first.inner_text()
    not_graded = page.locator("#not-graded tbody tr")
    assert [not_graded.nth(i).locator("td").nth(1).inner_text() for i in range(2)] == [
        "unreadable", "timeout"]
    assert page.locator("#scores svg.histogram rect.bar").count() == 11
    page.screenshot(path=str(out / "class.png"), full_page=True)

    # a link followed in the browser opens the report (file://, offline)
    zoe = page.locator("#grid a.student", has_text="Zoë O'Brien")
    zoe.click()
    page.wait_for_load_state("load")
    assert page.locator("#who").inner_text() == f"report of {ZOE}"
