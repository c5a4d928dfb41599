// Comments, enhanced: posting without a reload, replies in place, "more
// comments" appended, reports, and approved comments arriving live.
// Without JavaScript every one of these is a plain form or link.
(function () {
  "use strict";
  var box = document.getElementById("comments");
  if (!box || !window.fetch) return;
  var article = box.dataset.article;
  var api = "/api/v1/articles/" + article + "/comments";
  var form = document.getElementById("comment-form");
  var list = box.querySelector(".comment-list");

  function parse(html) {
    var t = document.createElement("template");
    t.innerHTML = html; // server-rendered and escaped by html/template
    return t.content;
  }
  function place(li, parentID) {
    var old = document.getElementById(li.id);
    if (old) { old.replaceWith(li); return; }
    var parent = parentID && document.getElementById("c" + parentID);
    if (parent) {
      var replies = parent.querySelector(":scope > .replies");
      if (!replies) {
        replies = document.createElement("ol");
        replies.className = "replies";
        parent.appendChild(replies);
      }
      replies.appendChild(li);
    } else if (box.hasAttribute("data-live")) {
      list.prepend(li);
    } else {
      return;
    }
    var none = box.querySelector(".no-comments");
    if (none) none.remove();
    li.classList.add("c-new");
  }

  if (form) {
    var status = form.querySelector(".form-status");
    var heading = document.getElementById("comment-form-title");
    var defaultHeading = heading.textContent;
    var home = form.parentNode, homeNext = form.nextSibling;
    var fresh = false;
    // A token makes one comment, and a cached page gives every reader the
    // same one: each reader fetches their own when they start writing.
    // Answers bring the next one.
    form.addEventListener("focusin", function () {
      if (fresh) return;
      fresh = true;
      fetch(api + "/token", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; })
        .then(function (j) { if (j && j.token) form.elements.token.value = j.token; }).catch(function () {});
    });
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "link";
    cancel.textContent = box.dataset.cancel;
    cancel.hidden = true;
    heading.after(cancel);
    function resetReply() {
      form.elements.parent_id.value = "";
      heading.textContent = defaultHeading;
      cancel.hidden = true;
      home.insertBefore(form, homeNext);
    }
    cancel.addEventListener("click", resetReply);
    box.addEventListener("click", function (e) {
      var a = e.target.closest("a[data-reply]");
      if (!a) return;
      e.preventDefault();
      var li = document.getElementById("c" + a.dataset.reply);
      if (!li) return;
      form.elements.parent_id.value = a.dataset.reply;
      var name = li.querySelector(".c-name");
      heading.textContent = box.dataset.replyTo + " " + (name ? name.textContent : "");
      cancel.hidden = false;
      li.querySelector(".c-item").after(form);
      form.elements.body.focus();
    });
    // Refusals a script can mend are sent again, at most twice: a token
    // spent or stale (the answer brings a fresh one), then the few seconds
    // a fresh token must wait (Retry-After).
    var mendable = { token_used: 1, expired: 1, bad_token: 1, other_article: 1 };
    function send(tries) {
      var f = form.elements;
      var payload = { name: f.name.value, email: f.email.value, body: f.body.value, parent_id: Number(f.parent_id.value) || 0,
        token: f.token.value, website: f.website.value, notify: !!(f.notify && f.notify.checked) };
      fetch(api, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload) })
        .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, j: j, wait: Number(r.headers.get("Retry-After")) }; }); })
        .then(function (res) {
          if (res.j.token) f.token.value = res.j.token;
          if (!res.ok && tries > 0 && (mendable[res.j.error] && res.j.token || res.j.error === "too_fast" && res.wait > 0)) {
            setTimeout(function () { send(tries - 1); }, res.j.error === "too_fast" ? res.wait * 1000 : 0);
            return;
          }
          status.textContent = res.j.message || "";
          if (res.ok) {
            f.body.value = "";
            if (res.j.html) place(parse(res.j.html).firstElementChild, res.j.parent);
            resetReply();
            return;
          }
          Object.keys(res.j.fields || {}).forEach(function (k) { if (f[k]) f[k].setAttribute("aria-invalid", "true"); });
        })
        .catch(function () { status.textContent = box.dataset.failed; });
    }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      status.textContent = box.dataset.sending;
      form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
      send(2);
    });
  }

  // A report is asked for first, and can be taken back: one stray tap
  // on a phone must not send a comment to the moderators.
  box.addEventListener("submit", function (e) {
    var form = e.target, btn = form.querySelector(".c-report");
    if (!btn) return;
    e.preventDefault();
    var d = box.dataset;
    var button = function (text) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "link";
      b.textContent = text;
      return b;
    };
    var line = document.createElement("span");
    line.className = "c-report-ask";
    line.setAttribute("role", "status");
    var yes = button(d.reportYes), no = button(d.reportNo);
    line.append(d.reportAsk + " ", yes, " ", no);
    form.hidden = true;
    form.after(line);
    var back = function () { line.remove(); form.hidden = false; btn.focus(); };
    no.addEventListener("click", back);
    yes.addEventListener("click", function () {
      fetch(form.action, { method: "POST", credentials: "same-origin", body: new URLSearchParams({ confirm: "yes" }) }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        var undo = button(d.reportUndo);
        line.replaceChildren(d.reported + " ", undo);
        undo.focus();
        undo.addEventListener("click", function () {
          fetch(form.action + "/undo", { method: "POST", credentials: "same-origin" }).then(function (r) { if (r.ok) back(); }).catch(function () {});
        });
      }).catch(function () { line.textContent = d.failed; });
    });
    yes.focus();
  });

  box.addEventListener("click", function (e) {
    var more = e.target.closest("a.more-comments");
    if (!more) return;
    e.preventDefault();
    fetch(more.href, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.text() : ""; }).then(function (html) {
      if (!html) return;
      var doc = new DOMParser().parseFromString(html, "text/html");
      doc.querySelectorAll(".comment-list > li").forEach(function (li) {
        if (!document.getElementById(li.id)) list.appendChild(document.importNode(li, true));
      });
      var next = doc.querySelector(".pager a[rel=next]");
      if (next) more.href = next.getAttribute("href"); else more.parentNode.remove();
    }).catch(function () {});
  });

  if (window.EventSource && window.khabarFollow) {
    khabarFollow("/live?topic=comments/" + article + "&since=" + encodeURIComponent(box.dataset.since || ""), function (es) {
      es.addEventListener("comment", function (ev) {
        var m;
        try { m = JSON.parse(ev.data); } catch (err) { return; }
        if (m.removed) {
          var gone = document.getElementById("c" + m.id);
          if (gone) gone.remove();
          return;
        }
        if (typeof m.html === "string") place(parse(m.html).firstElementChild, m.parent);
      });
    });
  }
})();
