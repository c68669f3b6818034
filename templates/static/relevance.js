// Relevance: a question, an option or a table's row that depends on an
// earlier answer on the same page (data-relevant-on, data-relevant-answers)
// is shown or hidden as that answer changes; a row that is a part of
// another row that depends on an answer (data-relevant-within, that row's
// heading) goes with it. Without the script, the page after Save shows or
// hides it; what was typed in a hidden question or row stays in the draft
// but is not submitted.
(function () {
  "use strict";
  var form = document.querySelector("form.draft-form");
  if (!form) { return; }
  var dependents = form.querySelectorAll("[data-relevant-on], [data-relevant-within]");
  if (!dependents.length) { return; }
  // chosen lists the answers ticked for the question keyed key, or null
  // when the question is not on this page (the server has decided).
  function chosen(key) {
    var inputs = form.querySelectorAll("input[name=\"q/" + key + "\"]");
    if (!inputs.length) { return null; }
    var out = [];
    Array.prototype.forEach.call(inputs, function (i) {
      // A hidden option's tick does not count.
      if ((i.type === "radio" || i.type === "checkbox") && i.checked && !i.closest("[hidden]")) { out.push(i.value); }
    });
    return out;
  }
  // holds says whether el's own condition holds, or null when the server
  // has decided: its question is on another page. A row with no condition
  // of its own goes with its whole alone.
  function holds(el) {
    var on = el.getAttribute("data-relevant-on");
    if (!on) { return true; }
    var got = chosen(on);
    if (got === null) { return null; }
    var host = document.getElementById("question-" + on);
    if (host && host.hidden) { return false; }
    var want = el.getAttribute("data-relevant-answers").split(" ");
    return got.some(function (v) { return want.indexOf(v) >= 0; });
  }
  // update goes in page order, so a question that depends on one hidden
  // just before is hidden too, and a part follows its whole, above it.
  // A question or row that comes or goes is announced (status, polite): a
  // screen reader's user hears that the form changed below.
  var status = document.getElementById("relevance-status");
  function update() {
    var changed = {question: 0, row: 0};
    var came = {question: false, row: false};
    Array.prototype.forEach.call(dependents, function (el) {
      var ok = holds(el);
      var within = el.getAttribute("data-relevant-within");
      var whole = within ? document.getElementById(within) : null;
      if (ok === null) {
        // Its own condition is another page's: the server said whether it
        // holds, where the page could need it (data-relevant-unmet).
        if (!whole) { return; }
        ok = !el.hasAttribute("data-relevant-unmet");
      }
      var was = el.hidden;
      el.hidden = !ok || Boolean(whole && whole.parentNode.hidden);
      if (was === el.hidden) { return; }
      var what = el.tagName === "TR" ? "row" : el.classList.contains("question") ? "question" : "";
      if (what) {
        changed[what]++;
        if (!el.hidden) { came[what] = true; }
      }
    });
    if (!status) { return; }
    var what = changed.question ? "question" : changed.row ? "row" : "";
    if (what === "question") {
      status.textContent = came.question ? status.dataset.shown : status.dataset.hidden;
    } else if (what === "row") {
      status.textContent = came.row ? status.dataset.rowsShown : status.dataset.rowsHidden;
    }
  }
  form.addEventListener("change", update);
})();
