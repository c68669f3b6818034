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

  // Autosave sends only the fields the user changed since their content
  // was last saved, each with the draft version that content started from
  // ("v/<field>"): a field this page never saved started from the version
  // the page was loaded at, one it saved from the version that save made.
  // The others are not sent: as loaded, they may be older than what others
  // saved since, and sent against a newer version they would undo it.
  // The Save button posts the whole form, with those versions.
  var timer = null, dirty = false, saving = false, resubmit = null;
  var loaded = parseInt(version.value, 10) || 0;
  function say(text) { if (status) { status.textContent = text; } }
  // fieldOf gives the draft field an input belongs to ("" for none: the
  // version, the end marker, new files).
  function fieldOf(name) {
    var k = name.charAt(0), rest = name.slice(2);
    if (name.charAt(1) !== "/" || !rest) { return ""; }
    if (k === "q" || k === "o") { return "q/" + rest; }
    if (k === "c" || k === "s" || k === "n" || k === "f") { return "c/" + rest; }
    if (k === "x") { return "x/" + rest; }
    return "";
  }
  // fields groups the form's entries by field, each with a signature of
  // what it holds (empty entries left out: an opened cell's empty details
  // change nothing).
  function fields() {
    var out = {};
    new FormData(form).forEach(function (v, k) {
      if (typeof v !== "string") { return; }
      var f = fieldOf(k);
      if (!f) { return; }
      var g = out[f] || (out[f] = { entries: [], sig: "" });
      g.entries.push([k, v]);
      if (v !== "") { g.sig += k + "\u0000" + v + "\u0000"; }
    });
    return out;
  }
  var saved = {}; // field: {sig, version} as last saved, or as loaded
  (function () { var now = fields(); Object.keys(now).forEach(function (f) { saved[f] = { sig: now[f].sig, version: loaded }; }); }());
  function savedOf(f) { return saved[f] || { sig: "", version: loaded }; }
  // changes are the fields whose content differs from what was last saved
  // (a field may have left the form: every box of a choice unticked).
  function changes() {
    var now = fields(), seen = {}, out = [];
    Object.keys(now).concat(Object.keys(saved)).forEach(function (f) {
      if (seen[f]) { return; }
      seen[f] = true;
      var g = now[f] || { entries: [], sig: "" };
      if (g.sig !== savedOf(f).sig) { out.push({ field: f, entries: g.entries, sig: g.sig }); }
    });
    return out;
  }
  function save() {
    timer = null;
    if (saving) { schedule(); return; }
    var sent = changes();
    dirty = false;
    if (!sent.length) { return; }
    saving = true;
    form.dataset.autosaveState = "saving";
    say(msgs.msgSaving || "");
    var params = new URLSearchParams();
    params.append("version", String(loaded));
    sent.forEach(function (c) {
      params.append("fields", c.field);
      params.append("v/" + c.field, String(savedOf(c.field).version));
      c.entries.forEach(function (e) { params.append(e[0], e[1]); });
    });
    params.append("end", "1");
    fetch(form.action, {
      method: "POST", body: params, credentials: "same-origin",
      headers: { "X-Autosave": "1", "Accept": "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return { status: "invalid", message: msgs.msgFailed || "" }; });
    }).then(function (reply) {
      if (reply.version) {
        var unsettled = reply.unsettled || [];
        sent.forEach(function (c) {
          if (unsettled.indexOf(c.field) < 0) { saved[c.field] = { sig: c.sig, version: reply.version }; }
        });
      }
      if (reply.progress) { place(reply.progress); }
      if (reply.status !== "saved") { dirty = true; } // not all saved: leaving still asks
      form.dataset.autosaveState = reply.status || "failed";
      say(reply.message || "");
    }).catch(function () {
      dirty = true;
      form.dataset.autosaveState = "offline";
      say(msgs.msgOffline || "");
    }).finally(function () {
      saving = false;
      if (resubmit) { var b = resubmit; resubmit = null; form.requestSubmit(b.submitter || undefined); }
    });
  }
  // place puts an autosave's findings and the sections' states where the
  // page shows them, as the server rendered them. A part whose findings
  // are those already shown is left alone, so that an explanation being
  // typed keeps its place, its text and the focus; an explanation box that
  // comes or goes joins or leaves what autosave compares.
  function findingIDs(el) {
    return Array.prototype.map.call(el.querySelectorAll("[id^=finding-]"), function (n) { return n.id + ":" + n.textContent; }).join("|");
  }
  function place(progress) {
    Object.keys(progress.parts).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el) { return; }
      var next = document.createElement("template");
      next.innerHTML = progress.parts[id];
      if (el.querySelector("textarea") && findingIDs(el) === findingIDs(next.content)) { return; }
      var wasOpen = el.querySelector("details[open]"), opens = next.content.querySelector("details");
      if (wasOpen && opens) { opens.open = true; }
      var focused = el.contains(document.activeElement) ? document.activeElement.id : "";
      Array.prototype.forEach.call(el.querySelectorAll("textarea[id]"), function (old) {
        var now = next.content.getElementById(old.id);
        if (now) { now.value = old.value; }
      });
      el.replaceChildren(next.content);
      if (focused && document.getElementById(focused)) { document.getElementById(focused).focus(); }
    });
    Array.prototype.forEach.call(form.querySelectorAll("td.cell--invalid, td.cell--warned"), function (td) {
      td.classList.remove("cell--invalid", "cell--warned");
      var input = td.querySelector(":scope > input");
      if (input) { input.removeAttribute("aria-invalid"); input.removeAttribute("aria-describedby"); }
    });
    progress.cells.forEach(function (m) {
      var input = document.getElementById(m.id), td = input && input.closest("td.cell");
      if (!td) { return; }
      td.classList.toggle("cell--invalid", !!m.invalid);
      td.classList.toggle("cell--warned", !!m.warned);
      if (m.invalid) { input.setAttribute("aria-invalid", "true"); }
      if (m.describedby) { input.setAttribute("aria-describedby", m.describedby); }
    });
    Object.keys(progress.described).forEach(function (key) {
      var el = form.querySelector("[data-describes=\"" + key + "\"]");
      if (el) { el.setAttribute("aria-describedby", progress.described[key]); }
    });
    var now = fields();
    Object.keys(now).forEach(function (f) {
      if (f.indexOf("x/") === 0 && !saved[f]) { saved[f] = { sig: now[f].sig, version: progress.version }; }
    });
    Object.keys(saved).forEach(function (f) {
      if (f.indexOf("x/") === 0 && !now[f]) { delete saved[f]; }
    });
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
  form.addEventListener("submit", function (e) {
    if (timer) { clearTimeout(timer); timer = null; }
    if (saving) { // wait for the autosave under way: its versions go with the form
      e.preventDefault();
      resubmit = { submitter: e.submitter && e.submitter.form === form ? e.submitter : null };
      return;
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[data-field-version]"), function (el) { el.remove(); });
    Object.keys(saved).forEach(function (f) {
      if (saved[f].version === loaded) { return; }
      var el = document.createElement("input");
      el.type = "hidden"; el.name = "v/" + f; el.value = String(saved[f].version);
      el.setAttribute("data-field-version", "");
      form.appendChild(el);
    });
    dirty = false; submitting = true;
  });
  window.addEventListener("beforeunload", function (e) {
    if (!submitting && (dirty || saving)) { e.preventDefault(); e.returnValue = ""; }
  });

  // Character counts: the visible count follows each keystroke; screen
  // readers hear it once typing pauses.
  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-maxlength]"), function (ta) {
    var out = document.getElementById(ta.id + "-count");
    if (!out) { return; }
    var max = parseInt(ta.dataset.maxlength, 10), tmpl = out.dataset.template, fmt = new Intl.NumberFormat(document.documentElement.lang + "-u-nu-latn"); // Western digits, as the server writes them (one style per page, Arabic included)
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
  // than sending the form. Up and down step over the rows an answer hides.
  var rtl = document.documentElement.dir === "rtl";
  Array.prototype.forEach.call(form.querySelectorAll("table[data-grid]"), function (table) {
    var trs = Array.prototype.slice.call(table.tBodies[0].rows);
    var rows = trs.map(function (tr) {
      return Array.prototype.slice.call(tr.querySelectorAll("td.cell > input"));
    });
    // shown returns the index of the first row shown from r on, going by d, or -1.
    function shown(r, d) {
      for (; r >= 0 && r < trs.length; r += d) { if (!trs[r].hidden) { return r; } }
      return -1;
    }
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
      var up = shown(r - 1, -1), down = shown(r + 1, 1);
      if (key === "ArrowUp" && up >= 0) { next = rows[up][c]; }
      else if ((key === "ArrowDown" || key === "Enter") && down >= 0) { next = rows[down][c]; }
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
}());
