// The media library's scripts, each a plain form or link without them:
// uploads one file a request with a progress bar and a message per file;
// in the library opened to pick an image, sends the chosen id back to the
// form that opened it (an article's, the settings'); in that form, opens
// the library and takes the id.
(function () {
  "use strict";

  var form = document.getElementById("upload");
  if (form && window.FormData) {
    var input = form.querySelector("input[type=file]");
    var results = form.querySelector(".upload-results");
    var maxBytes = Number(form.dataset.maxMb) * 1048576;
    form.addEventListener("submit", function (e) {
      if (!input.files.length) return; // the browser or the server says why
      e.preventDefault();
      results.textContent = "";
      var files = Array.prototype.slice.call(input.files);
      var row = function (f) {
        var li = document.createElement("li"), name = document.createElement("bdi"), msg = document.createElement("span");
        name.textContent = f.name;
        li.append(name, ": ", msg);
        results.append(li);
        return { li: li, msg: msg };
      };
      var show = function (r, failed, text, id) {
        r.li.className = failed ? "bad" : "ok";
        r.msg.textContent = text;
        if (id) {
          var a = document.createElement("a");
          a.href = "/admin/media/" + id;
          a.textContent = form.dataset.editTexts;
          r.li.append(" ", a);
          uploaded++;
        }
      };
      // The library below shows what was just uploaded: the page as the
      // server makes it now replaces it; failing that, a link reloads it.
      var uploaded = 0;
      var refresh = function () {
        var library = document.getElementById("library");
        var fallback = function () {
          var more = document.createElement("a");
          more.href = location.href;
          more.textContent = form.dataset.refresh;
          results.append(more);
        };
        if (!library || !window.fetch || !window.DOMParser) { fallback(); return; }
        fetch(location.href, { credentials: "same-origin" })
          .then(function (res) { if (!res.ok) throw new Error(String(res.status)); return res.text(); })
          .then(function (html) {
            var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("library");
            if (!fresh) throw new Error("no library");
            library.replaceChildren.apply(library, Array.prototype.slice.call(fresh.childNodes).map(function (n) { return document.importNode(n, true); }));
          })
          .catch(fallback);
      };
      var next = function () {
        var f = files.shift();
        if (!f) {
          if (uploaded) refresh();
          input.value = "";
          return;
        }
        var r = row(f);
        if (f.size > maxBytes) { // refused here rather than sent in vain
          show(r, true, form.dataset.tooLarge);
          next();
          return;
        }
        var bar = document.createElement("progress");
        bar.max = f.size || 1;
        bar.value = 0;
        r.msg.textContent = form.dataset.uploading + " ";
        r.msg.append(bar);
        var fd = new FormData();
        fd.append("files", f, f.name);
        var x = new XMLHttpRequest();
        x.open("POST", form.action);
        x.setRequestHeader("Accept", "application/json");
        x.upload.onprogress = function (ev) {
          if (ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; }
        };
        x.onload = function () {
          var res;
          try { res = JSON.parse(x.responseText).files[0]; } catch (err) { res = { failed: true, message: form.dataset.failed }; }
          show(r, res.failed, res.message, res.id);
          next();
        };
        x.onerror = function () { show(r, true, form.dataset.failed); next(); };
        x.send(fd);
      };
      next();
    });
  }

  // The library opened from the article form: a choice goes back to it.
  document.addEventListener("click", function (e) {
    var b = e.target.closest("button[data-pick]");
    if (!b || !window.opener) return;
    window.opener.postMessage({ khabarMedia: Number(b.dataset.pick), field: b.dataset.field, label: b.dataset.label }, location.origin);
    window.close();
  });

  // The form: open the library beside it, and take its choice into the
  // list or the field it was opened for.
  document.addEventListener("click", function (e) {
    var a = e.target.closest("a[data-pick-for]");
    if (!a) return;
    var w = window.open(a.href, "media-picker", "width=960,height=720");
    if (w) { e.preventDefault(); w.focus(); }
  });
  window.addEventListener("message", function (e) {
    if (e.origin !== location.origin || !e.data || !e.data.khabarMedia) return;
    var name = "[name='" + CSS.escape(String(e.data.field)) + "']";
    var field = document.querySelector("select" + name + ", input" + name);
    if (!field) return;
    var v = String(e.data.khabarMedia);
    if (field.tagName === "SELECT" && !Array.prototype.some.call(field.options, function (o) { return o.value === v; })) {
      field.add(new Option(String(e.data.label), v));
    }
    field.value = v;
    field.dispatchEvent(new Event("change", { bubbles: true }));
    field.focus();
  });
})();
