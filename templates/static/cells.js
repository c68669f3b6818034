// The details of a statistics table's cell (status, note, flags). A cell
// that has some carries them in a popover, inside the form, which its
// button opens without any script. A cell that has none carries a button
// that, without script, saves the form and comes back with them on the
// page (a page of hundreds of cells stays light); with this script they
// are made here instead, from the page's one template, and opened in
// place.
(function () {
  "use strict";
  var template = document.getElementById("cell-panel");
  if (!template) { return; }
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("td.cell > button.cell-more-btn[name=open]");
    if (!btn) { return; }
    e.preventDefault();
    var rest = btn.value.slice(2), input = btn.parentElement.querySelector(":scope > input");
    var pop = template.content.firstElementChild.cloneNode(true);
    pop.id = input.id + "-d";
    btn.id = input.id + "-b";
    pop.setAttribute("aria-labelledby", btn.id);
    Array.prototype.forEach.call(pop.querySelectorAll("[data-name]"), function (el) {
      el.name = el.dataset.name + "/" + rest;
      if (el.dataset.name !== "f") { el.id = input.id + "-" + el.dataset.name; }
    });
    Array.prototype.forEach.call(pop.querySelectorAll("label[data-for]"), function (l) {
      l.htmlFor = input.id + "-" + l.dataset.for;
    });
    pop.querySelector(".cell-pop__close").setAttribute("popovertarget", pop.id);
    // The button now opens and closes the popover, as a cell's with details does.
    btn.removeAttribute("name");
    btn.removeAttribute("value");
    btn.type = "button";
    btn.setAttribute("popovertarget", pop.id);
    btn.after(pop);
    try { pop.showPopover({ source: btn }); } catch (err) { pop.showPopover(); }
    pop.querySelector("select").focus();
  });
}());
