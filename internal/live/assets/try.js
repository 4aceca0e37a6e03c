// The "try it live" page: sends the request the form describes to
// /status/{codes} and shows the raw response, and keeps the curl, fetch and
// Go snippets in step with the form.
(function () {
  "use strict";
  var form = document.getElementById("try");
  if (!form) { return; }
  var base = form.getAttribute("data-base");
  var origin = window.location.origin;
  function field(name) { return form.elements[name].value.trim(); }
  function target() {
    var q = [];
    ["delay", "retry_after", "location"].forEach(function (k) {
      if (field(k)) { q.push(k + "=" + encodeURIComponent(field(k))); }
    });
    return origin + base + "/status/" + encodeURIComponent(field("codes")).replace(/%2C/g, ",").replace(/%3A/g, ":") +
      (q.length ? "?" + q.join("&") : "");
  }
  function shellQuote(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }
  function snippets() {
    var url = target(), method = field("method"), accept = field("accept");
    var m = method === "GET" ? "" : (method === "HEAD" ? " -I" : " -X " + method);
    document.getElementById("t-curl").textContent = "curl -i" + m + " -H " + shellQuote("Accept: " + accept) + " " + shellQuote(url);
    document.getElementById("t-fetch").textContent =
      "const res = await fetch(" + JSON.stringify(url) + ", {method: " + JSON.stringify(method) +
      ", headers: {Accept: " + JSON.stringify(accept) + "}});\nconsole.log(res.status, [...res.headers], await res.text());";
    document.getElementById("t-go").textContent =
      "req, _ := http.NewRequest(" + JSON.stringify(method) + ", " + JSON.stringify(url) + ", nil)\n" +
      "req.Header.Set(\"Accept\", " + JSON.stringify(accept) + ")\n" +
      "resp, err := http.DefaultClient.Do(req)\nif err != nil {\n\tlog.Fatal(err)\n}\ndefer resp.Body.Close()\nfmt.Println(resp.Status, resp.Header)";
  }
  form.addEventListener("input", snippets);
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var out = document.getElementById("t-raw");
    var time = document.getElementById("t-time");
    var started = performance.now();
    var result = document.getElementById("result");
    result.hidden = false;
    out.textContent = "Waiting for " + target() + " …";
    // The answer is below the form: bring it into view, unless the user
    // asked for less motion.
    var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    result.scrollIntoView({behavior: still ? "auto" : "smooth", block: "start"});
    fetch(target(), {method: field("method"), headers: {Accept: field("accept")}, redirect: "manual", cache: "no-store"})
      .then(function (res) {
        return (field("method") === "HEAD" ? Promise.resolve("") : res.text()).then(function (body) {
          var lines = ["HTTP " + res.status + " " + res.statusText];
          if (res.type === "opaqueredirect") {
            lines = ["A redirect (the browser hides its status and Location from scripts; use curl to see them)"];
          }
          res.headers.forEach(function (v, k) { lines.push(k + ": " + v); });
          out.textContent = lines.join("\n") + "\n\n" + body;
          time.textContent = "Answered in " + Math.round(performance.now() - started) + " ms.";
        });
      })
      .catch(function (err) {
        out.textContent = "No response: " + err.message + "\n(the connection failed or was closed, as 444 does)";
        time.textContent = "";
      });
  });
  snippets();
})();
