// Instant filtering of the code list on the home page. Without this script
// the search box submits to /search, which works on its own.
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
  apply();
})();
