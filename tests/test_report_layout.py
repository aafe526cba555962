"""The report as a learner reads it, in a real headless Chromium at a laptop's width (1366 px) and
a phone's (390 px): no sideways scroll of the page, the verdict in the first screen, one card per
failing function with the real bug first, a page whose length is that of one bug, and filters
that work offline.

The one-bug report is a real run of the engine on a copy of the bundled implementation's deep.py
with one bug (dW without its 1/m): the bug is in ``linear_backward``; the functions that call it
(``linear_activation_backward``, ``L_model_backward``, the models and the training loop) fail
because of it, and the report must say so instead of showing two dozen equal failures.
"""

import copy
import re
import shutil
from pathlib import Path

import pytest

from nnconf import reports
from nnconf.reports.sample import sample_results

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
CORRECT, BUGGY = "    dW = dZ_m @ A_prev.T\n", "    dW = dZ @ A_prev.T  # the 1/m forgotten\n"

# How long the one-bug page may be, in CSS pixels (it was 26,455 px at 1366 and 53,704 px at
# 390 before the cards were per function). At 1366 x 768: the summary (under one screen), the
# root's card with its first record open, message and repro (about one screen), five followers
# (their records folded; one holds a 4-layer heat map, one the training curve: about two and a
# half screens together), the passing functions as a grid (half a screen), and the gradient and
# shape tables, each scrolling in a box of at most 70 % of the screen (1.4 screens): about six
# and a half screens, so eight (6,144 px) leaves room without letting a card per record back in
# (24 open cards are more than 10,000 px). At 390 x 844 everything is one column and the text
# of the cards wraps two to three times as often, the tables still scroll in their boxes: about
# eight phone screens, so ten (8,440 px).
MAX_HEIGHT = {1366: 8 * 768, 390: 10 * 844}


@pytest.fixture(scope="module")
def one_bug(tmp_path_factory):
    """The report of a real run on deep.py with one bug in linear_backward (training included)."""
    from nnconf.conformance.reading import loader
    from nnconf.conformance.run import engine
    from nnconf.impl import deep

    folder = tmp_path_factory.mktemp("one_bug")
    code = Path(deep.__file__).read_text(encoding="utf-8")
    assert code.count(CORRECT) == 1, "impl/deep.py changed: put the bug somewhere else"
    (folder / "deep.py").write_text(code.replace(CORRECT, BUGGY), encoding="utf-8")
    results = engine.run(loader.parse_target([f"deep={folder / 'deep.py'}"]), ["deep"])
    return reports.write_report(results, folder / "report")


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    return reports.write_report(copy.deepcopy(sample_results()),
                                tmp_path_factory.mktemp("sample"))


def open_page(browser, path, viewport):
    """A page showing the report, with the requests it made and the errors it logged."""
    page = browser.new_page(viewport=viewport)
    page.requests, page.errors = [], []
    page.on("request", lambda r: page.requests.append(r.url))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(path.resolve().as_uri(), wait_until="load")
    return page


def cards(page, selector="details.card"):
    """[(function, level, role, visible)] of the cards, in page order."""
    return page.locator(selector).evaluate_all("""cards => cards.map(c => [
        c.querySelector('summary .name code').textContent, c.dataset.level, c.dataset.role,
        c.getClientRects().length > 0])""")


def measure(page):
    return page.evaluate("""() => ({width: document.documentElement.scrollWidth,
                                    inner: window.innerWidth,
                                    height: document.body.scrollHeight})""")


# --------------------------------------------------------------------------- widths and the verdict

@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
@pytest.mark.parametrize("report", ["sample_report", "one_bug"])
def test_the_page_never_scrolls_sideways(browser, request, report, viewport):
    path = request.getfixturevalue(report)
    page = open_page(browser, path, viewport)
    try:
        size = measure(page)
        print(f"{report} at {viewport['width']} px: scrollWidth {size['width']}, "
              f"scrollHeight {size['height']}")
        assert size["width"] <= size["inner"] == viewport["width"], size
        # what is wider than a phone scrolls inside its own box
        if viewport is PHONE:
            grad = page.locator("#gradients .scroll").first
            assert grad.evaluate("e => e.scrollWidth > e.clientWidth"), "the table is cut, not scrolled"
            assert grad.evaluate("e => getComputedStyle(e).overflowX") == "auto"
        # every fact of the run and the box of the status counts are on the screen's width (at
        # 1366 the table and PyTorch's version were cut off)
        for box in page.locator("#summary dl.meta div, #summary .scroll").all():
            b = box.bounding_box()
            assert b["x"] >= 0 and b["x"] + b["width"] <= viewport["width"] + 0.5, b
        assert page.requests == [path.resolve().as_uri()] and page.errors == []
    finally:
        page.close()


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366", "390"])
def test_the_verdict_is_in_the_first_screen(browser, one_bug, viewport):
    page = open_page(browser, one_bug, viewport)
    try:
        verdict = page.locator("#verdict")
        assert verdict.locator(".word").inner_text().strip() == "FAIL"
        b = verdict.bounding_box()
        assert 0 <= b["x"] and b["x"] + b["width"] <= viewport["width"], b
        assert 0 <= b["y"] and b["y"] + b["height"] <= viewport["height"], b
        # and it says where to start: a link to the root's card
        fix = verdict.locator(".fix a")
        assert fix.count() == 1 and fix.inner_text() == "linear_backward"
        assert fix.is_visible()
    finally:
        page.close()


# --------------------------------------------------------------------------- one bug, one card first

def test_one_bug_is_one_card_first_and_the_page_is_short(browser, one_bug):
    page = open_page(browser, one_bug, LAPTOP)
    try:
        failing = cards(page, "#failures details.card")
        assert failing[0][:3] == ["linear_backward", "fail", "root"], failing
        assert [c for c in failing if c[2] == "root"] == [failing[0]], "one root"
        assert len(failing) >= 4 and all(role == "follower" for _, _, role, _ in failing[1:])
        everywhere = cards(page)
        assert [c[0] for c in everywhere].count("linear_backward") == 1, "one card per function"
        assert len(everywhere) == len({c[0] for c in everywhere})
        first = page.locator("#failures details.card").first
        assert first.get_attribute("open") is not None
        assert "value.scale_m" in first.locator(".diagnosis").inner_text()
        assert first.locator("pre.repro").first.is_visible()
        # each follower names the root it follows from, with a link to its card
        for follower in page.locator("#failures details.card[data-role=follower]").all():
            assert "follows from linear_backward" in follower.locator(":scope > summary").inner_text()
            assert follower.locator("p.follows a[href='#fn-0']").count() >= 1
        # the heat map in the card of the network's backward pass, its dW column failing
        network = page.locator("#failures details.card", has=page.locator(
            "summary .name code", has_text=re.compile("^L_model_backward$")))
        bad = network.locator(".heatmap td.cell.bad")
        assert bad.count() >= 2 and bad.first.is_visible()
        assert {t.split()[0] for t in network.locator(".heatmap thead th").all_inner_texts()
                if t.strip()} >= {"dW", "db"}
        assert network.locator(".heatmap tbody tr").count() == bad.count(), "every layer's dW"
        # the training curve in the card of the loop, not at the end of the page
        loop = page.locator("#failures details.card", has=page.locator(
            "summary .name code", has_text=re.compile(r"^training loop \(")))
        assert loop.locator("svg.figure").is_visible()
        assert loop.locator("svg.figure").bounding_box()["y"] < page.locator("#passing").bounding_box()["y"]
        # no record card repeats a field without a value: no dash anywhere in the cards
        assert "\u2014" not in page.locator("#failures").text_content()
    finally:
        page.close()
    for viewport in (LAPTOP, PHONE):
        page = open_page(browser, one_bug, viewport)
        try:
            height = measure(page)["height"]
        finally:
            page.close()
        print(f"one-bug report at {viewport['width']} px: document.body.scrollHeight = "
              f"{height} px (bound {MAX_HEIGHT[viewport['width']]})")
        assert height <= MAX_HEIGHT[viewport["width"]]


# --------------------------------------------------------------------------- filters

def test_the_level_filter_hides_the_other_levels(browser, sample_report):
    page = open_page(browser, sample_report, LAPTOP)
    try:
        assert page.locator("#filters").is_visible(), "the filters' script ran under the page's policy"
        before = cards(page)
        assert {c[1] for c in before} >= {"fail", "error", "warn", "note", "pass"}
        assert all(visible for *_, visible in before)
        page.locator("#filters button[data-filter=level][data-value=pass]").click()
        after = cards(page)
        assert [c[0] for c in after if c[3]] == [c[0] for c in before if c[1] == "pass"]
        assert not any(c[3] for c in after if c[1] != "pass")
        assert page.locator("#failures .filter-empty").is_visible()
        assert page.locator("#gradients tbody tr[data-level=fail]").first.is_hidden()
        assert page.locator("#gradients tbody tr[data-level=pass]").first.is_visible()
        assert page.locator("#filters button[data-value=pass]").get_attribute("aria-pressed") == "true"
        # another level replaces it; the same one again shows everything
        page.locator("#filters button[data-filter=level][data-value=warn]").click()
        assert [c[0] for c in cards(page) if c[3]] == [c[0] for c in before if c[1] == "warn"]
        page.locator("#filters button[data-filter=level][data-value=warn]").click()
        assert all(visible for *_, visible in cards(page))
    finally:
        page.close()


def test_the_suite_filter_and_the_two_together(browser, sample_report):
    page = open_page(browser, sample_report, PHONE)
    try:
        before = cards(page)
        suites = page.locator("details.card").evaluate_all("cs => cs.map(c => c.dataset.suite)")
        page.locator("#filters button[data-filter=suite][data-value=deep]").click()
        shown = [c[0] for c in cards(page) if c[3]]
        assert shown == [c[0] for c, s in zip(before, suites) if s == "deep"]
        assert page.locator("#gradients .suite-block[data-suite=activations]").is_hidden()
        assert page.locator("#gradients .suite-block[data-suite=deep]").is_visible()
        page.locator("#filters button[data-filter=level][data-value=fail]").click()
        both = [c[0] for c in cards(page) if c[3]]
        assert both == [c[0] for c, s in zip(before, suites) if s == "deep" and c[1] == "fail"]
        assert both and len(both) < len(shown)
        assert measure(page)["width"] <= PHONE["width"]
        # a link to a card the filters hide shows everything again
        page.locator("#filters button[data-filter=reset]").click()
        assert all(visible for *_, visible in cards(page))
        page.locator("#filters button[data-filter=level][data-value=pass]").click()
        page.locator("#verdict .fix a").first.click()
        target = page.locator("#failures details.card").first
        assert target.is_visible() and all(visible for *_, visible in cards(page))
    finally:
        page.close()


def test_without_its_script_the_page_shows_everything(browser, sample_report, tmp_path):
    """The filters are an addition: with the script gone (blocked, or a reader without it), every
    card is there and no dead button is shown."""
    from nnconf.reports import page as page_module

    stripped = tmp_path / "report.html"
    html = sample_report.read_text(encoding="utf-8")
    stripped.write_text(html.replace(f"<script>{page_module.SCRIPT}</script>", ""), encoding="utf-8")
    shutil.copy(sample_report.parent / "results.json", tmp_path / "results.json")
    page = open_page(browser, stripped, LAPTOP)
    try:
        assert page.locator("#filters").is_hidden()
        assert all(visible for *_, visible in cards(page))
    finally:
        page.close()
