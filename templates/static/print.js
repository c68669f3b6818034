// The report's print button: shown only where the script runs, since it
// needs it; the browser's own Print works the same without.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (b) {
    b.hidden = false;
    b.addEventListener("click", function () { window.print(); });
  });
}());
