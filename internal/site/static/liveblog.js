// Live blogs, enhanced: new, corrected and deleted entries arrive while
// the page is open, "load more" appends older entries in place, and key
// events jump to entries already on the page. Without JavaScript every
// one of these is a plain link, and a reload shows what changed.
(function () {
  "use strict";
  var box = document.getElementById("liveblog");
  if (!box || !window.fetch) return;
  var list = box.querySelector(".lb-entries");
  var announce = box.querySelector(".lb-announce");

  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html; // server-rendered and escaped by html/template
    return t.content.firstElementChild;
  }
  function replace(id, html) {
    var old = document.getElementById(id), el = parse(html);
    if (old && el) old.replaceWith(el);
  }

  box.addEventListener("click", function (e) {
    var key = e.target.closest(".lb-keys a");
    if (key) {
      var target = key.hash && document.getElementById(key.hash.slice(1));
      if (target) {
        e.preventDefault();
        target.scrollIntoView();
        history.replaceState(null, "", key.hash);
      }
      return;
    }
    var more = e.target.closest("a.lb-more");
    if (!more) return;
    e.preventDefault();
    fetch(more.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      if (!html) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      doc.querySelectorAll(".lb-entries > li").forEach(function (li) {
        if (!document.getElementById(li.id)) list.appendChild(document.importNode(li, true));
      });
      var next = doc.querySelector(".pager a[rel=next]");
      if (next) more.href = next.getAttribute("href"); else more.parentNode.remove();
    }).catch(function () {});
  });

  if (!box.hasAttribute("data-live") || !window.EventSource || !window.khabarFollow) return;
  function message(ev) {
    try { return JSON.parse(ev.data); } catch (err) { return null; }
  }
  var stop = khabarFollow("/live?topic=liveblog/" + box.dataset.article + "&since=" + encodeURIComponent(box.dataset.since || ""), function (es) {
    es.addEventListener("entry", function (ev) {
      var m = message(ev);
      if (!m || typeof m.id !== "number") return;
      var old = document.getElementById("e" + m.id);
      if (m.removed) {
        if (old) old.remove();
      } else if (typeof m.html === "string") {
        var li = parse(m.html);
        if (!li) return;
        if (old) {
          old.replaceWith(li);
        } else {
          list.prepend(li);
          li.classList.add("lb-new");
          var none = box.querySelector(".lb-none");
          if (none) none.remove();
          var title = li.querySelector("h3");
          announce.textContent = box.dataset.new + (title ? ": " + title.textContent : "");
        }
      }
      if (typeof m.keys === "string") replace("lb-keys", m.keys);
    });
    es.addEventListener("coverage", function (ev) {
      var m = message(ev);
      if (!m) return;
      if (typeof m.html === "string") replace("lb-status", m.html);
      if (m.ended) {
        stop();
        box.removeAttribute("data-live");
      }
    });
  });
})();
