// The conflict lab's requests: send makes one request with fetch, as a
// named client ("Alice", "Bob" or the page), and shows it in the lab page's
// log as raw HTTP, request and response side by side. The page's main
// script (lab.js) uses it as window.teapotLabSend.
(function () {
  "use strict";
  var logList = document.getElementById("lab-log");
  if (!logList) { return; }
  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  var reasons = {200: "OK", 201: "Created", 204: "No Content", 304: "Not Modified", 400: "Bad Request",
    404: "Not Found", 405: "Method Not Allowed", 409: "Conflict", 412: "Precondition Failed", 413: "Content Too Large",
    415: "Unsupported Media Type", 428: "Precondition Required", 429: "Too Many Requests", 500: "Internal Server Error",
    503: "Service Unavailable", 507: "Insufficient Storage"};
  // Headers every teapot response carries for the browser's safety: true,
  // but not what this page is about.
  var quiet = {"content-security-policy": 1, "x-content-type-options": 1, "referrer-policy": 1, "x-frame-options": 1,
    "permissions-policy": 1, "cross-origin-opener-policy": 1, "cross-origin-resource-policy": 1,
    "strict-transport-security": 1};
  var maxLog = 40;

  function pretty(text) {
    try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
  }
  function requestText(req) {
    var t = req.method + " " + req.url + " HTTP/1.1\n";
    Object.keys(req.headers).forEach(function (k) { t += k + ": " + req.headers[k] + "\n"; });
    t += "Cookie: teapot_lab=… (sent by the browser)\n";
    if (req.body !== undefined) { t += "\n" + pretty(req.body); }
    return t;
  }
  function responseText(res) {
    var t = "HTTP/1.1 " + res.status + " " + res.statusText + "\n";
    res.headers.forEach(function (v, k) { if (!quiet[k]) { t += k + ": " + v + "\n"; } });
    if (res.text) { t += "\n" + pretty(res.text); }
    return t;
  }
  function record(who, req, res, ms, err) {
    var li = el("li", "lab-exchange");
    var det = el("details");
    det.open = true;
    var sum = el("summary");
    sum.appendChild(el("span", "lab-tag lab-tag-" + who.id, who.name));
    sum.appendChild(document.createTextNode(" " + req.method + " " + req.url + " → "));
    if (res) {
      sum.appendChild(el("span", "code c" + String(res.status).charAt(0) + "xx", String(res.status)));
      sum.appendChild(document.createTextNode(" " + res.statusText + " "));
    } else {
      sum.appendChild(el("span", "error", "no response "));
    }
    sum.appendChild(el("span", "lab-ms", Math.round(ms) + " ms"));
    det.appendChild(sum);
    var pair = el("div", "lab-pair");
    var q = el("pre", "lab-raw", requestText(req));
    q.tabIndex = 0;
    var a = el("pre", "lab-raw", res ? responseText(res) : String(err));
    a.tabIndex = 0;
    pair.appendChild(q);
    pair.appendChild(a);
    det.appendChild(pair);
    li.appendChild(det);
    // The newest is open; the older ones close to keep the list short.
    [].forEach.call(logList.querySelectorAll("details[open]"), function (d) { d.open = false; });
    logList.insertBefore(li, logList.firstChild);
    while (logList.children.length > maxLog) { logList.removeChild(logList.lastChild); }
  }
  $("lab-clear").addEventListener("click", function () { logList.textContent = ""; });

  function setSandbox(token) {
    $("lab-sandbox").textContent = token;
    $("lab-s").textContent = token;
  }

  // send makes one request as `who` and resolves to {status, statusText,
  // headers, text, json}; a network failure rejects.
  function send(who, method, url, opts) {
    opts = opts || {};
    var headers = {Accept: "application/json"};
    Object.keys(opts.headers || {}).forEach(function (k) { headers[k] = opts.headers[k]; });
    var body;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      if (!headers["Content-Type"]) { headers["Content-Type"] = "application/json"; }
    }
    var req = {method: method, url: url, headers: headers, body: body};
    var started = performance.now();
    return fetch(url, {method: method, headers: headers, body: body, cache: "no-store", credentials: "same-origin"})
      .then(function (r) {
        return r.text().then(function (text) {
          var res = {status: r.status, statusText: r.statusText || reasons[r.status] || "", headers: r.headers, text: text, json: null};
          try { res.json = text ? JSON.parse(text) : null; } catch (e) { res.json = null; }
          var token = r.headers.get("Lab-Sandbox");
          if (token) { setSandbox(token); }
          record(who, req, res, performance.now() - started);
          return res;
        });
      }, function (err) {
        record(who, req, null, performance.now() - started, err);
        throw err;
      });
  }

  window.teapotLabSend = send;
})();
