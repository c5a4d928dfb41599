// The alert composer: the push payload's size as one types (the limit is
// the protocol's; Firefox on Android drops messages well before it), and
// an alert's delivery followed live, channel by channel.
(function () {
  "use strict";
  var form = document.getElementById("alert-form");
  if (form && window.TextEncoder) {
    var out = document.getElementById("alert-size"), enc = new TextEncoder();
    var size = function () {
      var f = form.elements;
      var n = enc.encode(JSON.stringify({ title: f.title.value, body: f.text.value, url: f.url.value, tag: "alert-0000000",
        lang: form.dataset.lang, dir: form.dataset.dir })).length;
      var max = Number(form.dataset.max), warn = Number(form.dataset.warn);
      var key = n > max ? "over" : n > warn ? "warnText" : "ok";
      out.textContent = out.dataset[key].replace("%d", n).replace("%d", max);
    };
    form.addEventListener("input", size);
    size();
  }
  var table = document.getElementById("alert-progress");
  if (table && window.fetch) {
    var poll = function () {
      fetch(table.dataset.url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (rows) {
        var done = true;
        rows.forEach(function (c) {
          var tr = table.querySelector("tr[data-channel='" + c.channel + "']");
          if (!tr) return;
          ["sent", "failed", "gone", "pending"].forEach(function (k) { tr.querySelector("[data-k=" + k + "]").textContent = c[k]; });
          done = done && c.done;
        });
        if (!done || rows.length === 0) setTimeout(poll, 1000);
      }).catch(function () { setTimeout(poll, 5000); });
    };
    poll();
  }
  var copy = document.getElementById("copy-whatsapp");
  if (copy && navigator.clipboard) {
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(document.getElementById("whatsapp-text").value).then(function () { copy.textContent = copy.dataset.done; });
    });
  }
})();
