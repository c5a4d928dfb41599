// The block editor of the article form and of the outlet's pages. Without it the form still works: blocks
// carry a position field and a delete box, and the server adds blocks.
// With it: move buttons, Alt+ArrowUp/Down and drag and drop renumber the
// position fields in the order shown; delete hides a block (undoable);
// paragraphs get bold, italic and link buttons (Ctrl+B, Ctrl+I); counters
// follow the words and the headline; HTML pasted into a paragraph is
// cleaned by the server (/admin/paste) and becomes blocks; the tag field
// suggests known tags; the form is autosaved a few seconds after each
// change (and kept in the browser until the server has it), and the page
// tells the server every few seconds that it is still open, showing who
// else is in the article. Every string comes from the page's data-*
// attributes, in the newsroom's language.
(function () {
  "use strict";

  var form = document.querySelector("form.article-form");
  var list = form && form.querySelector("ol.blocks");
  if (!list) return;
  var d = list.dataset;
  var count = form.querySelector("input[name=blocks]");

  var el = function (tag, props, children) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "text") e.textContent = props[k];
      else if (k === "value" || k === "checked") e[k] = props[k];
      else e.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  };

  var status = el("p", { "class": "visually-hidden", role: "status" });
  list.after(status);
  var say = function (text) { status.textContent = text; };
  // The writing surface (writer.js), when it took the list's place, has
  // its own hint.
  if (!d.writer) list.before(el("p", { "class": "hint", text: d.keys }));

  var blocks = function () {
    return Array.prototype.filter.call(list.children, function (li) { return li.tagName === "LI"; });
  };
  // Positions follow the order on screen, so the server saves that order.
  var renumber = function () {
    blocks().forEach(function (li, i) {
      var pos = li.querySelector("input.pos");
      if (pos) pos.value = i + 1;
    });
    counters();
  };

  // move swaps li with its neighbour; the neighbour moves, not li, so the
  // focus stays where the writer is typing.
  var move = function (li, dir) {
    var other = dir < 0 ? li.previousElementSibling : li.nextElementSibling;
    if (!other) return;
    list.insertBefore(other, dir < 0 ? li.nextElementSibling : li);
    renumber();
    changed();
    say(d.moved + " " + (blocks().indexOf(li) + 1));
  };

  var wrap = function (area, open, close) {
    var s = area.selectionStart, e = area.selectionEnd, v = area.value;
    area.value = v.slice(0, s) + open + v.slice(s, e) + close + v.slice(e);
    area.focus();
    area.setSelectionRange(s + open.length, e + open.length);
    counters();
  };
  var link = function (area) {
    var url = window.prompt(d.linkPrompt, "https://");
    if (!url || url === "https://") return;
    wrap(area, '<a href="' + url.replace(/&/g, "&amp;").replace(/"/g, "&quot;") + '">', "</a>");
  };

  var enhance = function (li) {
    var tools = li.querySelector(".block-tools");
    if (!tools || tools.querySelector(".move")) return;
    var del = li.querySelector("input[type=checkbox][name$=_delete]");
    var handle = el("span", { "class": "drag", title: d.drag, "aria-hidden": "true", text: "⋮⋮" });
    var up = el("button", { type: "button", "class": "secondary move", text: "↑", title: d.up, "aria-label": d.up });
    var down = el("button", { type: "button", "class": "secondary move", text: "↓", title: d.down, "aria-label": d.down });
    up.addEventListener("click", function () { move(li, -1); up.focus(); });
    down.addEventListener("click", function () { move(li, 1); down.focus(); });
    tools.prepend(handle, up, down);
    if (del) {
      var box = del.closest("label");
      var rm = el("button", { type: "button", "class": "danger", text: d.delete, "aria-pressed": "false" });
      rm.addEventListener("click", function () {
        del.checked = !del.checked;
        li.classList.toggle("deleted", del.checked);
        rm.textContent = del.checked ? d.undelete : d.delete;
        rm.setAttribute("aria-pressed", String(del.checked));
        counters();
        changed();
      });
      if (box) box.hidden = true;
      tools.append(rm);
    }
    var fs = li.querySelector("fieldset");
    var area = fs && fs.classList.contains("block-paragraph") && li.querySelector("textarea[name$=_text]");
    if (area) {
      var bar = el("div", { "class": "inline-tools", role: "toolbar", "aria-label": d.text });
      [["<strong>", "</strong>", d.bold, "B"], ["<em>", "</em>", d.italic, "I"]].forEach(function (m) {
        var b = el("button", { type: "button", "class": "secondary", text: m[2], title: m[2] + " (Ctrl+" + m[3] + ")" });
        b.addEventListener("click", function () { wrap(area, m[0], m[1]); });
        bar.append(b);
      });
      var lb = el("button", { type: "button", "class": "secondary", text: d.link });
      lb.addEventListener("click", function () { link(area); });
      bar.append(lb);
      area.closest("label").before(bar);
    }
    // Dragging starts only from the handle, so text in the fields can
    // still be selected with the mouse.
    handle.addEventListener("mousedown", function () { li.draggable = true; });
    handle.addEventListener("mouseup", function () { li.draggable = false; });
    li.addEventListener("dragend", function () { li.draggable = false; li.classList.remove("dragging"); renumber(); });
  };

  var dragged = null;
  list.addEventListener("dragstart", function (e) {
    dragged = e.target.closest && e.target.closest("ol.blocks > li");
    if (!dragged) return;
    dragged.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", "");
  });
  list.addEventListener("dragover", function (e) {
    var over = e.target.closest && e.target.closest("ol.blocks > li");
    if (!dragged || !over || over === dragged) return;
    e.preventDefault();
    var r = over.getBoundingClientRect();
    list.insertBefore(dragged, e.clientY < r.top + r.height / 2 ? over : over.nextElementSibling);
  });
  list.addEventListener("drop", function (e) {
    if (!dragged) return;
    e.preventDefault();
    dragged = null;
    renumber();
    changed();
  });

  list.addEventListener("keydown", function (e) {
    var li = e.target.closest("ol.blocks > li");
    if (!li) return;
    if (e.altKey && !e.ctrlKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
      e.preventDefault();
      move(li, e.key === "ArrowUp" ? -1 : 1);
      return;
    }
    var para = e.target.matches("textarea[name$=_text]") && li.querySelector("fieldset.block-paragraph");
    if (para && (e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "b" || e.key === "i")) {
      e.preventDefault();
      if (e.key === "b") wrap(e.target, "<strong>", "</strong>");
      else wrap(e.target, "<em>", "</em>");
    }
  });

  // newBlock builds the form fields of a block the server cleaned from a
  // paste, with the names the no-script form uses.
  var newBlock = function (b) {
    var i = Number(count.value);
    count.value = i + 1;
    var p = "b" + i + "_";
    var fs = el("fieldset", { "class": "block block-" + b.type }, [
      el("legend", { text: d["block" + b.type.charAt(0).toUpperCase() + b.type.slice(1)] || b.type }),
      el("input", { type: "hidden", name: p + "type", value: b.type }),
      el("div", { "class": "block-tools" }, [
        el("label", { "class": "inline" }, [d.position + " ", el("input", { type: "number", name: p + "pos", min: "0", step: "any", "class": "pos" })]),
        el("label", { "class": "inline" }, [el("input", { type: "checkbox", name: p + "delete" }), " " + d.delete]),
      ]),
    ]);
    switch (b.type) {
    case "paragraph":
      fs.append(el("label", {}, [el("span", { "class": "visually-hidden", text: d.text }), el("textarea", { name: p + "text", rows: "4", value: b.text || "" })]),
        el("p", { "class": "hint", text: d.hint }));
      break;
    case "heading":
      var level = el("select", { name: p + "level" }, [el("option", { value: "2", text: "H2" }), el("option", { value: "3", text: "H3" })]);
      level.value = String(b.level === 3 ? 3 : 2);
      fs.append(el("label", {}, [d.text + " ", el("input", { name: p + "text", value: b.text || "" })]),
        el("label", { "class": "inline" }, [d.level + " ", level]));
      break;
    case "quote":
      fs.append(el("label", {}, [d.quote + " ", el("textarea", { name: p + "text", rows: "3", value: b.text || "" })]),
        el("label", {}, [d.speaker + " ", el("input", { name: p + "cite", value: b.cite || "" })]));
      break;
    case "list":
      fs.append(el("label", {}, [d.items + " ", el("textarea", { name: p + "items", rows: "4", value: (b.items || []).join("\n") })]),
        el("label", { "class": "inline" }, [el("input", { type: "checkbox", name: p + "ordered", checked: !!b.ordered }), " " + d.ordered]));
      break;
    }
    var li = el("li", {}, [fs]);
    enhance(li);
    return li;
  };

  list.addEventListener("paste", function (e) {
    var area = e.target;
    var li = area.closest("ol.blocks > li");
    var html = e.clipboardData && e.clipboardData.getData("text/html");
    if (!li || !html || !area.matches("textarea[name$=_text]") || !li.querySelector("fieldset.block-paragraph")) return;
    e.preventDefault();
    var plain = e.clipboardData.getData("text/plain");
    var start = area.selectionStart, end = area.selectionEnd;
    var insert = function (text) {
      area.value = area.value.slice(0, start) + text + area.value.slice(end);
      area.setSelectionRange(start + text.length, start + text.length);
      counters();
    };
    say(d.pasting);
    fetch("/admin/paste", { method: "POST", headers: { "Content-Type": "text/html; charset=utf-8", Accept: "application/json" }, body: html })
      .then(function (r) {
        return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.status); return j.blocks; });
      })
      .then(function (got) {
        // One paragraph is text for the cursor, not a new block; nothing
        // usable leaves the plain text.
        if (got.length <= 1 && (!got.length || got[0].type === "paragraph")) {
          insert(got.length ? got[0].text : plain);
          say(d.pasted + " 0");
          return;
        }
        var at = li, first = null;
        got.forEach(function (b) {
          var n = newBlock(b);
          at.after(n);
          at = n;
          first = first || n;
        });
        // An empty paragraph pasted into gives its place to the paste.
        if (area.value.trim() === "" && first) li.remove();
        renumber();
        changed();
        if (first) first.querySelector("textarea, input:not([type=hidden]):not(.pos), select").focus();
        say(d.pasted + " " + got.length);
      })
      .catch(function (err) {
        insert(plain);
        say(d.pasteFailed + " " + err.message);
      });
  });

  // Counters: words and reading time of the body (200 words a minute, as
  // the reader page counts), and the headline's length against the 50–70
  // characters search engines show.
  var box = document.getElementById("counters");
  var headline = form.querySelector("textarea[name=headline]");
  var counters = function () {
    if (!box) return;
    var words = 0;
    blocks().forEach(function (li) {
      if (li.classList.contains("deleted")) return;
      li.querySelectorAll("textarea[name$=_text], input[name$=_text], [name$=_items]").forEach(function (f) {
        words += f.value.replace(/<[^>]*>/g, " ").split(/\s+/).filter(Boolean).length;
      });
    });
    var chars = headline ? Array.from(headline.value.trim()).length : 0;
    var seo = chars < 50 ? "short" : chars > 70 ? "long" : "good";
    box.textContent = box.dataset.words + ": " + words + " · " + box.dataset.reading + ": " + Math.max(1, Math.ceil(words / 200)) +
      " · " + box.dataset.chars + ": " + chars + " — " + box.dataset[seo];
    box.className = "counters " + (seo === "good" ? "ok" : "warn");
    box.hidden = false;
  };
  // Counted a moment after typing stops, not at every key: counting a
  // long article's words takes longer than a frame.
  var countTimer = 0;
  form.addEventListener("input", function (e) {
    // The writing surface's keys are counted once it has written its
    // fields (it sends an input event of its own then).
    if (e.target.isContentEditable) return;
    clearTimeout(countTimer);
    countTimer = setTimeout(counters, 200);
  });

  // Tag suggestions: the field holds a list, so the browser's own
  // suggestions (a datalist) offer the list so far completed with each
  // known tag that starts like the name being typed.
  var tagField = form.querySelector("input[name=tags][data-suggest]");
  var tagList = tagField && document.getElementById(tagField.getAttribute("list"));
  if (tagList) {
    var asked = "", tagTimer = 0;
    tagField.addEventListener("input", function () {
      clearTimeout(tagTimer);
      tagTimer = setTimeout(function () {
        var v = tagField.value;
        var cut = Math.max(v.lastIndexOf(","), v.lastIndexOf("،"));
        var head = v.slice(0, cut + 1), typed = v.slice(cut + 1).trim();
        if (head) head = head.replace(/\s*$/, " ");
        if (!typed || v === asked) return;
        asked = v;
        fetch(tagField.dataset.suggest + "?q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { tags: [] }; })
          .then(function (j) {
            tagList.replaceChildren.apply(tagList, j.tags.map(function (name) { return el("option", { value: head + name }); }));
          })
          .catch(function () {});
      }, 150);
    });
  }

  // Autosave: a few seconds after the last change the form goes to the
  // server as a save that keeps no revision. The answer carries the new
  // version, which the next save (or workflow step) must quote. A new
  // article becomes a draft at its first autosave once it has a headline.
  var fd = form.dataset;
  var note = document.getElementById("autosave");
  var changes = 0, tried = 0, saved = 0, timer = 0, busy = false, stopped = false, submitting = false;
  var delay = 4000;
  // The note shows every save; only failures are announced, so a screen
  // reader is not interrupted every few seconds while its user types.
  var tell = function (text, bad) {
    if (bad) say(text);
    if (!note) return;
    note.textContent = text;
    note.classList.toggle("warn", !!bad);
    note.hidden = false;
  };
  var locked = function () {
    var box = document.getElementById("editing");
    return !!(box && box.classList.contains("locked"));
  };
  // A form without an autosave address (an outlet's page) is saved by
  // its button only; its editor still warns before unsaved changes go.
  var schedule = function (ms) {
    if (fd.autosave && !timer && !stopped && !submitting) timer = setTimeout(autosave, ms);
  };
  var changed = function () {
    changes++;
    schedule(delay);
    keepSoon();
  };
  var hasVersion = function () { return !!form.querySelector("input[name=version]"); };
  var setVersion = function (v) {
    if (!hasVersion()) form.append(el("input", { type: "hidden", name: "version", value: String(v) }));
    document.querySelectorAll("input[name=version]").forEach(function (i) { i.value = String(v); });
  };
  var autosave = function () {
    timer = 0;
    if (busy) { schedule(delay); return; }
    if (changes === tried || stopped || submitting || locked()) return;
    if (!hasVersion() && (!headline || !headline.value.trim())) return;
    var upto = changes;
    busy = true;
    tell(fd.saving);
    fetch(fd.autosave, { method: "POST", headers: { Accept: "application/json" }, body: new URLSearchParams(new FormData(form)) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (j) { return { status: r.status, j: j }; });
      })
      .then(function (res) {
        busy = false;
        var j = res.j;
        if (res.status === 200) {
          tried = saved = upto;
          // The browser's copy is no longer needed (a new draft's, kept
          // under "new", in any case: it moves to the draft's address).
          if (changes === saved || !hasVersion()) drop();
          if (!hasVersion()) {
            // The new draft's own address from now on, for saves, the
            // heartbeat, a reload and what the browser keeps.
            form.setAttribute("action", j.url);
            fd.autosave = j.url + "/autosave";
            fd.presence = j.presence;
            fd.leave = j.url + "/leave";
            history.replaceState(null, "", j.url);
            beat();
          }
          setVersion(j.version);
          // What was typed meanwhile is kept again at once, quoting the
          // version the server now has (its own, not a conflict to
          // restore into): a tab closed a moment later must not leave a
          // copy that quotes the version before.
          if (changes !== saved) keepNow();
          // The server heard from this page last at this autosave; a
          // goodbye quoting an older time would not free the lock.
          fd.seen = j.seen;
          tell(j.message);
        }
        if (held !== null) {
          // The save goes now and answers for itself, whatever this one did.
          release();
          return;
        }
        if (waiting !== null) {
          if (res.status === 200 && changes !== tried) {
            autosave(); // typed meanwhile: that goes first too
            return;
          }
          var w = waiting;
          waiting = null;
          // Saved: the step goes, quoting the new version. Refused: it
          // stays, and the note says why the changes were not saved.
          if (res.status === 200) w.form.requestSubmit(w.button);
        }
        if (res.status === 422) {
          tried = upto; // the same form would be refused again
          tell(j.error || fd.failed, true);
        } else if (res.status >= 500) {
          tell(fd.failed, true);
          schedule(delay * 4);
          return;
        } else if (res.status === 409 && j.fields && j.fields.lock) {
          // Someone claimed the article since the last heartbeat: the
          // notice now says who, and the heartbeat saves once it is free.
          tell(j.error, true);
          beat();
          return;
        } else if (res.status !== 200) {
          // Conflicting or gone: autosaving again cannot help.
          stopped = true;
          tell(j.error || fd.failed, true);
          return;
        }
        if (changes !== tried) schedule(delay);
      })
      .catch(function () {
        busy = false;
        waiting = null;
        if (held !== null) {
          release();
          return;
        }
        tell(fd.failed, true);
        schedule(delay * 4);
      });
  };
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // A save sent while an autosave is on its way would quote the version
  // the autosave is replacing and be refused; it waits for the answer.
  var held = null;
  form.addEventListener("submit", function (e) {
    clearTimeout(timer);
    if (busy) {
      e.preventDefault();
      held = e.submitter || form; // the form itself: sent without a button
      return;
    }
    submitting = true;
    drop();
  });
  // A workflow step or a delete quotes the version too and acts on what
  // the server has: changes an autosave would send go first, and the
  // step follows once they are saved.
  var waiting = null;
  document.querySelectorAll("form.step, form.delete-article").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      if (!busy && (changes === tried || stopped || locked())) return;
      e.preventDefault();
      waiting = { form: f, button: e.submitter || null };
      clearTimeout(timer);
      timer = 0;
      if (!busy) autosave();
    });
  });
  var release = function () {
    if (held === null) return;
    var button = held;
    held = null;
    if (button === form) form.requestSubmit();
    else form.requestSubmit(button);
  };
  window.addEventListener("beforeunload", function (e) {
    if (changes !== saved && !submitting) {
      e.preventDefault();
      e.returnValue = fd.unsaved;
    }
  });

  // What has not reached the server is also kept in this browser until it
  // does, so a lost connection or a closed tab costs nothing: the next
  // visit offers it back, posted to the server, which shows it in the
  // form for review (action "restore") without saving it. It is kept per
  // user, so on a shared newsroom computer nobody is offered someone
  // else's work, and per address (the form's buttons are named "action",
  // which hides form.action: the attribute is read instead).
  var keyOf = function () { return "khabar:unsaved:" + fd.user + ":" + form.getAttribute("action"); };
  var stored = function (pairs) { return pairs.filter(function (p) { return typeof p[1] === "string"; }); };
  var keepTimer = 0;
  var keepNow = function () {
    clearTimeout(keepTimer);
    keepTimer = 0;
    try {
      localStorage.setItem(keyOf(), JSON.stringify({ at: Date.now(), pairs: stored(Array.from(new FormData(form))) }));
    } catch (e) { /* storage full or refused: the autosave remains */ }
  };
  // Typing is kept a second after the last key, not at every one.
  var keepSoon = function () {
    if (!fd.autosave) return;
    clearTimeout(keepTimer);
    keepTimer = setTimeout(keepNow, 1000);
  };
  var drop = function () {
    clearTimeout(keepTimer);
    keepTimer = 0;
    try { localStorage.removeItem(keyOf()); } catch (e) { /* nothing kept */ }
  };
  var kept = null;
  try { kept = JSON.parse(localStorage.getItem(keyOf()) || "null"); } catch (e) { kept = null; }
  var offer = document.getElementById("kept");
  if (fd.restored) {
    changed();
  } else if (kept && Array.isArray(kept.pairs) && offer) {
    if (JSON.stringify(kept.pairs) === JSON.stringify(stored(Array.from(new FormData(form))))) {
      drop();
    } else {
      var od = offer.dataset;
      var restore = el("button", { type: "button", text: od.restore });
      var discard = el("button", { type: "button", "class": "secondary", text: od.discard });
      restore.addEventListener("click", function () {
        var post = el("form", { method: "post", action: form.getAttribute("action"), hidden: "" });
        kept.pairs.forEach(function (p) {
          if (p[0] !== "action") post.append(el("input", { type: "hidden", name: p[0], value: p[1] }));
        });
        post.append(el("input", { type: "hidden", name: "action", value: "restore" }));
        document.body.append(post);
        drop();
        post.submit();
      });
      discard.addEventListener("click", function () {
        drop();
        offer.hidden = true;
      });
      offer.append(el("p", { text: od.text.replace("%s", new Date(kept.at).toLocaleString(document.documentElement.lang)) }), restore, " ", discard);
      offer.hidden = false;
    }
  }

  // Presence: the page signals while open; the answer is the notice of
  // who else is in the article, which also tells this page when an editor
  // took it over (its saves then stop) or when the lock came back to it.
  var beat = function () {
    if (!fd.presence || submitting) return;
    // A page with changes claims the lock; one only read does not.
    fetch(fd.presence, { method: "POST", headers: { Accept: "application/json" }, body: new URLSearchParams({ editing: changes ? "1" : "" }) })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) {
        var box = document.getElementById("editing");
        if (!j) return;
        fd.seen = j.seen;
        if (!box) {
          box = el("div", { id: "editing", "class": "editing", role: "status" });
          form.before(box);
        }
        var t = document.createElement("template");
        t.innerHTML = j.html;
        var fresh = t.content.firstElementChild;
        if (fresh && box.innerHTML !== fresh.innerHTML) {
          box.className = fresh.className;
          box.innerHTML = fresh.innerHTML;
        }
        if (!j.locked && changes !== tried) schedule(delay);
      })
      .catch(function () {});
  };
  setInterval(beat, Number(fd.beat) || 20000);
  window.addEventListener("pageshow", function (e) { if (e.persisted) beat(); });
  window.addEventListener("focus", beat);
  // Browsers slow the timers of background tabs to about once a minute;
  // a tab coming back says it is there at once.
  document.addEventListener("visibilitychange", function () { if (!document.hidden) beat(); });
  // Leaving frees the lock at once; a save reloads this same article, so
  // it keeps the lock instead. The goodbye quotes when the server last
  // heard from this page, so it cannot undo a newer page's hello.
  window.addEventListener("pagehide", function () {
    if (keepTimer) keepNow(); // typed in the last second
    if (fd.leave && fd.seen && !submitting && navigator.sendBeacon) {
      navigator.sendBeacon(fd.leave, new URLSearchParams({ seen: fd.seen }));
    }
  });

  blocks().forEach(enhance);
  renumber();
})();
