// The /ip page: the HTML is the same for every visitor (so it can be
// cached); this fills it in from /ip.json, or from /ip/{address}.json on
// /ip/{address}.
(function () {
  "use strict";
  var out = document.getElementById("ip-out");
  if (!out) { return; }
  var base = out.getAttribute("data-base");
  var path = location.pathname.slice(base.length);
  var asked = path.indexOf("/ip/") === 0 ? path.slice(4) : "";
  var url = asked ? base + "/ip/" + asked + ".json" : base + "/ip.json";
  var addr = document.getElementById("ip-addr");
  var errBox = document.getElementById("ip-error");

  function show(id, text) {
    var e = document.getElementById(id);
    e.textContent = text;
    e.hidden = false;
  }
  function fact(dl, name, value) {
    if (value === undefined || value === null || value === "") { return; }
    var dt = document.createElement("dt");
    dt.textContent = name;
    var dd = document.createElement("dd");
    dd.textContent = String(value);
    dl.appendChild(dt);
    dl.appendChild(dd);
  }
  // Why an answer has no hostname, by its reverse_dns.
  var noName = {
    none: "none (no reverse DNS name)",
    timeout: "not known: the reverse DNS lookup timed out",
    failed: "not known: the reverse DNS lookup failed",
    skipped: "not looked up: you have made many lookups in the last minute; try again in a minute",
    busy: "not looked up: the server is busy; try again",
    "special-purpose": "not looked up: special-purpose addresses never are"
  };
  function render(j) {
    addr.textContent = j.ip;
    if (asked) {
      document.getElementById("ip-title").textContent = "IP address " + j.ip;
      document.getElementById("ip-address").value = j.ip;
    }
    var dl = document.getElementById("ip-facts");
    fact(dl, "Version", "IPv" + j.version);
    fact(dl, "Decimal", j.decimal);
    fact(dl, "IPv4-mapped form", j.ipv4_mapped);
    fact(dl, "Hostname", j.hostname || noName[j.reverse_dns] || noName.none);
    fact(dl, "Country", j.country ? j.country + (j.country_code ? " (" + j.country_code + ")" : "") : "");
    fact(dl, "Region", j.region);
    fact(dl, "City", j.city);
    fact(dl, "Postal code", j.postal_code);
    if (j.latitude !== undefined && j.longitude !== undefined) {
      fact(dl, "Coordinates", j.latitude + ", " + j.longitude + (j.accuracy_radius ? " (within " + j.accuracy_radius + " km)" : ""));
    }
    fact(dl, "Time zone", j.timezone);
    fact(dl, "Network", j.asn ? "AS" + j.asn + (j.org ? " " + j.org : "") : j.org);
    fact(dl, "Block", j.network);
    if (j.special) {
      fact(dl, "Special-purpose", j.special.name + " (" + [j.special.network, j.special.rfc].filter(Boolean).join(", ") + ")");
      show("ip-special", j.special.description);
    }
    fact(dl, "Your browser", j.user_agent);
    dl.hidden = false;
    if (j.sources && j.sources.length) {
      var p = document.getElementById("ip-sources");
      p.textContent = "Sources: ";
      j.sources.forEach(function (s, i) {
        if (i) { p.appendChild(document.createTextNode("; ")); }
        var a = document.createElement("a");
        a.href = s.url;
        a.textContent = s.name;
        p.appendChild(a);
        if (s.attribution) { p.appendChild(document.createTextNode(" (" + s.attribution + ")")); }
      });
      p.hidden = false;
    }
  }
  // Both addresses: each host is reachable over one IP version only, so
  // each answer is the visitor's address in that version, or none.
  function both() {
    var dl = document.getElementById("ip-both");
    [["IPv4", out.getAttribute("data-v4")], ["IPv6", out.getAttribute("data-v6")]].forEach(function (v) {
      if (!v[1]) { return; }
      var dt = document.createElement("dt");
      dt.textContent = "Your " + v[0] + " address";
      var dd = document.createElement("dd");
      dd.textContent = "checking…";
      dd.setAttribute("data-version", v[0]);
      dl.appendChild(dt);
      dl.appendChild(dd);
      dl.hidden = false;
      fetch(v[1], {cache: "no-store", credentials: "omit"}).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      }).then(function (j) {
        dd.textContent = j.ip;
      }).catch(function () {
        dd.textContent = "none: your connection has no " + v[0] + " address that reaches this server";
      });
    });
  }
  if (!asked) { both(); }
  fetch(url, {headers: {Accept: "application/json"}}).then(function (r) {
    return r.json().then(function (j) { return {ok: r.ok, j: j}; });
  }).then(function (res) {
    if (!res.ok) {
      addr.textContent = "No answer";
      show("ip-error", res.j.detail || res.j.title || "The lookup failed.");
      return;
    }
    render(res.j);
  }).catch(function () {
    addr.textContent = "No answer";
    show("ip-error", "The lookup failed; try again, or see " + url + ".");
  });
}());
