// Offline search over every statement. The index is search-index.js, a
// plain script, so this works from file:// as well as from a web server.
(function () {
  "use strict";
  var data = window.LADDER_SEARCH || { pages: [], entries: [] };
  var input = document.getElementById("q");
  var list = document.getElementById("results");
  var count = document.getElementById("count");
  if (!input || !list) { return; }
  var lowered = data.entries.map(function (e) { return (e[1] + " " + e[3] + " " + e[0]).toLowerCase(); });
  function run() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (words.length === 0) { count.textContent = ""; return; }
    var shown = 0, found = 0;
    for (var i = 0; i < data.entries.length; i++) {
      var hay = lowered[i];
      if (!words.every(function (w) { return hay.indexOf(w) !== -1; })) { continue; }
      found++;
      if (shown >= 100) { continue; }
      shown++;
      var e = data.entries[i];
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = data.pages[e[2]] + "#" + e[0];
      a.textContent = e[1];
      li.appendChild(a);
      var where = document.createElement("div");
      where.className = "meta";
      where.textContent = e[3] + " · " + e[0];
      li.appendChild(where);
      list.appendChild(li);
    }
    count.textContent = found === 0 ? "No statement matches." :
      found + (found === 1 ? " statement" : " statements") + (found > shown ? ", first " + shown + " shown" : "");
  }
  input.addEventListener("input", run);
  if (input.form) { input.form.addEventListener("submit", function (e) { e.preventDefault(); run(); }); }
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) { input.value = q; }
  run();
})();
