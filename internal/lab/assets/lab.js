// The conflict lab page: two editors, Alice and Bob, each holding its own
// copy of an article and its ETag, talk to the lab's public API with fetch
// exactly as any client would. A save refused with 412 (or a 409 edit
// conflict) opens a three-way merge built from the problem's `current`
// member; the merged text is saved with `current_etag`. Every exchange is
// shown raw in the log (lab-http.js); the merge itself is lab-merge.js.
(function () {
  "use strict";
  var root = document.getElementById("lab");
  if (!root || !window.teapotMerge || !window.teapotLabSend) { return; }
  var M = window.teapotMerge;
  var base = root.getAttribute("data-base");
  var api = base + "/lab/articles";
  root.hidden = false;

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function button(text, cls, onclick) {
    var b = el("button", cls, text);
    b.type = "button";
    b.addEventListener("click", onclick);
    return b;
  }

  var send = window.teapotLabSend;

  // ---- problem details, readably

  var shown = {type: 1, title: 1, status: 1, detail: 1, instance: 1, current: 1, errors: 1, transitions: 1, existing: 1};
  // problemView describes an error response: its title linked to the page
  // its type names, the detail, and the members a client acts on.
  function problemView(res, extra) {
    var p = res.json && typeof res.json === "object" ? res.json : {};
    var box = el("div", "lab-problem");
    var h = el("p", "lab-problem-title");
    h.appendChild(el("span", "code c" + String(res.status).charAt(0) + "xx", String(res.status)));
    h.appendChild(document.createTextNode(" "));
    if (p.type && /^\//.test(p.type)) {
      var a = el("a", "", p.title || res.statusText);
      a.href = p.type;
      h.appendChild(a);
    } else {
      h.appendChild(document.createTextNode(p.title || res.statusText));
    }
    box.appendChild(h);
    if (p.detail) { box.appendChild(el("p", "", p.detail)); }
    var dl = el("dl", "facts");
    Object.keys(p).forEach(function (k) {
      if (shown[k]) { return; }
      var v = p[k];
      dl.appendChild(el("dt", "", k));
      dl.appendChild(el("dd", "", Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v)));
    });
    if (p.current) {
      dl.appendChild(el("dt", "", "current"));
      dl.appendChild(el("dd", "", "the article now: version " + p.current.version + ", " + p.current.state));
    }
    if (p.existing) {
      dl.appendChild(el("dt", "", "existing"));
      var dd = el("dd");
      var ex = el("a", "", p.existing);
      ex.href = p.existing;
      dd.appendChild(ex);
      dl.appendChild(dd);
    }
    if (dl.children.length) { box.appendChild(dl); }
    if (Array.isArray(p.errors) && p.errors.length) {
      var ul = el("ul");
      p.errors.forEach(function (e) { ul.appendChild(el("li", "", (e.field ? e.field + ": " : "") + e.message)); });
      box.appendChild(ul);
    }
    if (extra) { box.appendChild(extra); }
    return box;
  }
  function say(target, text, cls) {
    target.textContent = "";
    if (text) { target.appendChild(el("p", cls || "", text)); }
  }
  function show(target, node) {
    target.textContent = "";
    target.appendChild(node);
  }
  function failed(target) {
    return function (err) { say(target, "The request failed: " + err.message, "error"); };
  }

  // ---- the article list and the sample

  var page = {id: "page", name: "Page"};
  var status = $("lab-status");
  var select = $("lab-articles");
  var sample = "The conflict lab\n" +
    "Line 2: Alice and Bob edit this article at the same time.\n" +
    "Line 3: each editor keeps the ETag of the version it loaded.\n" +
    "Line 4: a save sends that ETag in If-Match.\n" +
    "Line 5: if the other saved first, the answer is 412.\n" +
    "Line 6: the problem carries the current article and its ETag.\n" +
    "Line 7: merge the two edits, then save with the new ETag.\n" +
    "Line 8: nobody's change is lost.\n";

  function articleURL(a) { return (a.links && a.links.self) || api + "/" + a.id; }

  function refreshList(keep) {
    return send(page, "GET", api).then(function (res) {
      if (res.status !== 200 || !res.json || !Array.isArray(res.json.articles)) {
        show(status, problemView(res, el("p", "", "The lab's API did not answer as expected at " + api + ".")));
        return;
      }
      var list = res.json.articles;
      select.textContent = "";
      if (!list.length) { select.appendChild(el("option", "", "No articles yet")).value = ""; }
      list.forEach(function (a) {
        var o = el("option", "", "#" + a.id + " " + a.slug + " (" + a.state + ", version " + a.version + ")");
        o.value = a.id;
        select.appendChild(o);
      });
      if (keep) { select.value = String(keep); }
    });
  }

  function openInBoth(id) {
    var url = api + "/" + encodeURIComponent(id);
    return panes.a.open(url).then(function () { return panes.b.open(url); }).then(function () { return refreshList(id); });
  }

  $("lab-create").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var slug = $("lab-slug").value.trim() || "sample-" + Math.random().toString(36).slice(2, 8);
    say(status, "Creating " + slug + "…");
    send(page, "POST", api, {body: {slug: slug, title: "A sample article", body: sample}}).then(function (res) {
      if (res.status === 201 && res.json) {
        say(status, "Created article " + res.json.id + " (" + res.json.slug + "). Both editors load it now.");
        return openInBoth(res.json.id);
      }
      var extra;
      if (res.json && res.json.existing_id) {
        extra = button("Open the existing article", "secondary", function () { openInBoth(res.json.existing_id); });
      }
      show(status, problemView(res, extra));
    }).catch(failed(status));
  });
  $("lab-open").addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (select.value) { openInBoth(select.value).catch(failed(status)); }
  });

  // ---- the editors

  function pick(a) { return {slug: a.slug, title: a.title, body: a.body, version: a.version, etag: a.etag}; }
  function sameText(x, y) { return x.slug === y.slug && x.title === y.title && x.body === y.body; }

  function makePane(id) {
    var sec = $("pane-" + id);
    var who = {id: id, name: sec.getAttribute("data-name")};
    var f = {slug: $(id + "-slug"), title: $(id + "-title-in"), body: $(id + "-body"), mode: $(id + "-mode")};
    var meta = $(id + "-meta"), result = $(id + "-result"), moves = $(id + "-transitions");
    var controls = [f.slug, f.title, f.body, f.mode, $(id + "-save"), $(id + "-reload"), $(id + "-delete")];
    // doc is the article as this editor last heard of it (state, links);
    // from is the version its text started from, with that version's ETag.
    var pane = {who: who, doc: null, from: null};

    function edits() { return {slug: f.slug.value, title: f.title.value, body: f.body.value}; }
    function describe() {
      if (!pane.doc) { meta.textContent = "No article loaded."; return; }
      meta.textContent = "Article " + pane.doc.id + " · " + pane.doc.state + " · editing version " + pane.from.version +
        ", ETag " + pane.from.etag + (sameText(edits(), pane.from) ? "" : " · unsaved changes");
    }
    function showMoves() {
      moves.textContent = "";
      var t = (pane.doc && pane.doc.links && pane.doc.links.transitions) || {};
      Object.keys(t).forEach(function (name) {
        var b = button(name.charAt(0).toUpperCase() + name.slice(1), "secondary lab-move", function () { move(name, t[name]); });
        b.setAttribute("data-move", name);
        moves.appendChild(b);
      });
    }
    function enable(on) { controls.forEach(function (c) { c.disabled = !on; }); }

    // load takes a fresh article: its text replaces the fields.
    pane.load = function (a) {
      pane.doc = a;
      pane.from = pick(a);
      f.slug.value = a.slug; f.title.value = a.title; f.body.value = a.body;
      enable(true);
      describe();
      showMoves();
    };
    pane.open = function (url) {
      return send(who, "GET", url).then(function (res) {
        if (res.status === 200 && res.json) {
          pane.load(res.json);
          say(result, "Loaded version " + res.json.version + ".");
        } else {
          show(result, problemView(res));
        }
      }).catch(failed(result));
    };
    pane.saved = function (a, how) {
      pane.load(a);
      say(result, how + ": the article is at version " + a.version + " now.", "lab-ok");
      refreshList(a.id);
    };
    pane.describe = describe;

    // write sends text (based on the version `from`) the way the mode
    // says; merge is true when the text is a merge being saved.
    pane.write = function (text, from, etag, mode) {
      var url = articleURL(pane.doc), opts = {headers: {}};
      if (mode === "patch") {
        var patch = {};
        ["slug", "title", "body"].forEach(function (k) { if (text[k] !== from[k]) { patch[k] = text[k]; } });
        opts.body = patch;
        opts.headers["Content-Type"] = "application/merge-patch+json";
      } else {
        opts.body = {slug: text.slug, title: text.title, body: text.body};
      }
      if (mode === "version") { opts.body.version = from.version; } else if (mode !== "none") { opts.headers["If-Match"] = etag; }
      return send(who, mode === "patch" ? "PATCH" : "PUT", url, opts);
    };

    function save() {
      var text = edits(), from = pane.from;
      say(result, "Saving…");
      pane.write(text, from, from.etag, f.mode.value).then(function (res) {
        var p = res.json || {};
        if (res.status === 200 && res.json) { pane.saved(res.json, "Saved"); return; }
        if ((res.status === 412 || res.status === 409) && p.current) {
          show(result, problemView(res, el("p", "", "Someone saved first. Merge below, then save again.")));
          merges[id].start(from, text, p.current, p.current_etag || p.current.etag);
          return;
        }
        show(result, problemView(res));
      }).catch(failed(result));
    }
    function reload() {
      send(who, "GET", articleURL(pane.doc), {headers: {"If-None-Match": pane.from.etag}}).then(function (res) {
        if (res.status === 304) { say(result, "304 Not Modified: version " + pane.from.version + " is still the current one."); return; }
        if (res.status === 200 && res.json) {
          var lost = !sameText(edits(), pane.from);
          pane.load(res.json);
          say(result, "Loaded version " + res.json.version + (lost ? "; your unsaved changes were replaced." : "."));
          return;
        }
        show(result, problemView(res));
      }).catch(failed(result));
    }
    function remove() {
      send(who, "DELETE", articleURL(pane.doc), {headers: {"If-Match": pane.from.etag}}).then(function (res) {
        if (res.status === 204) {
          say(result, "Deleted article " + pane.doc.id + ".");
          pane.doc = null;
          enable(false);
          describe();
          showMoves();
          refreshList();
          return;
        }
        show(result, problemView(res));
      }).catch(failed(result));
    }
    // move makes a state transition. It sends no If-Match (the API allows
    // that), so an editor with an old copy gets the 409 that names the
    // state the article is really in.
    function move(name, url) {
      send(who, "POST", url).then(function (res) {
        var p = res.json || {};
        if (res.status === 200 && res.json) {
          if (sameText(res.json, pane.from)) {
            // Only the state changed: keep the edits on the new version.
            var text = edits();
            pane.doc = res.json;
            pane.from = pick(res.json);
            f.slug.value = text.slug; f.title.value = text.title; f.body.value = text.body;
          } else {
            // The text changed meanwhile: keep the old base, so that the
            // next save is refused and merged instead of overwriting.
            pane.doc = res.json;
          }
          say(result, name + ": the article is " + res.json.state + " now (version " + res.json.version + ").", "lab-ok");
          describe();
          showMoves();
          refreshList(res.json.id);
          return;
        }
        if (res.status === 409 && p.state && pane.doc) {
          // The problem says where the article is: believe it.
          pane.doc.state = p.state;
          pane.doc.links = pane.doc.links || {};
          pane.doc.links.transitions = p.transitions || {};
          describe();
          showMoves();
        }
        show(result, problemView(res));
      }).catch(failed(result));
    }

    $(id + "-form").addEventListener("submit", function (ev) { ev.preventDefault(); save(); });
    $(id + "-reload").addEventListener("click", reload);
    $(id + "-delete").addEventListener("click", remove);
    [f.slug, f.title, f.body].forEach(function (i) { i.addEventListener("input", describe); });
    return pane;
  }

  // ---- the three-way merge view

  function makeMerge(id) {
    var pane = panes[id];
    var sec = $("merge-" + id), view = $("merge-" + id + "-view"), summary = $("merge-" + id + "-summary");
    var f = {slug: $("merge-" + id + "-slug"), title: $("merge-" + id + "-title-in"), body: $("merge-" + id + "-body")};
    var m = null; // the merge in progress

    function linesView(lines) {
      var d = el("div", "tw-lines");
      lines.forEach(function (l) { d.appendChild(el("span", "tw-line", l)); });
      if (!lines.length) { d.appendChild(el("span", "tw-none", "(no lines)")); }
      return d;
    }
    function cell(label, lines, changed) {
      var c = el("div", "tw-cell" + (changed ? " tw-changed" : ""));
      c.appendChild(el("span", "tw-label", label));
      c.appendChild(linesView(lines));
      return c;
    }
    var names = {mine: "mine (" + pane.who.name + ")", theirs: "theirs (saved)"};
    var tags = {mine: "changed by " + pane.who.name + ": merged", theirs: "changed in the saved version: merged",
      both: "the same change on both sides", same: ""};

    function choices(n, legend, onpick, values) {
      var fs = el("fieldset", "tw-choice");
      fs.appendChild(el("legend", "", legend));
      values.forEach(function (v) {
        var lab = el("label");
        var r = el("input");
        r.type = "radio";
        r.name = "merge-" + id + "-" + n;
        r.value = v[0];
        r.addEventListener("change", function () { onpick(v[0]); });
        lab.appendChild(r);
        lab.appendChild(document.createTextNode(" " + v[1]));
        fs.appendChild(lab);
      });
      return fs;
    }
    var lineChoices = [["mine", "Mine"], ["theirs", "Theirs"], ["both", "Both, mine first"], ["base", "Neither (base)"]];

    function row(kind, tag, o, x, y) {
      var r = el("div", "tw-row tw-" + kind);
      if (tag) { r.appendChild(el("p", "tw-tag", tag)); }
      var changedX = kind !== "same" && (kind === "conflict" || kind === "mine" || kind === "both");
      var changedY = kind !== "same" && (kind === "conflict" || kind === "theirs" || kind === "both");
      // Unchanged lines read the same on every side: a phone shows them once.
      r.appendChild(cell(kind === "same" ? "Base, mine and theirs: unchanged" : "Base", o, false));
      r.appendChild(cell("Mine", x, changedX));
      r.appendChild(cell("Theirs", y, changedY));
      return r;
    }
    function fieldRow(key, label) {
      var r = m.fields[key];
      if (m.base[key] === m.mine[key] && m.base[key] === m.theirs[key]) { return; }
      var kind = r.conflict ? "conflict" : m.mine[key] === m.theirs[key] ? "both" : m.mine[key] !== m.base[key] ? "mine" : "theirs";
      var tag = label + (r.conflict ? ": conflict, both changed it" : ": " + tags[kind]);
      var div = row(kind, tag, [m.base[key]], [m.mine[key]], [m.theirs[key]]);
      if (r.conflict) {
        div.appendChild(choices(key, "Which " + label.toLowerCase() + "?", function (v) {
          f[key].value = v === "mine" ? m.mine[key] : m.theirs[key];
          r.chosen = true;
        }, [["mine", "Mine"], ["theirs", "Theirs"]]));
      }
      view.appendChild(div);
    }
    function render() {
      view.textContent = "";
      var head = el("div", "tw-head");
      head.setAttribute("aria-hidden", "true");
      head.appendChild(el("div", "", "Base: version " + m.base.version + ", where " + pane.who.name + " started"));
      head.appendChild(el("div", "", "Mine: " + pane.who.name + "'s edit"));
      head.appendChild(el("div", "", "Theirs: version " + m.theirs.version + ", saved meanwhile"));
      view.appendChild(head);
      fieldRow("slug", "Slug");
      fieldRow("title", "Title");
      var n = 0;
      m.chunks.forEach(function (c, i) {
        if (c.kind !== "conflict") {
          view.appendChild(row(c.kind, tags[c.kind], c.base, c.mine, c.theirs));
          return;
        }
        n++;
        var div = row("conflict", "Conflict " + n + ": both changed " + (c.base.length === 1 ? "this line" : "these lines"), c.base, c.mine, c.theirs);
        div.appendChild(choices(i, "Conflict " + n + ": keep", function (v) { m.choice[i] = v; fill(); }, lineChoices));
        view.appendChild(div);
      });
    }
    function mergedBody() {
      var out = [];
      m.chunks.forEach(function (c, i) { out = out.concat(M.resolve(c, m.choice[i], names)); });
      return out.length || m.newline ? out.join("\n") + (m.newline ? "\n" : "") : "";
    }
    function fill() { f.body.value = mergedBody(); }
    function conflicts() { return m.chunks.filter(function (c) { return c.kind === "conflict"; }).length; }
    function setAll(side) {
      m.chunks.forEach(function (c, i) { if (c.kind === "conflict") { m.choice[i] = side; } });
      ["slug", "title"].forEach(function (k) {
        if (m.fields[k].conflict) { f[k].value = m[side][k]; m.fields[k].chosen = true; }
      });
      [].forEach.call(view.querySelectorAll('input[type="radio"][value="' + side + '"]'), function (r) { r.checked = true; });
      fill();
    }

    // start opens the merge of `mine` (based on `from`) with `theirs`, the
    // article as it is now, whose ETag is `etag`.
    function start(from, mine, theirs, etag) {
      m = {base: from, mine: mine, theirs: theirs, etag: etag, choice: {}, fields: {}};
      m.chunks = M.merge3(M.lines(from.body), M.lines(mine.body), M.lines(theirs.body));
      var nl = M.merge1(/\n$/.test(from.body), /\n$/.test(mine.body), /\n$/.test(theirs.body));
      m.newline = nl.conflict ? true : nl.value;
      ["slug", "title"].forEach(function (k) {
        m.fields[k] = M.merge1(from[k], mine[k], theirs[k]);
        f[k].value = m.fields[k].value;
        f[k].placeholder = m.fields[k].conflict ? "Choose above, or type it" : "";
      });
      render();
      fill();
      var auto = m.chunks.filter(function (c) { return c.kind === "mine" || c.kind === "theirs"; }).length;
      var n = conflicts() + (m.fields.slug.conflict ? 1 : 0) + (m.fields.title.conflict ? 1 : 0);
      summary.textContent = pane.who.name + " edited version " + from.version + ", but the article is at version " + theirs.version +
        " now. " + (auto ? auto + (auto === 1 ? " change" : " changes") + " made on one side only merged by " + (auto === 1 ? "itself" : "themselves") + ". " : "") +
        (n ? n + (n === 1 ? " conflict needs" : " conflicts need") + " a choice." : "Nothing conflicts: check the merged text and save it.") +
        " The save sends If-Match: " + etag + ".";
      sec.hidden = false;
      $("merge-" + id + "-title").focus();
    }
    function close() { sec.hidden = true; m = null; }

    function save(ev) {
      ev.preventDefault();
      var text = {slug: f.slug.value, title: f.title.value, body: f.body.value};
      var open = (m.fields.slug.conflict && !m.fields.slug.chosen && !text.slug) || (m.fields.title.conflict && !m.fields.title.chosen && !text.title);
      if (M.markers.test(text.body) || open) {
        summary.textContent = "Some conflicts are not resolved yet: choose a side for each, or edit the markers out of the merged body.";
        summary.className = "lab-merge-summary error";
        return;
      }
      summary.className = "lab-merge-summary";
      // A merge is never saved without a precondition.
      var mode = $(id + "-mode").value;
      if (mode === "none") { mode = "put"; }
      // The merge is based on the current article: that is what it
      // changes, and its ETag is the precondition.
      var from = pick(m.theirs);
      from.etag = m.etag;
      pane.write(text, from, m.etag, mode).then(function (res) {
        var p = res.json || {};
        if (res.status === 200 && res.json) {
          close();
          pane.saved(res.json, "Merged and saved");
          $(id + "-save").focus();
          return;
        }
        if ((res.status === 412 || res.status === 409) && p.current) {
          // Someone saved again while merging: merge once more, now from
          // the version this merge was based on.
          start(from, text, p.current, p.current_etag || p.current.etag);
          return;
        }
        show(summary, problemView(res));
      }).catch(function (err) { summary.textContent = "The request failed: " + err.message; });
    }

    $("merge-" + id + "-mine").addEventListener("click", function () { setAll("mine"); });
    $("merge-" + id + "-theirs").addEventListener("click", function () { setAll("theirs"); });
    $("merge-" + id + "-form").addEventListener("submit", save);
    $("merge-" + id + "-cancel").addEventListener("click", function () {
      close();
      say($(id + "-result"), "Merge cancelled: your edit is still here, based on the old version, so the next save is refused again.");
      $(id + "-save").focus();
    });
    return {start: start};
  }

  var panes = {a: makePane("a"), b: makePane("b")};
  var merges = {a: makeMerge("a"), b: makeMerge("b")};

  refreshList().catch(failed(status));
})();
