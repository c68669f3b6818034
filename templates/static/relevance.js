// Relevance: a question or option that depends on an earlier answer on the same page
// (data-relevant-on, data-relevant-answers) is shown or hidden as that
// answer changes. Without the script, the page after Save shows or hides
// it; what was typed in a hidden question stays in the draft but is not
// submitted.
(function () {
  "use strict";
  var form = document.querySelector("form.draft-form");
  if (!form) { return; }
  var dependents = form.querySelectorAll("[data-relevant-on]");
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
  // update goes in page order, so a question that depends on one hidden
  // just before is hidden too.
  // A question that comes or goes is announced (status, polite): a screen
  // reader's user hears that the form changed below.
  var status = document.getElementById("relevance-status");
  function update() {
    var shown = false, hidden = false;
    Array.prototype.forEach.call(dependents, function (el) {
      var on = el.getAttribute("data-relevant-on");
      var got = chosen(on);
      if (got === null) { return; }
      var host = document.getElementById("question-" + on);
      var want = el.getAttribute("data-relevant-answers").split(" ");
      var was = el.hidden;
      el.hidden = (host && host.hidden) || !got.some(function (v) { return want.indexOf(v) >= 0; });
      if (was !== el.hidden && el.classList.contains("question")) {
        if (el.hidden) { hidden = true; } else { shown = true; }
      }
    });
    if (status && (shown || hidden)) {
      status.textContent = shown ? status.dataset.shown : status.dataset.hidden;
    }
  }
  form.addEventListener("change", update);
})();
