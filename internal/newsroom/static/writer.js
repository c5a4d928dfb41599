// The article's writing surface: one ProseMirror document in place of the
// form's list of block fields (partials/blocks.html), which stays in the
// page as the no-script form and as the carrier of what is saved. The
// document's schema maps one to one onto news.Block; whatever the writer
// does, the surface writes the same bN_* fields the no-script form posts
// (into the hidden list, and into every FormData the page builds), so the
// server's validation, autosave, locks, revisions and the browser's kept
// copy work unchanged. Every string comes from the data-* attributes of
// #writer, in the newsroom's language.
(function () {
  "use strict";

  var mount = document.getElementById("writer");
  var form = mount && mount.closest("form");
  var list = form && form.querySelector("ol.blocks");
  if (!list || !window.PM) return;
  var PM = window.PM;
  var M = PM.model, S = PM.state, V = PM.view, C = PM.commands, IR = PM.inputrules;
  var d = mount.dataset;
  var count = form.querySelector("input[name=blocks]");

  var el = function (tag, props, children) {
    var e = document.createElement(tag);
    Object.keys(props || {}).forEach(function (k) {
      if (k === "text") e.textContent = props[k];
      else if (k === "value") e.value = props[k];
      else e.setAttribute(k, props[k]);
    });
    (children || []).forEach(function (c) { e.append(c); });
    return e;
  };
  var status = el("p", { "class": "visually-hidden", role: "status" });
  var say = function (text) { status.textContent = text; };

  // The library's images, for the picker and for showing image blocks.
  var library = {}, shelf = [];
  document.querySelectorAll("#writer-library li").forEach(function (li) {
    library[li.dataset.id] = li.dataset;
    shelf.push(li.dataset.id); // newest first, as the library lists them
  });

  // The schema: one node type per block type (list and fact box items are
  // "item" textblocks, a quote is its text and who said it), and the
  // inline subset paragraphs and items allow: strong, em, a, br.
  var atom = function (tag, attrs) {
    return { group: "block", atom: true, selectable: true, draggable: true, attrs: attrs,
      toDOM: function () { return [tag, { "class": "w-atom" }]; }, parseDOM: [] };
  };
  var schema = new M.Schema({
    nodes: {
      doc: { content: "block+" },
      paragraph: { group: "block", content: "inline*", parseDOM: [{ tag: "p" }],
        toDOM: function () { return ["p", { dir: "auto" }, 0]; } },
      heading: { group: "block", content: "text*", marks: "", attrs: { level: { default: 2 } }, defining: true,
        parseDOM: [{ tag: "h2", attrs: { level: 2 } }, { tag: "h3", attrs: { level: 3 } }],
        toDOM: function (n) { return ["h" + n.attrs.level, { dir: "auto" }, 0]; } },
      quote: { group: "block", content: "quotetext quotecite", defining: true,
        toDOM: function () { return ["blockquote", 0]; } },
      quotetext: { content: "text*", marks: "", toDOM: function () { return ["p", { dir: "auto" }, 0]; } },
      quotecite: { content: "text*", marks: "", toDOM: function () { return ["p", { "class": "w-cite", dir: "auto", "data-label": d.cite }, 0]; } },
      list: { group: "block", content: "item+", attrs: { ordered: { default: false } },
        toDOM: function (n) { return [n.attrs.ordered ? "ol" : "ul", 0]; } },
      factbox: { group: "block", content: "facttitle factitems", defining: true,
        toDOM: function () { return ["aside", { "class": "w-factbox" }, 0]; } },
      factitems: { content: "item+", toDOM: function () { return ["ul", 0]; } },
      facttitle: { content: "text*", marks: "", toDOM: function () { return ["p", { "class": "w-facttitle", dir: "auto", "data-label": d.title }, 0]; } },
      item: { content: "inline*", defining: true, toDOM: function () { return ["li", { dir: "auto" }, 0]; } },
      image: atom("figure", { media: { default: 0 }, caption: { default: "" }, credit: { default: "" }, alt: { default: "" } }),
      embed: atom("div", { url: { default: "" } }),
      divider: { group: "block", atom: true, selectable: true, draggable: true, toDOM: function () { return ["hr"]; } },
      // live: offered from the menu as a live-blog link, whose search
      // finds live blogs still running; stored as any related block.
      related: atom("div", { article: { default: 0 }, label: { default: "" }, live: { default: false } }),
      html: atom("div", { html: { default: "" } }),
      text: { group: "inline" },
      br: { group: "inline", inline: true, selectable: false, parseDOM: [{ tag: "br" }], toDOM: function () { return ["br"]; } },
    },
    marks: {
      strong: { parseDOM: [{ tag: "strong" }, { tag: "b" }], toDOM: function () { return ["strong", 0]; } },
      em: { parseDOM: [{ tag: "em" }, { tag: "i" }], toDOM: function () { return ["em", 0]; } },
      link: { attrs: { href: {} }, inclusive: false,
        parseDOM: [{ tag: "a[href]", getAttrs: function (a) { return { href: a.getAttribute("href") }; } }],
        toDOM: function (m) { return ["a", { href: m.attrs.href }, 0]; } },
    },
  });
  var N = schema.nodes;
  var parser = M.DOMParser.fromSchema(schema);
  var serializer = M.DOMSerializer.fromSchema(schema);

  // inline parses a block's inline HTML into the content of a node of type.
  var inline = function (html, type) {
    var t = document.createElement("template");
    t.innerHTML = html || "";
    return parser.parse(t.content, { topNode: type.create() }).content;
  };
  var plain = function (text) { return text ? schema.text(text) : null; };
  var html = function (fragment) {
    var box = document.createElement("div");
    box.append(serializer.serializeFragment(fragment));
    return box.innerHTML;
  };

  var itemNodes = function (items) {
    return (items.length ? items : [""]).map(function (it) { return N.item.create(null, inline(it, N.item)); });
  };
  // fromBlock and toBlock are the one-to-one mapping with news.Block (as
  // the form's fields carry it).
  var fromBlock = function (b) {
    switch (b.type) {
    case "heading": return N.heading.create({ level: b.level === 3 ? 3 : 2 }, plain(b.text));
    case "quote": return N.quote.create(null, [N.quotetext.create(null, plain(b.text)), N.quotecite.create(null, plain(b.cite))]);
    case "list": return N.list.create({ ordered: !!b.ordered }, itemNodes(b.items));
    case "factbox": return N.factbox.create(null, [N.facttitle.create(null, plain(b.title)), N.factitems.create(null, itemNodes(b.items))]);
    case "image": return N.image.create({ media: b.media, caption: b.caption, credit: b.credit, alt: b.alt });
    case "embed": return N.embed.create({ url: b.url });
    case "divider": return N.divider.create();
    case "related": return N.related.create({ article: b.article });
    case "html": return N.html.create({ html: b.text });
    }
    return N.paragraph.create(null, inline(b.text, N.paragraph));
  };
  var items = function (node) {
    var out = [];
    node.forEach(function (c) { out.push(html(c.content)); });
    return out.filter(function (s) { return s.trim() !== ""; });
  };
  // toBlock is null for a block not yet written (an empty heading, an
  // image with no picture): like the form's empty paragraph, it is not
  // saved rather than refused.
  var toBlock = function (n) {
    var a = n.attrs;
    switch (n.type) {
    case N.paragraph: return n.textContent.trim() ? { type: "paragraph", text: html(n.content) } : null;
    case N.heading: return n.textContent.trim() ? { type: "heading", text: n.textContent, level: a.level } : null;
    case N.quote: return n.child(0).textContent.trim() ? { type: "quote", text: n.child(0).textContent, cite: n.child(1).textContent } : null;
    case N.list: var li = items(n); return li.length ? { type: "list", items: li, ordered: a.ordered } : null;
    case N.factbox: var fi = items(n.child(1)); return fi.length || n.child(0).textContent.trim() ? { type: "factbox", title: n.child(0).textContent, items: fi } : null;
    case N.image: return a.media ? { type: "image", media: a.media, caption: a.caption, credit: a.credit, alt: a.alt } : null;
    case N.embed: return a.url.trim() ? { type: "embed", url: a.url.trim() } : null;
    case N.divider: return { type: "divider" };
    case N.related: return a.article ? { type: "related", article: a.article } : null;
    case N.html: return { type: "html", text: a.html };
    }
    return null;
  };
  // A block's fields are worked out once per node: ProseMirror keeps the
  // nodes a change did not touch, so after a key only the block typed in
  // is serialized again, not the whole article.
  var blockOf = new WeakMap();
  var cachedBlock = function (n) {
    if (!blockOf.has(n)) blockOf.set(n, toBlock(n));
    return blockOf.get(n);
  };
  // fields are the form's pairs for the document, in its order.
  var fields = function (doc) {
    var out = [], i = 0;
    doc.forEach(function (n) {
      var b = cachedBlock(n);
      if (!b) return;
      var p = "b" + i + "_";
      out.push([p + "type", b.type], [p + "pos", String(i + 1)]);
      ["text", "level", "cite", "media", "caption", "credit", "alt", "url", "title", "article"].forEach(function (k) {
        if (b[k] !== undefined && b[k] !== "") out.push([p + k, String(b[k])]);
      });
      if (b.items) out.push([p + "items", b.items.join("\n")]);
      if (b.ordered) out.push([p + "ordered", "on"]);
      i++;
    });
    return { count: i, pairs: out };
  };

  // The blocks the server sent, read from the no-script form's fields in
  // the order of their position fields.
  var read = function () {
    var got = [];
    list.querySelectorAll(":scope > li").forEach(function (li, i) {
      var f = function (k) { var e = li.querySelector("[name$=_" + k + "]"); return e ? (e.type === "checkbox" ? e.checked : e.value) : ""; };
      if (f("delete") === true) return;
      got.push({ pos: Number(f("pos")) || i + 1, b: { type: f("type"), text: f("text"), level: Number(f("level")), cite: f("cite"),
        media: Number(f("media")) || 0, caption: f("caption"), credit: f("credit"), alt: f("alt"), url: f("url"), title: f("title"),
        article: Number(f("article")) || 0, ordered: f("ordered") === true,
        items: f("items").split("\n").map(function (s) { return s.trim(); }).filter(Boolean) } });
    });
    got.sort(function (x, y) { return x.pos - y.pos; });
    var nodes = got.map(function (g) { return fromBlock(g.b); });
    return N.doc.create(null, nodes.length ? nodes : [N.paragraph.create()]);
  };

  // The hidden list carries the document as the no-script form would,
  // rewritten after a pause in typing. Until then its fields are disabled,
  // so a FormData made meanwhile (an autosave, the browser's kept copy, a
  // submit) leaves them out and takes the document as it is now instead,
  // without rebuilding the list.
  var dirty = false, syncTimer = 0, held = el("fieldset", { disabled: "" });
  var sync = function (quiet) {
    clearTimeout(syncTimer);
    syncTimer = 0;
    dirty = false;
    var f = fields(view.state.doc);
    count.value = String(f.count);
    held = el("fieldset");
    f.pairs.forEach(function (p) { held.append(el("input", { type: "hidden", name: p[0], value: p[1] })); });
    list.replaceChildren(el("li", {}, [held]));
    // The form's own script counts words and autosaves on input.
    if (!quiet) list.dispatchEvent(new Event("input", { bubbles: true }));
  };
  var changed = function () {
    if (!dirty) held.disabled = true;
    dirty = true;
    clearTimeout(syncTimer);
    syncTimer = setTimeout(sync, 300);
  };
  form.addEventListener("formdata", function (e) {
    if (!dirty) return;
    var f = fields(view.state.doc);
    e.formData.set("blocks", String(f.count));
    f.pairs.forEach(function (p) { e.formData.append(p[0], p[1]); });
  });

  // Commands.
  // top is the index of the top-level block holding the selection (or,
  // for a selected block, of that block).
  var top = function (state) { return state.selection.$from.index(0); };
  var startOf = function (doc, i) {
    var pos = 0;
    for (var k = 0; k < i; k++) pos += doc.child(k).nodeSize;
    return pos;
  };
  // move swaps the block holding the selection with its neighbour; the
  // selection moves with it.
  var move = function (dir) {
    return function (state, dispatch) {
      var i = top(state), doc = state.doc, j = i + dir;
      if (j < 0 || j >= doc.childCount) return false;
      if (dispatch) {
        var lo = Math.min(i, j), a = doc.child(lo), b = doc.child(lo + 1), at = startOf(doc, lo);
        var tr = state.tr.replaceWith(at, at + a.nodeSize + b.nodeSize, [b, a]);
        var delta = dir < 0 ? -doc.child(j).nodeSize : doc.child(j).nodeSize, sel = state.selection;
        tr.setSelection(sel instanceof S.NodeSelection ? S.NodeSelection.create(tr.doc, sel.from + delta)
          : S.TextSelection.create(tr.doc, sel.anchor + delta, sel.head + delta));
        dispatch(tr.scrollIntoView());
        say(d.moved + " " + (j + 1));
      }
      return true;
    };
  };
  // insertBlock puts node in place of the empty paragraph holding the
  // cursor, or after the block holding it, and puts the cursor in it.
  var insertBlock = function (view, node) {
    var state = view.state, i = top(state), doc = state.doc, at = startOf(doc, i), cur = doc.child(i);
    var tr = state.tr;
    if (cur.type === N.paragraph && cur.content.size === 0) tr.replaceWith(at, at + cur.nodeSize, node);
    else { at += cur.nodeSize; tr.insert(at, node); }
    if (node.isAtom) {
      // A paragraph after it, so writing goes on below.
      if (at + node.nodeSize >= tr.doc.content.size) tr.insert(at + node.nodeSize, N.paragraph.create());
      tr.setSelection(S.NodeSelection.create(tr.doc, at));
    } else {
      tr.setSelection(S.TextSelection.near(tr.doc.resolve(at + 1)));
    }
    view.dispatch(tr.scrollIntoView());
  };
  // Enter inside a quote goes from its text to who said it, and from there
  // out to a new paragraph; in a fact box's title, to its first item; in an
  // empty item, out of the list.
  var enter = function (state, dispatch) {
    var $f = state.selection.$from, p = $f.parent;
    if (!state.selection.empty) return false;
    if (p.type === N.quotetext || p.type === N.facttitle) {
      if (dispatch) dispatch(state.tr.setSelection(S.Selection.near(state.doc.resolve($f.after() + 1))).scrollIntoView());
      return true;
    }
    var out = p.type === N.quotecite || (p.type === N.item && p.content.size === 0 && $f.index($f.depth - 1) === $f.node($f.depth - 1).childCount - 1);
    if (!out) return false;
    if (dispatch) {
      var tr = state.tr, after = $f.after(1), box = $f.node($f.depth - 1);
      if (p.type === N.item && box.type === N.list && box.childCount === 1) {
        // A list of one empty item is a paragraph again.
        tr.replaceWith($f.before(1), after, N.paragraph.create());
        dispatch(tr.setSelection(S.TextSelection.create(tr.doc, $f.before(1) + 1)).scrollIntoView());
        return true;
      }
      if (p.type === N.item && box.childCount > 1) {
        tr.delete($f.before(), $f.after());
        after = tr.mapping.map(after);
      }
      tr.insert(after, N.paragraph.create());
      dispatch(tr.setSelection(S.TextSelection.create(tr.doc, after + 1)).scrollIntoView());
    }
    return true;
  };
  // Backspace at the start of a heading makes it a paragraph again.
  var unheading = function (state, dispatch) {
    var $f = state.selection.$from;
    if (!state.selection.empty || $f.parent.type !== N.heading || $f.parentOffset !== 0) return false;
    return C.setBlockType(N.paragraph)(state, dispatch);
  };
  var hardBreak = function (state, dispatch) {
    var p = state.selection.$from.parent;
    if (p.type !== N.paragraph && p.type !== N.item) return false;
    if (dispatch) dispatch(state.tr.replaceSelectionWith(N.br.create()).scrollIntoView());
    return true;
  };

  // Markdown-like shortcuts typed at the start of a paragraph.
  var replacePara = function (make) {
    return function (state, match, start, end) {
      var $s = state.doc.resolve(start);
      if ($s.depth !== 1 || $s.parent.type !== N.paragraph) return null;
      var rest = $s.parent.content.cut(end - $s.start());
      var node = make(rest);
      var from = $s.before(1), tr = state.tr.replaceWith(from, $s.after(1), node);
      // After a divider, writing goes on in a new paragraph below it.
      if (node.isAtom) tr.insert(from + node.nodeSize, N.paragraph.create());
      return tr.setSelection(S.TextSelection.near(tr.doc.resolve(from + (node.isAtom ? node.nodeSize : 0) + 1)));
    };
  };
  var text = function (frag) { return plain(frag.textBetween(0, frag.size)); };
  var rules = IR.inputRules({ rules: [
    new IR.InputRule(/^##\s$/, replacePara(function (r) { return N.heading.create({ level: 2 }, text(r)); })),
    new IR.InputRule(/^###\s$/, replacePara(function (r) { return N.heading.create({ level: 3 }, text(r)); })),
    new IR.InputRule(/^>\s$/, replacePara(function (r) { return N.quote.create(null, [N.quotetext.create(null, text(r)), N.quotecite.create()]); })),
    new IR.InputRule(/^[-*•]\s$/, replacePara(function (r) { return N.list.create({ ordered: false }, N.item.create(null, r)); })),
    new IR.InputRule(/^(1|١)[.)]\s$/, replacePara(function (r) { return N.list.create({ ordered: true }, N.item.create(null, r)); })),
    new IR.InputRule(/^---$/, replacePara(function () { return N.divider.create(); })),
  ] });

  // Popups: the block menu, the library, the link box. One at a time; Escape
  // or a choice closes it and gives the focus back to the text.
  var popup = null;
  var close = function () {
    if (!popup) return;
    popup.box.remove();
    popup = null;
    view.dom.removeAttribute("aria-activedescendant");
    view.dom.removeAttribute("aria-controls");
    view.focus();
  };
  var place = function (box) {
    var c = view.coordsAtPos(view.state.selection.from), r = wrap.getBoundingClientRect();
    box.style.insetBlockStart = (c.bottom - r.top + 4) + "px";
  };
  // listbox shows options (label, action) as an ARIA listbox; the text
  // keeps the focus when keepFocus is true (the "/" menu), the listbox takes it
  // otherwise.
  var seq = 0;
  var listbox = function (label, options, keepFocus) {
    close();
    var box = el("div", { "class": "w-popup" });
    var lb = el("ul", { role: "listbox", id: "w-list-" + (++seq), "aria-label": label, tabindex: "-1" });
    var active = 0;
    var show = function () {
      Array.prototype.forEach.call(lb.children, function (o, i) {
        o.setAttribute("aria-selected", String(i === active));
        if (i === active) {
          o.scrollIntoView({ block: "nearest" });
          (keepFocus ? view.dom : lb).setAttribute("aria-activedescendant", o.id);
        }
      });
    };
    options.forEach(function (o, i) {
      var li = el("li", { role: "option", id: lb.id + "-" + i }, o.node ? [o.node] : []);
      if (!o.node) li.textContent = o.label;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { choose(i); });
      lb.append(li);
    });
    var choose = function (i) { var o = options[i]; close(); if (o) o.run(); };
    var key = function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + options.length) % options.length;
        show();
      } else if (e.key === "Home" || e.key === "End") {
        active = e.key === "Home" ? 0 : options.length - 1;
        show();
      } else if (e.key === "Enter") {
        choose(active);
      } else if (e.key === "Escape") {
        close();
      } else {
        return false;
      }
      e.preventDefault();
      return true;
    };
    lb.addEventListener("keydown", key);
    box.append(lb);
    wrap.append(box);
    place(box);
    popup = { box: box, key: keepFocus ? key : null };
    if (keepFocus) {
      view.dom.setAttribute("aria-controls", lb.id);
    } else {
      lb.focus();
    }
    if (options.length) show();
    return lb;
  };

  var blockTypes = function () {
    var empty = function (type, attrs) { return function () { insertBlock(view, type.create(attrs)); }; };
    return [
      { label: d.heading, run: function () { insertBlock(view, N.heading.create({ level: 2 })); } },
      { label: d.subheading, run: function () { insertBlock(view, N.heading.create({ level: 3 })); } },
      { label: d.quote, run: function () { insertBlock(view, N.quote.create(null, [N.quotetext.create(), N.quotecite.create()])); } },
      { label: d.list, run: function () { insertBlock(view, N.list.create({ ordered: false }, N.item.create())); } },
      { label: d.orderedList, run: function () { insertBlock(view, N.list.create({ ordered: true }, N.item.create())); } },
      { label: d.image, run: pickImage },
      { label: d.upload, run: upload },
      { label: d.embed, run: empty(N.embed) },
      { label: d.divider, run: empty(N.divider) },
      { label: d.factbox, run: function () { insertBlock(view, N.factbox.create(null, [N.facttitle.create(), N.factitems.create(null, N.item.create())])); } },
      { label: d.related, run: empty(N.related) },
      { label: d.liveblog, run: empty(N.related, { live: true }) },
    ];
  };
  var blockMenu = function (keepFocus) { listbox(d.menu, blockTypes(), keepFocus); };

  // The library, with its alt text: picking an image fills the block's
  // alt text from it, which the writer may then change.
  var imageNode = function (id) {
    var m = library[id] || {};
    return N.image.create({ media: Number(id), caption: m.caption || "", credit: m.credit || "", alt: m.alt || "" });
  };
  var pickImage = function () {
    if (!shelf.length) { say(d.libraryEmpty); return; }
    listbox(d.library, shelf.map(function (id) {
      var m = library[id];
      return { node: el("span", { "class": "w-pick" }, [el("img", { src: m.src, alt: "", loading: "lazy" }), el("bdi", { text: m.caption || m.alt || "#" + id })]),
        run: function () { insertBlock(view, imageNode(id)); } };
    }), false);
  };
  // upload sends a new picture to the library, as its page does, and puts
  // it in the article.
  var upload = function () {
    var input = el("input", { type: "file", accept: "image/*", hidden: "" });
    input.addEventListener("change", function () {
      var f = input.files[0];
      input.remove();
      if (!f) return;
      var body = new FormData();
      body.append("files", f, f.name);
      say(d.uploading);
      fetch("/admin/media", { method: "POST", headers: { Accept: "application/json" }, body: body })
        .then(function (r) { return r.json(); })
        .then(function (j) {
          var got = j.files && j.files[0];
          say(got ? got.message : d.uploadFailed);
          if (!got || !got.id || got.failed) return;
          // Shown from the file picked (as a data: address, which the
          // page's CSP allows) until the page is loaded again with the
          // library, and offered by the picker meanwhile.
          var id = String(got.id);
          if (library[id]) { insertBlock(view, imageNode(id)); return; }
          var reader = new FileReader();
          reader.addEventListener("loadend", function () {
            library[id] = { src: reader.result || "" };
            shelf.unshift(id);
            insertBlock(view, imageNode(id));
          });
          reader.readAsDataURL(f);
        })
        .catch(function () { say(d.uploadFailed); });
    });
    wrap.append(input);
    input.click();
  };

  // Finding our own articles, for links and related-article blocks.
  var find = function (q, live) {
    return fetch("/admin/articles/find?q=" + encodeURIComponent(q) + (live ? "&live=1" : ""), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { articles: [] }; })
      .then(function (j) { return j.articles || []; })
      .catch(function () { return []; });
  };
  // searchBox is a combobox over find's answers; done gets the chosen
  // article, or {url} for an address typed in. A live box lists the
  // running live blogs before anything is typed.
  var searchBox = function (label, done, anchor, live) {
    close();
    var box = el("div", { "class": "w-popup", role: "dialog", "aria-label": label });
    var id = "w-find-" + (++seq);
    var input = el("input", { type: "search", role: "combobox", "aria-label": label, "aria-expanded": "false", "aria-controls": id,
      "aria-autocomplete": "list", placeholder: d.linkSearch, dir: "auto" });
    var lb = el("ul", { role: "listbox", id: id, "aria-label": label });
    var found = [], active = -1, timer = 0;
    var show = function () {
      lb.replaceChildren.apply(lb, found.map(function (a, i) {
        var o = el("li", { role: "option", id: id + "-" + i, "aria-selected": String(i === active) }, [el("bdi", { text: a.headline })]);
        o.addEventListener("mousedown", function (e) { e.preventDefault(); });
        o.addEventListener("click", function () { pick(a); });
        return o;
      }));
      input.setAttribute("aria-expanded", String(found.length > 0));
      if (active >= 0) input.setAttribute("aria-activedescendant", id + "-" + active);
      else input.removeAttribute("aria-activedescendant");
    };
    var pick = function (a) { close(); done(a); };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (/^(https?:\/\/|mailto:)/i.test(q)) { found = []; active = -1; show(); return; }
      timer = setTimeout(function () {
        find(q, live).then(function (got) { if (input.value.trim() === q) { found = got; active = got.length ? 0 : -1; show(); } });
      }, 150);
    });
    input.addEventListener("keydown", function (e) {
      if ((e.key === "ArrowDown" || e.key === "ArrowUp") && found.length) {
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + found.length) % found.length;
        show();
      } else if (e.key === "Enter") {
        var q = input.value.trim();
        if (active >= 0 && found[active]) pick(found[active]);
        else if (/^(https?:\/\/|mailto:)\S+$/i.test(q)) pick({ url: q });
      } else if (e.key === "Escape") {
        close();
      } else {
        return;
      }
      e.preventDefault();
    });
    box.append(input, lb);
    (anchor || wrap).append(box);
    if (!anchor) place(box);
    popup = { box: box, key: null };
    input.focus();
    if (live) find("", true).then(function (got) { if (!input.value.trim()) { found = got; active = got.length ? 0 : -1; show(); } });
  };
  var linkBox = function () {
    var sel = view.state.selection, from = sel.from, to = sel.to;
    var parent = sel.$from.parent;
    if (!parent.inlineContent || parent.type.spec.marks === "") return false;
    searchBox(d.link, function (a) {
      var mark = schema.marks.link.create({ href: a.url });
      var tr = view.state.tr;
      if (from === to) {
        var t = a.headline || a.url;
        tr.insertText(t, from);
        tr.addMark(from, from + t.length, mark);
      } else {
        tr.addMark(from, to, mark);
      }
      view.dispatch(tr);
      say(d.linked);
    });
    return true;
  };
  var unlink = function (state, dispatch) {
    var sel = state.selection;
    if (!state.doc.rangeHasMark(sel.from, sel.to, schema.marks.link)) return false;
    if (dispatch) dispatch(state.tr.removeMark(sel.from, sel.to, schema.marks.link));
    return true;
  };

  // Node views for blocks that are not text: their fields are inputs that
  // change the node's attributes (so undo covers them too).
  var fieldsView = function (node, view, getPos, build) {
    var dom = el("div", { "class": "w-block w-" + node.type.name, contenteditable: "false" });
    var inputs = {};
    var field = function (k, label, props) {
      var input = el("input", Object.assign({ dir: "auto", value: String(node.attrs[k] || "") }, props || {}));
      input.addEventListener("input", function () {
        var pos = getPos(), attrs = Object.assign({}, view.state.doc.nodeAt(pos).attrs);
        attrs[k] = input.value;
        view.dispatch(view.state.tr.setNodeMarkup(pos, null, attrs));
      });
      inputs[k] = input;
      return el("label", { "class": "w-field" }, [el("span", { text: label }), input]);
    };
    var nv = {
      dom: dom,
      update: function (n) {
        if (n.type !== node.type) return false;
        node = n;
        Object.keys(inputs).forEach(function (k) {
          if (document.activeElement !== inputs[k]) inputs[k].value = String(n.attrs[k] || "");
        });
        if (nv.refresh) nv.refresh(n);
        return true;
      },
      stopEvent: function (e) { return !!(e.target.closest && e.target.closest("input, button, .w-popup")); },
      ignoreMutation: function () { return true; },
      selectNode: function () { dom.classList.add("w-selected"); },
      deselectNode: function () { dom.classList.remove("w-selected"); },
    };
    // Enter in a field would send the form: it goes back to the text.
    dom.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || !e.target.matches("input") || e.target.closest(".w-popup")) return;
      e.preventDefault();
      var after = getPos() + view.state.doc.nodeAt(getPos()).nodeSize;
      view.focus();
      view.dispatch(view.state.tr.setSelection(S.Selection.near(view.state.doc.resolve(after))).scrollIntoView());
    });
    build(dom, field, nv);
    if (!node.attrs.media && !node.attrs.url && !node.attrs.article && !node.attrs.html) {
      setTimeout(function () { var f = dom.querySelector("input, button"); if (f) f.focus(); }, 0);
    }
    return nv;
  };
  var nodeViews = {
    image: function (node, v, getPos) {
      return fieldsView(node, v, getPos, function (dom, field, nv) {
        var img = el("img", { alt: "" }), label = el("p", { "class": "w-kind" });
        nv.refresh = function (n) {
          var m = library[n.attrs.media];
          if (m) img.src = m.src;
          img.hidden = !m;
          label.textContent = d.image + " #" + n.attrs.media;
        };
        nv.refresh(node);
        dom.append(label, img, field("caption", d.caption), field("credit", d.credit), field("alt", d.alt));
        dom.append(el("p", { "class": "w-note", text: d.altNote }));
      });
    },
    embed: function (node, v, getPos) {
      return fieldsView(node, v, getPos, function (dom, field, nv) {
        // Said while typing, as the server would refuse it on saving.
        var bad = el("p", { "class": "w-note", role: "status" });
        nv.refresh = function (n) { bad.textContent = n.attrs.url.trim() && !embeddable(n.attrs.url.trim()) ? d.embedBad : ""; };
        nv.refresh(node);
        dom.append(el("p", { "class": "w-kind", text: d.embed }), field("url", d.embedUrl, { type: "url", dir: "ltr", placeholder: "https://www.youtube.com/watch?v=…" }), bad);
      });
    },
    related: function (node, v, getPos) {
      return fieldsView(node, v, getPos, function (dom, field, nv) {
        var shown = el("p", { "class": "w-kind" });
        var kind = node.attrs.live ? d.liveblog : d.related;
        nv.refresh = function (n) { shown.textContent = kind + (n.attrs.article ? ": " + (n.attrs.label || "#" + n.attrs.article) : ""); };
        nv.refresh(node);
        var choose = el("button", { type: "button", "class": "secondary", text: d.relatedChoose });
        choose.addEventListener("click", function () {
          searchBox(kind, function (a) {
            if (!a.id) return;
            var pos = getPos(), attrs = Object.assign({}, v.state.doc.nodeAt(pos).attrs, { article: a.id, label: a.headline });
            v.dispatch(v.state.tr.setNodeMarkup(pos, null, attrs));
          }, dom, node.attrs.live);
        });
        dom.append(shown, choose);
      });
    },
    html: function (node, v, getPos) {
      return fieldsView(node, v, getPos, function (dom) {
        // Imported markup, shown as its text: it has no block of its own.
        var t = document.createElement("template");
        t.innerHTML = node.attrs.html;
        dom.append(el("p", { "class": "w-kind", text: d.html }), el("p", { dir: "auto", text: t.content.textContent }));
      });
    },
  };

  // Paste: HTML goes through the server's cleaner, as in the no-script
  // form's script; an embeddable address alone becomes an embed block.
  var hosts = (d.embedHosts || "").split(" ");
  var embeddable = function (text) {
    if (/\s/.test(text)) return false;
    try {
      var u = new URL(text);
      return u.protocol === "https:" && hosts.indexOf(u.hostname.toLowerCase()) >= 0;
    } catch (e) { return false; }
  };  var paste = function (v, e) {
    var cd = e.clipboardData;
    if (!cd) return false;
    var htmlData = cd.getData("text/html"), plainData = cd.getData("text/plain").trim();
    var $f = v.state.selection.$from;
    if (!htmlData && embeddable(plainData) && $f.depth === 1 && $f.parent.type === N.paragraph && $f.parent.content.size === 0) {
      insertBlock(v, N.embed.create({ url: plainData }));
      say(d.embedded);
      return true;
    }
    // ProseMirror's own clipboard (a cut and paste within the article)
    // keeps its blocks as they are.
    if (!htmlData || htmlData.indexOf("data-pm-slice") >= 0) return false;
    say(d.pasting);
    fetch("/admin/paste", { method: "POST", headers: { "Content-Type": "text/html; charset=utf-8", Accept: "application/json" }, body: htmlData })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.error || r.status); return j.blocks; }); })
      .then(function (got) {
        var nodes = got.map(function (b) {
          return fromBlock({ type: b.type, text: b.text || "", level: b.level, cite: b.cite || "", media: b.media_id || 0, caption: b.caption || "",
            credit: b.credit || "", alt: b.alt || "", url: b.url || "", title: b.title || "", article: b.article_id || 0,
            ordered: !!b.ordered, items: b.items || [] });
        });
        var tr = v.state.tr;
        var into = v.state.selection.$from.parent;
        if (nodes.length === 1 && nodes[0].type === N.paragraph && into.inlineContent) {
          // One paragraph is text at the caret; a heading or quote takes
          // it without its bold, italic and links.
          if (into.type.spec.marks === "") tr.insertText(nodes[0].textContent);
          else tr.replaceSelection(new M.Slice(nodes[0].content, 0, 0));
        } else if (nodes.length) {
          var i = top(v.state), at = startOf(v.state.doc, i), cur = v.state.doc.child(i);
          if (cur.type === N.paragraph && cur.content.size === 0) tr.replaceWith(at, at + cur.nodeSize, nodes);
          else tr.insert(at + cur.nodeSize, nodes);
        } else {
          tr.insertText(plainData);
        }
        v.dispatch(tr.scrollIntoView());
        say(d.pasted + " " + nodes.length);
      })
      .catch(function (err) {
        v.dispatch(v.state.tr.insertText(plainData));
        say(d.pasteFailed + " " + err.message);
      });
    return true;
  };

  // The floating toolbar over a selection, and the "+" and drag handle
  // beside the block being written or pointed at.
  var wrap = el("div", { "class": "w-wrap" });
  var bar = el("div", { "class": "w-toolbar", role: "toolbar", "aria-label": d.format, hidden: "" });
  // From the keyboard: Alt+F10 in a selection goes to the toolbar (as in
  // other editors), the arrows, Home and End move along it, Escape goes
  // back to the text with the selection as it was.
  var tool = function (label, key, cmd) {
    var b = el("button", { type: "button", "class": "secondary", text: label, title: label + " (Ctrl+" + key + ")",
      "aria-keyshortcuts": "Control+" + key, "aria-pressed": "false", tabindex: bar.childElementCount ? "-1" : "0" });
    b.addEventListener("mousedown", function (e) { e.preventDefault(); });
    b.addEventListener("click", function () {
      cmd(view.state, view.dispatch, view);
      if (!popup) view.focus(); // the link box keeps the focus it took
    });
    bar.append(b);
    return b;
  };
  var boldB = tool(d.bold, "B", C.toggleMark(schema.marks.strong));
  var italicB = tool(d.italic, "I", C.toggleMark(schema.marks.em));
  var linkB = tool(d.link, "K", function () { linkBox(); });
  var tools = [boldB, italicB, linkB];
  var toTool = function (b) {
    tools.forEach(function (t) { t.tabIndex = t === b ? 0 : -1; });
    b.focus();
  };
  bar.addEventListener("keydown", function (e) {
    var i = tools.indexOf(document.activeElement), next = getComputedStyle(bar).direction === "rtl" ? "ArrowLeft" : "ArrowRight";
    if (i < 0) return;
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") toTool(tools[(i + (e.key === next ? 1 : tools.length - 1)) % tools.length]);
    else if (e.key === "Home" || e.key === "End") toTool(tools[e.key === "Home" ? 0 : tools.length - 1]);
    else if (e.key === "Escape") view.focus();
    else return;
    e.preventDefault();
  });
  var toToolbar = function (state) {
    var sel = state.selection, p = sel.$from.parent;
    if (sel.empty || !(sel instanceof S.TextSelection) || !p.inlineContent || p.type.spec.marks === "") return false;
    follow(view); // shown now, not at the next frame
    toTool(tools.filter(function (t) { return t.tabIndex === 0; })[0] || boldB);
    return true;
  };
  var plus = el("button", { type: "button", "class": "w-plus secondary", "aria-label": d.add, title: d.add, "aria-haspopup": "listbox", text: "+", hidden: "" });
  plus.addEventListener("mousedown", function (e) { e.preventDefault(); });
  plus.addEventListener("click", function () { blockMenu(false); });
  var handle = el("span", { "class": "w-handle", draggable: "true", title: d.drag, "aria-hidden": "true", text: "⋮⋮", hidden: "" });
  var handleAt = -1;
  var blockDOM = function (i) { return view.dom.children[i]; };
  var showHandle = function (i) {
    var b = blockDOM(i);
    if (!b) return;
    handleAt = i;
    handle.hidden = false;
    handle.style.insetBlockStart = (b.getBoundingClientRect().top - wrap.getBoundingClientRect().top) + "px";
  };
  handle.addEventListener("dragstart", function (e) {
    if (handleAt < 0 || handleAt >= view.state.doc.childCount) return;
    var sel = S.NodeSelection.create(view.state.doc, startOf(view.state.doc, handleAt));
    view.dispatch(view.state.tr.setSelection(sel));
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", sel.node.textContent);
    e.dataTransfer.setDragImage(blockDOM(handleAt), 0, 0);
    view.dragging = { slice: sel.content(), move: true, node: sel };
  });
  var markActive = function (state, type) {
    var sel = state.selection;
    return sel.empty ? !!type.isInSet(state.storedMarks || sel.$from.marks()) : state.doc.rangeHasMark(sel.from, sel.to, type);
  };
  // The chrome follows the document once a frame, not at every change:
  // its positions need a layout, which typing would otherwise force at
  // every key in a long article.
  var chromeFrame = 0;
  var chrome = new S.Plugin({
    view: function () {
      return {
        update: function (v) {
          if (!chromeFrame) chromeFrame = requestAnimationFrame(function () { chromeFrame = 0; follow(v); });
        },
      };
    },
  });
  var follow = function (v) {
    var state = v.state, sel = state.selection, p = sel.$from.parent;
    var formatting = !sel.empty && sel instanceof S.TextSelection && p.inlineContent && p.type.spec.marks !== "";
    bar.hidden = !formatting;
    if (formatting) {
      var a = v.coordsAtPos(sel.from), r = wrap.getBoundingClientRect();
      bar.style.insetBlockStart = Math.max(0, a.top - r.top - bar.offsetHeight - 6) + "px";
      boldB.setAttribute("aria-pressed", String(markActive(state, schema.marks.strong)));
      italicB.setAttribute("aria-pressed", String(markActive(state, schema.marks.em)));
      linkB.setAttribute("aria-pressed", String(markActive(state, schema.marks.link)));
    }
    var emptyPara = sel.empty && sel.$from.depth === 1 && p.type === N.paragraph && p.content.size === 0;
    plus.hidden = !emptyPara;
    if (emptyPara) {
      var c = v.coordsAtPos(sel.from);
      plus.style.insetBlockStart = (c.top - wrap.getBoundingClientRect().top - 4) + "px";
    }
    showHandle(top(state));
  };

  var keys = PM.keymap.keymap({
    "Enter": C.chainCommands(enter, C.splitBlock),
    "Shift-Enter": hardBreak,
    "Backspace": unheading,
    "Mod-b": C.toggleMark(schema.marks.strong),
    "Mod-i": C.toggleMark(schema.marks.em),
    "Mod-k": function () { return linkBox(); },
    "Mod-Shift-k": unlink,
    "Mod-z": PM.history.undo,
    "Mod-y": PM.history.redo,
    "Shift-Mod-z": PM.history.redo,
    "Alt-ArrowUp": move(-1),
    "Alt-ArrowDown": move(1),
    "Alt-F10": toToolbar,
  });

  var doc = read();
  var ed = el("div", { "class": "w-doc" });
  // The text first: Tab from the lead goes into it, then to its «+» and toolbar.
  wrap.append(ed, bar, plus, handle);
  mount.append(wrap, status);
  var view = new V.EditorView(ed, {
    state: S.EditorState.create({ doc: doc, plugins: [rules, keys, PM.keymap.keymap(C.baseKeymap), PM.history.history(),
      PM.dropcursor.dropCursor(), PM.gapcursor.gapCursor(), chrome] }),
    nodeViews: nodeViews,
    attributes: { role: "textbox", "aria-multiline": "true", "aria-label": d.label, "aria-describedby": "writer-keys", dir: "rtl", "class": "w-text", spellcheck: "true" },
    handlePaste: paste,
    handleKeyDown: function (v, e) {
      if (popup && popup.key) return popup.key(e);
      return false;
    },
    handleTextInput: function (v, from, to, t) {
      // Typing closes the "/" menu; a second "/" is then just a slash.
      var menuWasOpen = !!(popup && popup.key);
      if (menuWasOpen) close();
      var $f = v.state.doc.resolve(from);
      if (t === "/" && !menuWasOpen && $f.depth === 1 && $f.parent.type === N.paragraph && $f.parent.content.size === 0) {
        blockMenu(true);
        return true;
      }
      return false;
    },
    dispatchTransaction: function (tr) {
      view.updateState(view.state.apply(tr));
      if (tr.docChanged) changed();
    },
  });
  view.dom.addEventListener("blur", function (e) {
    if (popup && popup.key && !(e.relatedTarget && popup.box.contains(e.relatedTarget))) close();
  });
  ed.addEventListener("mousemove", function (e) {
    var p = view.posAtCoords({ left: e.clientX, top: e.clientY });
    if (p) showHandle(view.state.doc.resolve(p.inside >= 0 ? p.inside : p.pos).index(0));
  });
  document.addEventListener("mousedown", function (e) {
    if (popup && !popup.box.contains(e.target) && e.target !== plus) close();
  });

  requestAnimationFrame(function () { follow(view); });

  // The headline and lead grow with what is typed, as they would on the
  // article's page, instead of scrolling inside a box.
  form.querySelectorAll(".in-place textarea").forEach(function (ta) {
    var fit = function () {
      ta.style.blockSize = "auto";
      ta.style.blockSize = ta.scrollHeight + "px";
    };
    ta.classList.add("grow");
    ta.addEventListener("input", fit);
    window.addEventListener("resize", fit);
    fit();
  });

  // The no-script form's parts give way to the surface.
  list.hidden = true;
  form.querySelectorAll(".add-block, .blocks-hint").forEach(function (e) { e.hidden = true; });
  list.dataset.writer = "1";
  mount.hidden = false;
  sync(true);
  // When the page can be written in, for bench/ and the browser tests.
  performance.mark("writer-ready");
})();
