// Site search, with no server: works from any host and from file://. The index of the
// page's language is a script (search-index.js, made at build time) loaded on first use.
(function () {
  "use strict";
  var form = document.querySelector("form.search");
  if (!form) return;
  var input = form.querySelector("input");
  var list = form.querySelector("ul");
  var root = form.getAttribute("data-root");
  var requested = false;
  form.hidden = false;

  // Case and accents do not matter: "Mexique" finds "México".
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function load(then) {
    if (window.MPGEN_SEARCH) return then();
    if (requested) return;
    requested = true;
    var s = document.createElement("script");
    s.src = root + form.getAttribute("data-index");
    s.onload = then;
    document.head.appendChild(s);
  }

  function show() {
    var q = fold(input.value.trim());
    list.textContent = "";
    if (!q || !window.MPGEN_SEARCH) return;
    var hits = [];
    window.MPGEN_SEARCH.forEach(function (e) {
      var best = -1;
      [e.t].concat(e.a).forEach(function (name) {
        var at = fold(name).indexOf(q);
        if (at >= 0 && (best < 0 || at < best)) best = at;
      });
      // Names that start with the query first, then the others, each by name.
      if (best >= 0) hits.push({ rank: best === 0 ? 0 : 1, e: e });
    });
    hits.sort(function (x, y) {
      return x.rank - y.rank || x.e.t.localeCompare(y.e.t);
    });
    hits.slice(0, 12).forEach(function (h) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = root + h.e.u;
      a.textContent = h.e.t;
      var kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = " · " + h.e.k;
      li.appendChild(a);
      li.appendChild(kind);
      list.appendChild(li);
    });
  }

  input.addEventListener("focus", function () { load(show); });
  input.addEventListener("input", function () { load(show); });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var first = list.querySelector("a");
    if (first) window.location.href = first.href;
  });
})();
