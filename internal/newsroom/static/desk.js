// The desk (/admin/): ↑ and ↓ move between its items, Home and End to the
// first and last, across its groups; a folded group's items are skipped.
// Without this script each item is a link that Tab reaches as well.
(function () {
  "use strict";
  var desk = document.getElementById("desk");
  if (!desk) return;
  desk.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || e.shiftKey || !e.target.classList.contains("desk-item")) return;
    var items = Array.prototype.filter.call(desk.querySelectorAll("a.desk-item"), function (a) {
      return a.offsetParent !== null;
    });
    var at = items.indexOf(e.target), to = -1;
    switch (e.key) {
      case "ArrowDown": to = Math.min(at + 1, items.length - 1); break;
      case "ArrowUp": to = Math.max(at - 1, 0); break;
      case "Home": to = 0; break;
      case "End": to = items.length - 1; break;
      default: return;
    }
    e.preventDefault();
    items[to].focus();
  });
})();
