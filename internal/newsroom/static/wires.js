// The wire desk follows arrivals: each new item (or newer version of a
// story) goes to the top of the list as the server rendered it, replacing
// the story's older row, and the status line says so to screen readers.
// Without JavaScript the desk is a list to reload.
(function () {
  "use strict";
  var list = document.getElementById("wires");
  if (!list || !list.getAttribute("data-stream") || !window.EventSource) return;
  var news = document.getElementById("wires-news");
  var empty = document.getElementById("wires-empty");
  var stream = new EventSource(list.getAttribute("data-stream"));
  stream.addEventListener("wire", function (e) {
    var item;
    try {
      item = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    var tpl = document.createElement("template");
    tpl.innerHTML = item.html; // rendered and escaped by the server
    var row = tpl.content.firstElementChild;
    if (!row) return;
    var rows = list.querySelectorAll("li[data-guid]");
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute("data-guid") === item.guid || rows[i].id === row.id) rows[i].remove();
    }
    row.classList.add("arrived");
    list.insertBefore(row, list.firstElementChild);
    if (empty) empty.hidden = true;
    if (news) {
      var link = row.querySelector("a");
      news.textContent = (news.getAttribute("data-arrived") || "") + " " + (link ? link.textContent : "");
    }
  });
})();
