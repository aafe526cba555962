"""The report's one script: the level and suite filters of the page.

A module, not a .js file, so that it ships wherever the package does (package data lists only
styles and templates). page.render inlines SCRIPT into the page and allows exactly this text by
its hash in the page's Content-Security-Policy (page.CSP): no other script can run there.

Everything the filters act on carries ``data-level`` and/or ``data-suite``; without the script
(blocked, or a reader that runs none) the page shows everything and the filter bar stays hidden.
"""

SCRIPT = """\
(function () {
  "use strict";
  var bar = document.getElementById("filters");
  if (!bar) { return; }
  var state = { level: null, suite: null };
  var items = document.querySelectorAll("main [data-level], main [data-suite]");
  var buttons = bar.querySelectorAll("button[data-filter]");

  function shown(el) {
    var level = el.getAttribute("data-level"), suite = el.getAttribute("data-suite");
    return (state.level === null || level === null || level === state.level) &&
           (state.suite === null || suite === null || suite === state.suite);
  }

  function apply() {
    var i;
    for (i = 0; i < items.length; i++) { items[i].hidden = !shown(items[i]); }
    // a suite's block of a table with no row left, and a section with nothing left, say so
    var blocks = document.querySelectorAll("main .suite-block");
    for (i = 0; i < blocks.length; i++) {
      if (shown(blocks[i])) { blocks[i].hidden = !blocks[i].querySelector("[data-level]:not([hidden])"); }
    }
    var empties = document.querySelectorAll("main .filter-empty");
    for (i = 0; i < empties.length; i++) {
      var section = empties[i].closest("section");
      empties[i].hidden = !!section.querySelector("[data-level]:not([hidden]), [data-suite]:not([hidden])");
    }
    for (i = 0; i < buttons.length; i++) {
      var b = buttons[i], kind = b.getAttribute("data-filter");
      if (kind === "reset") { b.hidden = state.level === null && state.suite === null; }
      else { b.setAttribute("aria-pressed", String(state[kind] === b.getAttribute("data-value"))); }
    }
  }

  bar.addEventListener("click", function (event) {
    var b = event.target.closest("button[data-filter]");
    if (!b || b.disabled) { return; }
    var kind = b.getAttribute("data-filter"), value = b.getAttribute("data-value");
    if (kind === "reset") { state.level = null; state.suite = null; }
    else { state[kind] = state[kind] === value ? null : value; }
    apply();
  });

  // a link to a card the filters hide (a follower's root, the verdict's "fix first") shows all again
  function reveal() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var hiddenBy = target.closest("[hidden]");
    if (hiddenBy && hiddenBy !== bar) { state.level = null; state.suite = null; apply(); }
    if (target.tagName === "DETAILS") { target.open = true; }
    target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);

  bar.hidden = false;
  apply();
})();
"""
