// The "your IP" box of the reference pages. The cached page holds only a
// plain link to /ip; after load this asks /ip.json (same origin, so the
// strict CSP's connect-src 'self' allows it) and shows the visitor's
// address with its country and network, so that no page ever carries an
// address. Without JavaScript, or if the request fails, the link stays.
(function () {
  "use strict";
  var box = document.getElementById("ipbox");
  if (!box || !window.fetch) { return; }
  fetch(box.getAttribute("data-json"), {headers: {Accept: "application/json"}, cache: "no-store", credentials: "omit"}).then(function (r) {
    if (!r.ok) { throw new Error(String(r.status)); }
    return r.json();
  }).then(function (j) {
    if (!j || !j.ip) { return; }
    var more = [];
    if (j.country) {
      more.push(j.country);
    } else if (j.special) {
      more.push(j.special.name);
    }
    if (j.org) { more.push(j.org); }
    document.getElementById("ipbox-addr").textContent = j.ip;
    var m = document.getElementById("ipbox-more");
    m.textContent = more.join(" · ");
    m.hidden = more.length === 0;
    box.classList.add("filled");
  }).catch(function () {
    // The plain link is still there.
  });
}());
