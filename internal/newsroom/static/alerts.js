// The alert composer: how many words the alert still has room for as one
// types, warning before the limit (the push payload's size: the limit is
// the protocol's; Firefox on Android drops messages well before it, so
// the room is counted to that), and an alert's delivery followed live,
// channel by channel.
(function () {
  "use strict";
  var form = document.getElementById("alert-form");
  if (form && window.TextEncoder) {
    var out = document.getElementById("alert-size"), enc = new TextEncoder();
    var digits = function (n) {
      var s = String(n);
      return out.dataset.digits === "arabic" ? s.replace(/[0-9]/g, function (d) { return String.fromCharCode(0x660 + Number(d)); }) : s;
    };
    var size = function () {
      var f = form.elements;
      var n = enc.encode(JSON.stringify({ title: f.title.value, body: f.text.value, url: f.url.value, tag: "alert-0000000",
        lang: form.dataset.lang, dir: form.dataset.dir })).length;
      var max = Number(form.dataset.max), warn = Number(form.dataset.warn);
      // Bytes a word takes, space included: the alert's own words' once
      // there are a few (Arabic letters take two bytes, Latin one).
      var typed = (f.title.value + " " + f.text.value).trim();
      var words = typed ? typed.split(/\s+/).length : 0;
      var per = words >= 5 ? (enc.encode(typed).length + 1) / words : 11;
      var key, count;
      if (n > max) {
        key = "over"; count = Math.ceil((n - max) / per);
      } else if (n > warn) {
        key = "past"; count = Math.ceil((n - warn) / per);
      } else {
        count = Math.floor((warn - n) / per);
        key = count <= 10 ? "near" : "ok";
      }
      out.textContent = out.dataset[key].replace("%s", digits(count));
      out.classList.toggle("warn", key !== "ok");
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
