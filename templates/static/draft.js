// The draft form's script: everything it does, the form also does without
// it (Save posts the form; the server counts characters and reads cell
// states). It adds autosave, a live character count, arrow keys between
// the cells of a table, and a cell that is not available or not
// applicable shown as such.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var status = document.getElementById("save-status");
  var version = form.querySelector("input[name=version]");
  var msgs = form.dataset;

  // Autosave: the form as it stands, a few seconds after the last change,
  // without files (those go with Save).
  var timer = null, dirty = false, saving = false;
  function say(text) { if (status) { status.textContent = text; } }
  function body() {
    var data = new FormData(form), params = new URLSearchParams();
    data.forEach(function (v, k) { if (typeof v === "string") { params.append(k, v); } });
    return params;
  }
  function save() {
    timer = null;
    if (saving) { schedule(); return; }
    saving = true; dirty = false;
    say(msgs.msgSaving || "");
    fetch(form.action, {
      method: "POST", body: body(), credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return { status: "invalid", message: msgs.msgFailed || "" }; });
    }).then(function (reply) {
      if (reply.version) { version.value = String(reply.version); }
      if (reply.status === "signedout") { dirty = true; } // nothing was saved: leaving still asks
      say(reply.message || "");
    }).catch(function () {
      dirty = true;
      say(msgs.msgOffline || "");
    }).finally(function () { saving = false; });
  }
  function schedule() {
    dirty = true;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(save, 3000);
  }
  form.addEventListener("input", function (e) { if (e.target.type !== "file") { schedule(); } });
  form.addEventListener("change", function (e) { if (e.target.type !== "file") { schedule(); } });
  // Leaving with changes not yet saved asks first; saving the form does not.
  var submitting = false;
  form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); timer = null; } dirty = false; submitting = true; });
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && (dirty || saving)) { e.preventDefault(); e.returnValue = ""; }
  });

  // Character counts: the visible count follows each keystroke; screen
  // readers hear it once typing pauses.
  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-maxlength]"), function (ta) {
    var out = document.getElementById(ta.id + "-count");
    if (!out) { return; }
    var max = parseInt(ta.dataset.maxlength, 10), tmpl = out.dataset.template, fmt = new Intl.NumberFormat(document.documentElement.lang);
    var live = document.createElement("span");
    live.className = "visually-hidden"; live.setAttribute("aria-live", "polite");
    out.after(live);
    var t = null;
    function update() {
      var n = Array.from(ta.value.replace(/\r\n/g, "\n")).length;
      var text = tmpl.replace("{n}", fmt.format(n)).replace("{max}", fmt.format(max));
      out.textContent = text;
      out.classList.toggle("char-count--over", n > max);
      if (t) { clearTimeout(t); }
      t = setTimeout(function () { live.textContent = text; }, 1000);
    }
    ta.addEventListener("input", update);
    update();
  });

  // Tables: arrow keys move between cells (left and right at the edge of
  // the text, mirrored in right-to-left pages), Enter moves down rather
  // than sending the form.
  var rtl = document.documentElement.dir === "rtl";
  Array.prototype.forEach.call(form.querySelectorAll("table[data-grid]"), function (table) {
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll("td.cell > input"));
    });
    table.addEventListener("keydown", function (e) {
      var input = e.target;
      if (!(input instanceof HTMLInputElement) || !input.parentElement.classList.contains("cell")) { return; }
      var r = -1, c = -1;
      rows.some(function (row, i) { var j = row.indexOf(input); if (j >= 0) { r = i; c = j; return true; } return false; });
      if (r < 0) { return; }
      var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
      var atEnd = input.selectionStart === input.value.length;
      var next = null, key = e.key;
      if (rtl && (key === "ArrowLeft" || key === "ArrowRight")) { key = key === "ArrowLeft" ? "ArrowRight" : "ArrowLeft"; }
      if (key === "ArrowUp" && r > 0) { next = rows[r - 1][c]; }
      else if ((key === "ArrowDown" || key === "Enter") && r + 1 < rows.length) { next = rows[r + 1][c]; }
      else if (key === "ArrowLeft" && atStart && c > 0) { next = rows[r][c - 1]; }
      else if (key === "ArrowRight" && atEnd && c + 1 < rows[r].length) { next = rows[r][c + 1]; }
      if (key === "Enter") { e.preventDefault(); }
      if (next) { e.preventDefault(); next.focus(); next.select(); }
    });
    // A cell marked not available or not applicable takes no figure.
    table.addEventListener("change", function (e) {
      var sel = e.target;
      if (!(sel instanceof HTMLSelectElement)) { return; }
      var td = sel.closest("td.cell"), input = td && td.querySelector(":scope > input");
      if (!input) { return; }
      var opt = sel.options[sel.selectedIndex];
      td.classList.toggle("cell--na", sel.value === "na");
      td.classList.toggle("cell--nap", sel.value === "nap");
      if (sel.value) { input.value = ""; input.placeholder = opt.dataset.short || opt.text; input.readOnly = true; }
      else { input.placeholder = ""; input.readOnly = false; }
    });
    Array.prototype.forEach.call(table.querySelectorAll("td.cell select"), function (sel) {
      if (sel.value) { sel.closest("td.cell").querySelector(":scope > input").readOnly = true; }
    });
  });

  // A cell's details: without the script, the button saves the form and
  // comes back with them open; with it, they open in place, built from the
  // page's one template.
  var panel = document.getElementById("cell-panel");
  form.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("button.cell-more-btn");
    if (!btn || !panel) { return; }
    e.preventDefault();
    var field = btn.value, rest = field.slice(2), input = btn.parentElement.querySelector(":scope > input");
    var details = panel.content.firstElementChild.cloneNode(true);
    details.querySelector("summary .visually-hidden").textContent = btn.querySelector(".visually-hidden").textContent;
    Array.prototype.forEach.call(details.querySelectorAll("[data-name]"), function (el) {
      el.name = el.dataset.name + "/" + rest;
      if (el.dataset.name !== "f") { el.id = input.id + "-" + el.dataset.name; }
    });
    Array.prototype.forEach.call(details.querySelectorAll("label[data-for]"), function (l) {
      l.htmlFor = input.id + "-" + l.dataset.for;
    });
    btn.replaceWith(details);
    details.querySelector("select").focus();
  });

  // Leaving a cell's details panel with Escape closes it.
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    var d = e.target.closest && e.target.closest("details[open]");
    if (d) { d.open = false; d.querySelector("summary").focus(); }
  });
}());
