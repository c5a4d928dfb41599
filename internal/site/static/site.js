// Progressive enhancement only: every feature here works as a plain link
// without JavaScript.
(function () {
  "use strict";
  // khabarFollow opens a live stream and hands it to listen to attach its
  // handlers. A page kept in the back/forward cache keeps its streams
  // open, and a browser opens at most six connections to a site: a few
  // pages later the next one would wait for a free connection. So the
  // stream closes when the page is left and reopens if it is shown again.
  // It returns a function that closes the stream for good.
  window.khabarFollow = function (url, listen) {
    var es = null, done = false;
    var open = function () { es = new EventSource(url); listen(es); };
    addEventListener("pagehide", function () { if (es) { es.close(); es = null; } });
    addEventListener("pageshow", function (e) { if (e.persisted && !es && !done) open(); });
    open();
    return function () { done = true; if (es) { es.close(); es = null; } };
  };
  function toast(text) {
    var t = document.createElement("div");
    t.className = "toast";
    t.setAttribute("role", "status");
    t.textContent = text;
    document.body.appendChild(t);
    setTimeout(function () { t.remove(); }, 2500);
  }
  // The ticker follows the newsroom live; without JavaScript (or
  // EventSource) the server-rendered ticker stays as it is.
  var ticker = document.querySelector(".ticker ul");
  if (ticker && window.EventSource) {
    var showTicker = function (ev) {
      var lines;
      try { lines = JSON.parse(ev.data); } catch (err) { return; }
      if (!Array.isArray(lines)) return;
      // The stream starts with the ticker as it is: when the page already
      // shows exactly that, leave it, so nothing on the page moves.
      var items = ticker.children;
      var same = items.length === lines.length && lines.every(function (l, i) {
        var a = items[i].querySelector("a");
        return items[i].textContent === l.text && items[i].classList.contains("breaking") === !!l.breaking &&
          (a ? a.getAttribute("href") : "") === (l.url || "");
      });
      if (same) return;
      var frag = document.createDocumentFragment();
      lines.forEach(function (l) {
        var li = document.createElement("li");
        if (l.breaking) li.className = "breaking";
        var url = typeof l.url === "string" ? l.url : "";
        if (/^(\/(?!\/)|https?:\/\/)/.test(url)) {
          var a = document.createElement("a");
          a.href = url;
          a.textContent = l.text;
          li.appendChild(a);
        } else {
          li.textContent = l.text;
        }
        frag.appendChild(li);
      });
      ticker.replaceChildren(frag);
    };
    khabarFollow("/live/ticker", function (es) { es.addEventListener("ticker", showTicker); });
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest("a[data-copy], a[data-youtube]");
    if (!a) return;
    if (a.dataset.copy && navigator.clipboard) {
      e.preventDefault();
      navigator.clipboard.writeText(a.dataset.copy).then(function () { toast(a.dataset.copied); });
      return;
    }
    var id = a.dataset.youtube;
    if (id && /^[A-Za-z0-9_-]{6,20}$/.test(id)) {
      // Click-to-load: nothing is fetched from YouTube until the reader asks.
      e.preventDefault();
      var f = document.createElement("iframe");
      f.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1";
      f.title = a.dataset.title || "";
      f.allow = "autoplay; encrypted-media; picture-in-picture";
      f.allowFullscreen = true;
      a.replaceWith(f);
    }
  });
})();
