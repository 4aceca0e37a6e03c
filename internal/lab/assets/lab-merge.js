// A line-based three-way merge for the conflict lab. Given the version two
// editors started from (base) and their two edits (mine and theirs), it
// cuts the text into chunks: lines nobody changed, lines only one side
// changed (taken from that side), lines both changed the same way, and
// conflicts, where both changed the same lines differently. It needs no
// page, so the browser test can call it directly as window.teapotMerge.
(function () {
  "use strict";

  // lines splits a text into lines; a final newline ends the last line
  // rather than starting an empty one.
  function lines(s) {
    if (!s) { return []; }
    var l = s.split("\n");
    if (l[l.length - 1] === "") { l.pop(); }
    return l;
  }

  // LCS tables cost a.length × b.length cells; above this the changed
  // middle is treated as one block instead.
  var maxCells = 4000000;

  // match pairs equal lines of a and b along a longest common subsequence:
  // m[i] is the index in b of the line matched to a[i], or -1. Matches
  // always increase, which the merge relies on.
  function match(a, b) {
    var n = a.length, m = b.length, res = [], i, j;
    for (i = 0; i < n; i++) { res.push(-1); }
    var p = 0;
    while (p < n && p < m && a[p] === b[p]) { res[p] = p; p++; }
    var s = 0;
    while (s < n - p && s < m - p && a[n - 1 - s] === b[m - 1 - s]) { res[n - 1 - s] = m - 1 - s; s++; }
    var an = n - p - s, bn = m - p - s;
    if (an === 0 || bn === 0 || an * bn > maxCells) { return res; }
    var w = bn + 1, dp = new Uint32Array((an + 1) * w);
    for (i = an - 1; i >= 0; i--) {
      for (j = bn - 1; j >= 0; j--) {
        dp[i * w + j] = a[p + i] === b[p + j] ? dp[(i + 1) * w + j + 1] + 1 :
          Math.max(dp[(i + 1) * w + j], dp[i * w + j + 1]);
      }
    }
    i = 0; j = 0;
    while (i < an && j < bn) {
      if (a[p + i] === b[p + j]) { res[p + i] = p + j; i++; j++; }
      else if (dp[(i + 1) * w + j] >= dp[i * w + j + 1]) { i++; }
      else { j++; }
    }
    return res;
  }

  function same(x, y) {
    if (x.length !== y.length) { return false; }
    for (var i = 0; i < x.length; i++) { if (x[i] !== y[i]) { return false; } }
    return true;
  }

  // merge3 merges arrays of lines into chunks {kind, base, mine, theirs}
  // where kind is "same" (nobody changed them), "mine" or "theirs" (only
  // that side did), "both" (both made the same change) or "conflict".
  function merge3(base, mine, theirs) {
    var out = [];
    function add(kind, o, x, y) {
      var last = out[out.length - 1];
      if (last && last.kind === kind && kind !== "conflict") {
        last.base = last.base.concat(o); last.mine = last.mine.concat(x); last.theirs = last.theirs.concat(y);
        return;
      }
      out.push({kind: kind, base: o, mine: x, theirs: y});
    }
    function unstable(o, x, y) {
      if (!o.length && !x.length && !y.length) { return; }
      if (same(x, o)) { add(same(y, o) ? "same" : "theirs", o, x, y); }
      else if (same(y, o)) { add("mine", o, x, y); }
      else if (same(x, y)) { add("both", o, x, y); }
      else if (o.length > 1 && o.length === x.length && x.length === y.length) {
        // The same number of lines on every side: decide line by line,
        // so that neighbouring edits of different lines still merge.
        for (var k = 0; k < o.length; k++) { unstable([o[k]], [x[k]], [y[k]]); }
      } else { add("conflict", o, x, y); }
    }
    var ma = match(base, mine), mb = match(base, theirs);
    var i = 0, a = 0, b = 0;
    for (var j = 0; j < base.length; j++) {
      if (ma[j] < 0 || mb[j] < 0) { continue; }
      // base[j] is in all three: everything before it is one block.
      unstable(base.slice(i, j), mine.slice(a, ma[j]), theirs.slice(b, mb[j]));
      add("same", [base[j]], [mine[ma[j]]], [theirs[mb[j]]]);
      i = j + 1; a = ma[j] + 1; b = mb[j] + 1;
    }
    unstable(base.slice(i), mine.slice(a), theirs.slice(b));
    return out;
  }

  // merge1 merges one value, such as a title: the side that changed it
  // wins; {conflict: true} when both changed it differently.
  function merge1(base, mine, theirs) {
    if (mine === base || mine === theirs) { return {value: theirs, conflict: false}; }
    if (theirs === base) { return {value: mine, conflict: false}; }
    return {value: "", conflict: true};
  }

  // The lines a chunk contributes to the merged text; a conflict without
  // a choice gives the familiar markers, which a save refuses.
  function resolve(c, choice, names) {
    switch (c.kind) {
    case "same": return c.base;
    case "mine": case "both": return c.mine;
    case "theirs": return c.theirs;
    }
    switch (choice) {
    case "mine": return c.mine;
    case "theirs": return c.theirs;
    case "both": return c.mine.concat(c.theirs);
    case "base": return c.base;
    }
    return ["<<<<<<< " + names.mine].concat(c.mine, ["======="], c.theirs, [">>>>>>> " + names.theirs]);
  }

  var markers = /^(<{7} |={7}$|>{7} )/m;

  window.teapotMerge = {lines: lines, match: match, merge3: merge3, merge1: merge1, resolve: resolve, markers: markers};
})();
