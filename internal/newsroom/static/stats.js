// The readership (/admin/stats, an article's, and the desk's box)
// refreshes itself: every few seconds (a box's data-every, in ms, for the
// period's charts) the page asks the server for the box again, drawn as
// the page drew it, and puts it in place when it changed. A failed
// request waits twice as long before the next, up to a minute; a hidden
// tab does not ask. Without this script the page is the same, as of its
// loading.
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser) return;
  var every = 5000, most = 60000;
  Array.prototype.forEach.call(document.querySelectorAll("[data-live]"), function (box) {
    var often = Number(box.dataset.every) || every, wait = often;
    var next = function () { setTimeout(poll, wait); };
    var poll = function () {
      if (document.hidden) { next(); return; }
      fetch(box.dataset.live, { credentials: "same-origin", headers: { Accept: "text/html" } }).then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.text();
      }).then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById(box.id);
        // Anything else (the login page, once the session ends) is a failure.
        if (!fresh) throw new Error("no " + box.id);
        if (fresh.innerHTML !== box.innerHTML) {
          var nodes = document.importNode(fresh, true).childNodes;
          box.replaceChildren.apply(box, Array.prototype.slice.call(nodes));
        }
        wait = often;
        next();
      }).catch(function () {
        wait = Math.min(wait * 2, most);
        next();
      });
    };
    next();
  });
})();
