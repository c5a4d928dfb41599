// Keyboard shortcuts for the moderation queue: j/k move between comments,
// x ticks one, a/r/s/d approve, reject, mark as spam or delete the ticked
// comments (or the one in focus when none is ticked). Every action is
// also a plain button.
(function () {
  "use strict";
  var form = document.getElementById("moderation");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll(".queue-item"));
  var at = -1;
  // The bulk bar says how many comments its buttons will act on, in the
  // newsroom language's plural forms (the page carries them all, as
  // data-n-{category}: html/template takes data-one for a script).
  var count = form.querySelector(".bulk .selected");
  var rules = window.Intl && Intl.PluralRules ? new Intl.PluralRules(document.documentElement.lang) : null;
  function counted() {
    if (!count) return;
    var n = form.querySelectorAll("input[name=id]:checked").length;
    var text = count.getAttribute("data-n-" + (n === 0 ? "zero" : rules ? rules.select(n) : "other")) || count.getAttribute("data-n-other");
    count.textContent = text.replace("%s", String(n));
    count.hidden = false;
  }
  form.addEventListener("change", counted);
  counted();
  function focus(i) {
    if (i < 0 || i >= items.length) return;
    at = i;
    items[i].focus();
    items[i].scrollIntoView({ block: "nearest" });
  }
  form.addEventListener("focusin", function (e) {
    var i = items.indexOf(e.target.closest(".queue-item"));
    if (i >= 0) at = i;
  });
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName) && e.target.type !== "checkbox") return;
    // The key's place, not its letter: on an Arabic layout the key of j
    // types «ت», and e.key would never be "j".
    var key = /^Key[A-Z]$/.test(e.code) ? e.code.slice(3).toLowerCase() : e.key.toLowerCase();
    if (key === "j") { focus(at + 1); e.preventDefault(); return; }
    if (key === "k") { focus(Math.max(at - 1, 0)); e.preventDefault(); return; }
    var box = at >= 0 && items[at].querySelector("input[type=checkbox]");
    if (key === "x" && box) { box.checked = !box.checked; counted(); e.preventDefault(); return; }
    var button = form.querySelector("button[data-key='" + key + "']");
    if (!button) return;
    if (!form.querySelector("input[name=id]:checked")) {
      if (!box) return;
      box.checked = true;
    }
    e.preventDefault();
    button.click();
  });
})();
