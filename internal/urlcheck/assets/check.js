// The URL checker page: posts the form to /api/check as JSON, reads the
// NDJSON stream as it arrives, and shows each URL's result (in request
// order) and the progress. The download buttons submit the form natively,
// which also works without JavaScript.
(function () {
  "use strict";
  var form = document.getElementById("check");
  if (!form) { return; }
  var base = form.getAttribute("data-base");
  var out = document.getElementById("c-out");
  var list = document.getElementById("c-results");
  var progress = document.getElementById("c-progress");

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function lines(s) {
    return s.split("\n").map(function (l) { return l.trim(); }).filter(Boolean);
  }
  function request() {
    var f = form.elements;
    var req = {urls: lines(f.urls.value), method: f.method.value, user_agent: f.user_agent.value,
      follow: f.follow.checked, max_redirects: parseInt(f.max_redirects.value, 10) || 0};
    if (f.timeout.value) { req.timeout = f.timeout.value; }
    var headers = lines(f.headers.value);
    if (headers.length) {
      req.headers = {};
      headers.forEach(function (h) {
        var i = h.indexOf(":");
        req.headers[i < 0 ? h : h.slice(0, i).trim()] = i < 0 ? "" : h.slice(i + 1).trim();
      });
    }
    return req;
  }
  function codeLink(status) {
    var a = el("a", "code c" + String(status).charAt(0) + "xx", String(status));
    a.href = base + "/" + status;
    a.title = "What " + status + " means";
    return a;
  }
  function ms(v) { return Math.round(v) + " ms"; }
  function fact(dl, name, value) {
    if (value === undefined || value === null || value === "") { return; }
    dl.appendChild(el("dt", "", name));
    dl.appendChild(el("dd", "", String(value)));
  }
  function hopDetails(h, i) {
    var d = el("div", "hop");
    d.appendChild(el("h3", "", "Hop " + (i + 1) + ": " + h.method + " " + h.url));
    var dl = el("dl", "facts");
    fact(dl, "Status", h.status ? h.status + " " + (h.reason || "") : "");
    fact(dl, "Location", h.location);
    fact(dl, "Remote address", h.remote_addr);
    fact(dl, "HTTP version", h.http_version);
    var t = h.timings || {};
    fact(dl, "Timings", "DNS " + ms(t.dns_ms || 0) + ", connect " + ms(t.connect_ms || 0) + ", TLS " + ms(t.tls_ms || 0) +
      ", first byte " + ms(t.first_byte_ms || 0) + ", total " + ms(t.total_ms || 0));
    fact(dl, "Body", h.status ? h.body_bytes + " bytes" + (h.body_truncated ? " (stopped reading at the limit)" : "") : "");
    if (h.tls) {
      fact(dl, "TLS", h.tls.version + ", " + h.tls.cipher);
      fact(dl, "Certificate", h.tls.subject + " issued by " + h.tls.issuer + "; " + h.tls.days_left + " days left");
      fact(dl, "Names", (h.tls.sans || []).join(", "));
      fact(dl, "Verified", h.tls.verified ? "yes" : "no: " + h.tls.verify_error);
    }
    fact(dl, "Error", h.error);
    d.appendChild(dl);
    if (h.headers) {
      var names = Object.keys(h.headers).sort();
      var pre = el("pre", "", names.map(function (n) {
        return h.headers[n].map(function (v) { return n + ": " + v; }).join("\n");
      }).join("\n"));
      pre.tabIndex = 0;
      pre.setAttribute("aria-label", "Response headers of hop " + (i + 1));
      d.appendChild(pre);
    }
    return d;
  }
  function show(li, r) {
    li.textContent = "";
    li.className = "result" + (r.error ? " failed" : "");
    var head = el("p", "chain");
    (r.hops || []).forEach(function (h, i) {
      if (i > 0) { head.appendChild(document.createTextNode(" → ")); }
      head.appendChild(h.status ? codeLink(h.status) : el("span", "code", "—"));
    });
    head.appendChild(document.createTextNode(" "));
    head.appendChild(el("span", "url", r.url));
    li.appendChild(head);
    // A URL refused or failed before any answer has no redirects,
    // timings or hops to show: only why.
    var answered = (r.hops || []).some(function (h) { return h.status; });
    if (answered) {
      var sum = [r.redirects + (r.redirects === 1 ? " redirect" : " redirects"), ms(r.time_ms)];
      if (r.http_version) { sum.push(r.http_version); }
      if (r.final_url && r.final_url !== r.url) { sum.push("ends at " + r.final_url); }
      li.appendChild(el("p", "meta", sum.join(" · ")));
    }
    if (r.error) { li.appendChild(el("p", "error", r.refused ? "Refused (" + r.refused.rule + "): " + r.error : r.error)); }
    if (r.warning) { li.appendChild(el("p", "error", r.warning)); }
    if (!answered) { return; }
    var det = el("details");
    det.appendChild(el("summary", "", "Every hop: headers, timings" + (r.tls ? ", certificate" : "")));
    (r.hops || []).forEach(function (h, i) { det.appendChild(hopDetails(h, i)); });
    li.appendChild(det);
  }
  function fail(msg) {
    progress.textContent = msg;
    progress.className = "error";
  }
  function handle(line, items) {
    var p = JSON.parse(line);
    if (p.result) { show(items[p.result.index], p.result); }
    progress.textContent = p.finished ? "Checked " + p.done + " of " + p.total + " in " + ms(p.time_ms) + "." :
      "Checked " + p.done + " of " + p.total + "…";
  }
  function read(res, items) {
    var reader = res.body.getReader(), decoder = new TextDecoder(), buf = "";
    function pump() {
      return reader.read().then(function (chunk) {
        buf += decoder.decode(chunk.value || new Uint8Array(), {stream: !chunk.done});
        var parts = buf.split("\n");
        buf = parts.pop();
        parts.filter(Boolean).forEach(function (l) { handle(l, items); });
        if (chunk.done) {
          if (buf.trim()) { handle(buf, items); }
          return;
        }
        return pump();
      });
    }
    return pump();
  }
  form.addEventListener("submit", function (ev) {
    if (ev.submitter && ev.submitter.classList.contains("secondary")) { return; } // a download: let it go
    ev.preventDefault();
    var req = request();
    out.hidden = false;
    progress.className = "";
    list.textContent = "";
    var items = req.urls.map(function (u) {
      var li = el("li", "result pending");
      li.appendChild(el("p", "chain", "Waiting: " + u));
      list.appendChild(li);
      return li;
    });
    progress.textContent = "Checking " + req.urls.length + (req.urls.length === 1 ? " URL…" : " URLs…");
    fetch(base + "/api/check", {method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(req)})
      .then(function (res) {
        if (!res.ok) {
          return res.json().then(function (p) { list.textContent = ""; fail(p.detail || p.title); });
        }
        return read(res, items);
      })
      .catch(function (err) { fail("The check failed: " + err.message); });
  });
})();
