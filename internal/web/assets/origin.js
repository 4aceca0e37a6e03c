// Pages are rendered before any request, so without --public-url the
// examples that call this server ([data-live]) name http://localhost:8080.
// This puts the address the page was really loaded from in its place, so
// that a command copied from the page reaches this server. Examples in
// the reference text are left as written.
(function () {
  "use strict";
  var from = document.body.getAttribute("data-origin");
  var to = window.location.origin;
  if (!from || from === to || !/^https?:/.test(to)) { return; }
  document.querySelectorAll("[data-live]").forEach(function (el) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (var n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeValue.indexOf(from) >= 0) { n.nodeValue = n.nodeValue.split(from).join(to); }
    }
  });
})();
