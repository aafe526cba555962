"""A class's submissions as teachers download them (reading/layouts.py): each layout built in
``tmp_path`` with its messy cases (a Canvas re-upload and a late file, a student with two files, a
Moodle online text, a classroom username with a dash, a flat folder of every kind of entry, empty
folders, hidden files, links out of the tree), and every student found exactly once under the
right id. Nothing here runs or extracts a submission."""

import os
import zipfile

import pytest

from nnconf.conformance.reading import layouts
from nnconf.conformance.reading.layouts import LAYOUTS, Layout, LayoutError, Submission, detect, safe_name

NOTEBOOK = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


def build(root, tree):
    """Write ``tree`` ({relative path: text, or None for an empty folder}) under ``root``."""
    for rel, text in tree.items():
        path = root / rel
        if text is None:
            path.mkdir(parents=True, exist_ok=True)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return root


def by_student(layout, root):
    """{student: Submission}, checking what every layout promises: each student once, ids safe
    file names unique regardless of case, sorted, files absolute and inside the tree."""
    assert isinstance(layout, Layout) and layout.name in LAYOUTS
    ids = [s.student for s in layout.submissions]
    assert len({i.casefold() for i in ids}) == len(ids), ids
    assert ids == sorted(ids, key=lambda i: (i.casefold(), i))
    real = os.path.realpath(root)
    for submission in layout.submissions:
        assert isinstance(submission, Submission)
        assert safe_name(submission.student) == submission.student
        assert list(submission.files) == sorted(submission.files)
        for path in submission.files:
            assert os.path.isabs(path) and os.path.isfile(path), path
            assert os.path.realpath(path).startswith(real + os.sep), path
        assert os.path.exists(os.path.join(root, submission.root)), submission.root
    return {s.student: s for s in layout.submissions}


def names(submission):
    return sorted(os.path.basename(f) for f in submission.files)


def noted(layout, *words):
    return any(all(w in line for w in words) for line in layout.notes)


# --- nbgrader -----------------------------------------------------------------------------------


@pytest.fixture
def course(tmp_path):
    return build(tmp_path / "course", {
        "source/ps1/W4A1.ipynb": NOTEBOOK,
        "submitted/alice/ps1/W4A1.ipynb": NOTEBOOK,
        "submitted/alice/ps1/timestamp.txt": "2024-01-30 15:30:10 UTC",
        "submitted/alice/ps1/.ipynb_checkpoints/W4A1-checkpoint.ipynb": NOTEBOOK,
        "submitted/alice/ps1/data/helpers.py": "x = 1\n",
        "submitted/bob/ps1/W4A1.ipynb": NOTEBOOK,
        "submitted/bob/ps1/.DS_Store": "",
        "submitted/carol": None,  # enrolled, nothing handed in
    })


def test_nbgrader_from_the_course_folder_or_its_submitted_folder(course):
    for path in (course, course / "submitted"):
        layout = detect(path)
        assert layout.name == "nbgrader"
        students = by_student(layout, path)
        assert sorted(students) == ["alice", "bob", "carol"]
        assert names(students["alice"]) == ["W4A1.ipynb", "helpers.py"]  # no timestamp, no checkpoint
        assert students["carol"].files == ()
        assert students["alice"].late is None and students["alice"].name is None
    assert detect(course).submissions[0].root == "submitted/alice/ps1"
    assert noted(layout, ".ipynb_checkpoints folders", "1 left out") and noted(layout, "hidden", ".DS_Store")


def test_nbgrader_with_several_assignments_needs_one_chosen(course):
    build(course, {"submitted/alice/ps2/W4A2.ipynb": NOTEBOOK, "submitted/carol/ps2/W4A2.ipynb": NOTEBOOK})
    with pytest.raises(LayoutError, match=r"several assignments: ps1 \(2 students\), ps2 \(2 students\)"):
        detect(course)
    students = by_student(detect(course, assignment="ps2"), course)
    assert sorted(students) == ["alice", "bob", "carol"]
    assert students["bob"].files == () and names(students["carol"]) == ["W4A2.ipynb"]
    with pytest.raises(LayoutError, match="ps1, ps2"):
        detect(course, assignment="ps3")
    with pytest.raises(LayoutError, match="not a folder's name"):
        detect(course, assignment="../../source")


# --- Canvas -------------------------------------------------------------------------------------


@pytest.fixture
def canvas(tmp_path):
    return build(tmp_path / "canvas", {
        "doejohn_12345_678_W4A1.ipynb": NOTEBOOK,  # two files of one student
        "doejohn_12345_679_dnn_utils.py": "",
        "doejohn_99999_730_W4A1.ipynb": NOTEBOOK,  # another John Doe
        "smithjane_LATE_23456_700_W4A1.ipynb": NOTEBOOK,
        "leeann_34567_701_W4A1.ipynb": NOTEBOOK,  # uploaded again: Canvas renamed the new one -1
        "leeann_34567_705_W4A1-1.ipynb": NOTEBOOK,
        "obrienpat_45678_710_W4A1-2.ipynb": NOTEBOOK,  # only the re-upload is there: kept
        "nguyenvan_47000_711_part-1.py": "",  # the student's own names, not versions
        "nguyenvan_47000_712_part-2.py": "",
        "kimmin_56789_text.html": "<p>text entry</p>",
        "kimmin_LATE_56790_link.html": "<a>url</a>",
        "anon_Ab3dE_720_nb.ipynb": NOTEBOOK,
        "LATE_anon_Xy9Zq_721_nb.ipynb": NOTEBOOK,
        "zhangwei_58000_740_hw_2_layers.zip": "",
        "grades.csv": "",
        ".DS_Store": "",
        "__MACOSX/._doejohn_12345_678_W4A1.ipynb": "",
    })


def test_canvas_files_grouped_by_student(canvas):
    layout = detect(canvas)
    assert layout.name == "canvas"
    students = by_student(layout, canvas)
    assert sorted(students) == ["anon_Ab3dE", "anon_Xy9Zq", "doejohn_12345", "doejohn_99999", "kimmin_56789",
                                "kimmin_56790", "leeann_34567", "nguyenvan_47000", "obrienpat_45678",
                                "smithjane_23456", "zhangwei_58000"]
    john = students["doejohn_12345"]
    assert names(john) == ["doejohn_12345_678_W4A1.ipynb", "doejohn_12345_679_dnn_utils.py"]
    assert john.name == "doejohn" and john.late is False and john.root == "doejohn_12345_678_W4A1.ipynb"
    assert students["smithjane_23456"].late is True and students["smithjane_23456"].name == "smithjane"
    assert names(students["leeann_34567"]) == ["leeann_34567_705_W4A1-1.ipynb"]
    assert noted(layout, "leeann_34567_701_W4A1.ipynb", "earlier upload", "leeann_34567_705_W4A1-1.ipynb")
    assert names(students["obrienpat_45678"]) == ["obrienpat_45678_710_W4A1-2.ipynb"]
    assert len(students["nguyenvan_47000"].files) == 2
    assert names(students["kimmin_56789"]) == ["kimmin_56789_text.html"]
    assert students["kimmin_56790"].late is True
    assert students["anon_Ab3dE"].late is False and students["anon_Ab3dE"].name is None
    assert students["anon_Xy9Zq"].late is True
    assert names(students["zhangwei_58000"]) == ["zhangwei_58000_740_hw_2_layers.zip"]
    assert noted(layout, "grades.csv", "not named as Canvas")
    assert noted(layout, "__MACOSX") and noted(layout, "hidden", ".DS_Store")


@pytest.mark.parametrize("filename, expected", [
    ("doejohn_12345_678_W4A1.ipynb", ("12345", "doejohn", False, 678, "W4A1.ipynb")),
    ("doejohn_LATE_12345_678_W4A1.ipynb", ("12345", "doejohn", True, 678, "W4A1.ipynb")),
    ("doejohn_late_12345_678_W4A1.ipynb", ("12345", "doejohn", True, 678, "W4A1.ipynb")),
    ("smith_jonesann_12_34_2_layer_net.py", ("12", "smith_jonesann", False, 34, "2_layer_net.py")),
    ("doejohn_12345_text.html", ("12345", "doejohn", False, None, "text.html")),
    ("LATE_anon_Ab3dE_678_x.py", ("anon_Ab3dE", None, True, 678, "x.py")),
    ("W4A1.ipynb", None),
    ("notes_v2.txt", None),
])
def test_canvas_names(filename, expected):
    parsed = layouts._canvas_name(filename)
    assert (parsed and (parsed.key, parsed.name, parsed.late, parsed.file_id, parsed.original)) == expected


def test_canvas_extracted_into_a_wrapper_folder(canvas, tmp_path):
    outer = tmp_path / "download"
    outer.mkdir()
    os.rename(canvas, outer / "hw4 submissions")
    layout = detect(outer)
    assert layout.name == "canvas" and len(by_student(layout, outer)) == 11
    assert layout.submissions[0].root.startswith("hw4 submissions/")


# --- Moodle -------------------------------------------------------------------------------------


@pytest.fixture
def moodle(tmp_path):
    return build(tmp_path / "moodle", {
        "Jane Doe_1234_assignsubmission_file/W4A1.ipynb": NOTEBOOK,
        "Jane Doe_1234_assignsubmission_onlinetext/onlinetext.html": "<p>see my notebook</p>",
        "Ali Khan_1240_assignsubmission_onlinetext/onlinetext.html": "<p>def relu(z): ...</p>",
        "Bo Li_1250_assignsubmission_file_/code/nb.ipynb": NOTEBOOK,  # before 3.1: a trailing _
        "Jane Doe_1260_assignsubmission_file/x.py": "",  # another Jane Doe
        "Empty Person_1270_assignsubmission_file": None,
        "Old Style_1280_assignsubmission_file_hw.py": "",  # Moodle < 3.1 without folders
        "Jane Doe_1234_assignfeedback_file/feedback.pdf": "",
        "readme.txt": "",
    })


def test_moodle_folders_grouped_by_student(moodle):
    layout = detect(moodle)
    assert layout.name == "moodle"
    students = by_student(layout, moodle)
    assert sorted(students) == ["Ali_Khan_1240", "Bo_Li_1250", "Empty_Person_1270", "Jane_Doe_1234",
                                "Jane_Doe_1260", "Old_Style_1280"]
    jane = students["Jane_Doe_1234"]
    assert names(jane) == ["W4A1.ipynb", "onlinetext.html"] and jane.name == "Jane Doe" and jane.late is None
    assert jane.root == "Jane Doe_1234_assignsubmission_file"
    assert names(students["Ali_Khan_1240"]) == ["onlinetext.html"]
    assert students["Ali_Khan_1240"].root == "Ali Khan_1240_assignsubmission_onlinetext"
    assert names(students["Bo_Li_1250"]) == ["nb.ipynb"]
    assert students["Empty_Person_1270"].files == ()
    assert names(students["Old_Style_1280"]) == ["Old Style_1280_assignsubmission_file_hw.py"]
    assert noted(layout, "feedback", "left out") and noted(layout, "readme.txt")


# --- GitHub Classroom ---------------------------------------------------------------------------


def clones(root, users, prefix="hw1-", starter=None):
    tree = {f"{prefix}{user}/.git/HEAD": "ref: refs/heads/main\n" for user in users}
    tree.update({f"{prefix}{user}/W4A1.ipynb": NOTEBOOK for user in users})
    if starter:
        tree[f"{starter}/W4A1.ipynb"] = NOTEBOOK
    return build(root, tree)


def test_classroom_clones_by_username(tmp_path):
    root = clones(tmp_path / "hw1-submissions", ["alice", "mary-jane", "bob"], starter="hw1")
    build(root, {"hw1-bob/sub/utils.py": "", "hw1-bob/__pycache__/utils.cpython-311.pyc": ""})
    layout = detect(root)
    assert layout.name == "classroom"
    students = by_student(layout, root)
    assert sorted(students) == ["alice", "bob", "mary-jane"]
    assert names(students["bob"]) == ["W4A1.ipynb", "utils.py"]  # nothing of .git, no bytecode
    assert students["mary-jane"].root == "hw1-mary-jane"
    assert noted(layout, "hw1", "starter")


def test_classroom_prefix_stops_at_a_dash(tmp_path):
    root = clones(tmp_path / "clones", ["alan", "alice", "al-x"], prefix="week-4-nn-")
    assert sorted(by_student(detect(root), root)) == ["al-x", "alan", "alice"]
    single = clones(tmp_path / "one", ["mary-jane"], prefix="hw1-")
    assert sorted(by_student(detect(single, layout="classroom", assignment="hw1"), single)) == ["mary-jane"]


def test_folders_sharing_a_prefix_without_clones_are_flat(tmp_path):
    root = build(tmp_path / "class", {"student-1/a.py": "", "student-2/a.py": "", "student-3/a.py": ""})
    layout = detect(root)
    assert layout.name == "flat" and sorted(by_student(layout, root)) == ["student-1", "student-2", "student-3"]
    assert sorted(by_student(detect(root, layout="classroom"), root)) == ["1", "2", "3"]


# --- flat ---------------------------------------------------------------------------------------


@pytest.fixture
def flat(tmp_path):
    root = build(tmp_path / "class", {
        "alice/W4A1.ipynb": NOTEBOOK,
        "alice/lib/dnn_utils.py": "",
        "alice/.hidden.py": "",
        "alice/.ipynb_checkpoints/W4A1-checkpoint.ipynb": NOTEBOOK,
        "alice/venv/lib/site.py": "",
        "bob.ipynb": NOTEBOOK,
        "carol.py": "",
        "erin": None,
        "frank.py": "",
        "frank.ipynb": NOTEBOOK,
        "Gina Lopez/nb.ipynb": NOTEBOOK,
        "README.md": "",
    })
    with zipfile.ZipFile(root / "dave.zip", "w") as archive:
        archive.writestr("dave/W4A1.ipynb", NOTEBOOK)
    return root


def test_flat_one_entry_per_student(flat):
    layout = detect(flat)
    assert layout.name == "flat"
    students = by_student(layout, flat)
    assert sorted(students) == ["Gina_Lopez", "alice", "bob", "carol", "dave", "erin", "frank"]
    assert names(students["alice"]) == ["W4A1.ipynb", "dnn_utils.py"]
    assert names(students["dave"]) == ["dave.zip"] and students["dave"].root == "dave.zip"  # stays a zip
    assert students["erin"].files == () and students["erin"].root == "erin"
    assert names(students["frank"]) == ["frank.ipynb", "frank.py"]
    assert students["Gina_Lopez"].root == "Gina Lopez"
    assert noted(layout, "frank.ipynb", "frank.py", "one submission")
    assert noted(layout, "README.md", "left out")
    assert noted(layout, "hidden", "alice/.hidden.py") and noted(layout, "environment", "alice/venv")


def test_two_students_never_merge(tmp_path):
    root = build(tmp_path / "class", {"alice/a.py": "", "Alice.py": "", "a b.py": "", "a_b.ipynb": NOTEBOOK,
                                      "alice-2.py": ""})
    layout = detect(root)
    students = by_student(layout, root)
    assert len(students) == 5
    assert sorted(s.root for s in students.values()) == ["Alice.py", "a b.py", "a_b.ipynb", "alice", "alice-2.py"]
    assert {students[i].root for i in ("a_b", "a_b-2")} == {"a b.py", "a_b.ipynb"}
    assert "alice-2" in students and students["alice-2"].root == "alice-2.py"  # a real name keeps its id
    assert sum("would have the file name of" in line for line in layout.notes) == 2


# --- links, bounds, errors ----------------------------------------------------------------------


def test_links_out_of_the_tree_are_never_followed(tmp_path):
    outside = build(tmp_path / "outside", {"secret.py": "KEY = 1\n", "folder/x.py": ""})
    root = build(tmp_path / "class", {"alice/a.py": "", "bob/b.py": ""})
    os.symlink(outside / "secret.py", root / "alice" / "secret.py")
    os.symlink(outside / "folder", root / "mallory")
    os.symlink(root / "bob" / "b.py", root / "alice" / "b_copy.py")  # inside the tree: kept
    os.symlink(root / "bob", root / "alice" / "bob_link")  # a folder link: not followed
    layout = detect(root)
    students = by_student(layout, root)
    assert sorted(students) == ["alice", "bob"]
    assert names(students["alice"]) == ["a.py", "b_copy.py"]
    assert noted(layout, "alice/secret.py", "out of the submissions folder")
    assert noted(layout, "mallory", "out of the submissions folder")
    assert noted(layout, "alice/bob_link", "not followed")


def test_the_walk_is_bounded(tmp_path, monkeypatch):
    root = build(tmp_path / "class", {"alice/" + "d/" * 6 + "deep.py": "", "alice/top.py": "", "bob/b.py": ""})
    monkeypatch.setattr(layouts, "MAX_DEPTH", 3)
    layout = detect(root)
    assert names(by_student(layout, root)["alice"]) == ["top.py"]
    assert noted(layout, "alice/d/d/d", "folders deep")
    monkeypatch.setattr(layouts, "MAX_SUBMISSION_FILES", 1)
    build(root, {"bob/c.py": ""})
    layout = detect(root)
    assert len(by_student(layout, root)["bob"].files) == 1 and noted(layout, "bob", "more than 1 files")
    monkeypatch.setattr(layouts, "MAX_ENTRIES", 4)
    with pytest.raises(LayoutError, match="more than 4 files and folders"):
        detect(root)


def test_clear_errors(tmp_path, canvas):
    with pytest.raises(LayoutError, match="does not exist"):
        detect(tmp_path / "nowhere")
    archive = tmp_path / "class.zip"
    archive.write_bytes(b"PK")
    with pytest.raises(LayoutError, match="extract it first"):
        detect(archive)
    (tmp_path / "empty").mkdir()
    build(tmp_path, {"empty/.DS_Store": ""})
    with pytest.raises(LayoutError, match="holds no submissions"):
        detect(tmp_path / "empty")
    with pytest.raises(LayoutError, match="unknown layout 'blackboard'"):
        detect(canvas, layout="blackboard")
    plain = build(tmp_path / "plain", {"alice/a.py": "", "bob/b.py": ""})
    with pytest.raises(LayoutError, match="Canvas' Download Submissions"):
        detect(plain, layout="canvas")
    with pytest.raises(LayoutError, match="Moodle"):
        detect(plain, layout="moodle")
    with pytest.raises(LayoutError, match="no '<assignment>-' prefix"):
        detect(plain, layout="classroom")
    assert detect(canvas, layout="flat").name == "flat"  # forced, read as asked


# --- safe names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, expected", [
    ("alice", "alice"), ("Jane Doe_1234", "Jane_Doe_1234"), ("../../etc/passwd", "etc_passwd"),
    (".hidden", "hidden"), ("CON", "_CON"), ("nul.txt", "_nul.txt"), ("a/b\\c:d*e", "a_b_c_d_e"),
    ("", "student"), ("...", "student"), ("José Núñez", "José_Núñez"), ("李雷", "李雷"),
    ("tab\there", "tab_here"),
])
def test_safe_names(raw, expected):
    assert safe_name(raw) == expected
    assert safe_name(safe_name(raw)) == safe_name(raw)


def test_long_names_are_cut_and_stay_distinct():
    one, two = safe_name("é" * 300 + "1"), safe_name("é" * 300 + "2")
    assert one != two and len(one.encode()) <= layouts.MAX_NAME_BYTES and safe_name(one) == one
    decomposed = "Jose\u0301"  # macOS writes names decomposed
    assert safe_name(decomposed) == safe_name("José")
