// Search as you type: the header's search field becomes a WAI-ARIA 1.2
// combobox listing what /search/suggest finds for the words typed so far.
// Focus stays in the field; ↑/↓ move through the list (its option is the
// field's aria-activedescendant), Enter goes there, Esc closes it, and a
// status line says how many there are. Without JavaScript the form goes
// to /search as ever.
(function () {
  "use strict";
  var form = document.querySelector("form.quick-search[data-suggest]");
  var input = form && form.querySelector("input[name=q]");
  if (!input || !window.fetch || !window.AbortController) return;
  var list = document.createElement("ul");
  list.id = input.id + "-suggest";
  list.className = "suggest";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", form.dataset.suggestLabel);
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  form.append(list, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("autocomplete", "off");
  var items = [], active = -1, asked = "", timer = 0, pending = null;

  function open(yes) {
    list.hidden = !yes || items.length === 0;
    input.setAttribute("aria-expanded", String(!list.hidden));
    if (list.hidden) choose(-1);
  }
  function choose(i) {
    if (active >= 0 && items[active]) items[active].setAttribute("aria-selected", "false");
    active = i;
    if (i < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    items[i].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", items[i].id);
    items[i].scrollIntoView({ block: "nearest" });
  }
  function show(answer) {
    items = [];
    active = -1;
    var frag = document.createDocumentFragment();
    (answer.suggestions || []).forEach(function (s) {
      // Only the site's own paths: the answer is data, not a redirector.
      if (typeof s.url !== "string" || !/^\/(?!\/)/.test(s.url)) return;
      var li = document.createElement("li");
      li.id = list.id + "-" + items.length;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.url = s.url;
      var label = document.createElement("bdi");
      label.textContent = s.label;
      li.appendChild(label);
      var kind = form.dataset["kind" + s.kind.charAt(0).toUpperCase() + s.kind.slice(1)];
      if (kind) {
        var k = document.createElement("span");
        k.className = "suggest-kind";
        k.textContent = kind;
        li.appendChild(k);
      }
      frag.appendChild(li);
      items.push(li);
    });
    list.replaceChildren(frag);
    // The words these suggestions answer: while the field holds others,
    // newer suggestions are on their way.
    list.dataset.q = asked;
    status.textContent = answer.status || "";
    open(true);
  }
  function ask() {
    var q = input.value.trim();
    if (q === asked) return;
    asked = q;
    if (pending) pending.abort();
    pending = null;
    if (q.length < 2) {
      items = [];
      list.replaceChildren();
      status.textContent = "";
      open(false);
      return;
    }
    var ctl = pending = new AbortController();
    fetch(form.dataset.suggest + "?q=" + encodeURIComponent(q), { signal: ctl.signal, headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { if (answer && pending === ctl) show(answer); })
      .catch(function () {}); // aborted, or offline: the form still works
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (e) {
    var n = items.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!n) return;
      e.preventDefault();
      if (list.hidden) open(true);
      var down = e.key === "ArrowDown";
      choose(active < 0 ? (down ? 0 : n - 1) : (active + (down ? 1 : n - 1)) % n);
    } else if (e.key === "Escape" && !list.hidden) {
      e.preventDefault();
      open(false);
    }
  });
  // Enter submits the form (implicit submission): with an option
  // active it goes there instead of to /search.
  form.addEventListener("submit", function (e) {
    if (list.hidden || active < 0) return;
    e.preventDefault();
    location.href = items[active].dataset.url;
  });
  // A click on an option must not blur the field first (which closes
  // the list under the pointer).
  list.addEventListener("mousedown", function (e) { e.preventDefault(); });
  list.addEventListener("click", function (e) {
    var li = e.target.closest("li[role=option]");
    if (li) location.href = li.dataset.url;
  });
  input.addEventListener("blur", function () { open(false); });
  input.addEventListener("focus", function () { if (input.value.trim() === asked) open(true); });
})();
