// Instant filtering of the code list on the home page, and Enter to open
// a code (or the first match). Without this script the filter box does
// nothing and the header's search box submits to /search.
(function () {
  "use strict";
  var input = document.querySelector("input[data-filter]");
  var status = document.getElementById("filter-status");
  if (!input) { return; }
  var items = Array.prototype.slice.call(document.querySelectorAll("li[data-search]"));
  var sections = Array.prototype.slice.call(document.querySelectorAll("section[data-class]"));
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (li) {
      var text = li.getAttribute("data-search");
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      li.hidden = !match;
      if (match) { shown++; }
    });
    sections.forEach(function (s) {
      s.hidden = s.querySelector("li[data-search]:not([hidden])") === null;
    });
    if (status) {
      status.textContent = words.length ? shown + (shown === 1 ? " code matches" : " codes match") : "";
    }
  }
  input.addEventListener("input", apply);
  // A code and Enter opens its page: the quickest way from a log line.
  input.addEventListener("keydown", function (e) {
    if (e.key !== "Enter") { return; }
    var code = input.value.trim();
    var li = /^[1-5][0-9][0-9]$/.test(code) && document.querySelector('li[data-code="' + code + '"] a');
    var first = !li && document.querySelector("li[data-search]:not([hidden]) a");
    var target = li || first;
    if (target) {
      e.preventDefault();
      window.location.href = target.href;
    }
  });
  apply();
})();
