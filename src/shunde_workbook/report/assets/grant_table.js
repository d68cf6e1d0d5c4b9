/* The searchable grant table of report 01 (data: #swg-data from report/grant_table.py).
 * Filters, text search, sorting, totals of the filtered rows and a CSV download, all in the page:
 * plain DOM, no library, nothing fetched.  Rows are drawn a page at a time; totals cover every match.
 */
(function () {
  "use strict";
  var root = document.getElementById("swg");
  if (!root) return;
  var D = JSON.parse(document.getElementById("swg-data").textContent);
  var T = D.text, C = D.columns, n = C.amount.length, PAGE = 100;
  var $ = function (id) { return document.getElementById(id); };
  var KEYS = ["year", "programme", "field", "town", "village", "org", "title"];
  var value = function (key, i) { return key === "year" ? C.year[i] : D.dicts[key][C[key][i]]; };
  var fmt = function (x, d) {
    return x.toLocaleString(D.lang === "zh" ? "zh-CN" : "en-GB", {minimumFractionDigits: d, maximumFractionDigits: d});
  };
  // lower-case search text of every row, built once
  var hay = new Array(n);
  for (var i = 0; i < n; i++) {
    hay[i] = KEYS.map(function (k) { return String(value(k, i)); }).join(" ").toLowerCase();
  }
  var state = {year: "", programme: "", field: "", town: "", village: "", org: "", q: "", sort: "amount", desc: true, shown: PAGE};
  var matches = [];

  function options(id, key, list) {
    var sel = $(id), keep = sel.value;
    sel.textContent = "";
    var all = document.createElement("option");
    all.value = ""; all.textContent = T.all;
    sel.appendChild(all);
    list.forEach(function (v) {
      var o = document.createElement("option");
      o.value = String(v); o.textContent = String(v);
      sel.appendChild(o);
    });
    sel.value = list.map(String).indexOf(keep) >= 0 ? keep : "";
  }

  function distinct(key, filter) {
    var seen = {}, out = [];
    for (var i = 0; i < n; i++) {
      if (filter && !filter(i)) continue;
      var v = value(key, i);
      if (v === "" || seen[v]) continue;
      seen[v] = 1; out.push(v);
    }
    return out.sort(function (a, b) { return a < b ? -1 : a > b ? 1 : 0; });
  }

  function filter() {
    var q = state.q.trim().toLowerCase(), out = [];
    for (var i = 0; i < n; i++) {
      if (state.year && String(C.year[i]) !== state.year) continue;
      if (state.programme && value("programme", i) !== state.programme) continue;
      if (state.field && value("field", i) !== state.field) continue;
      if (state.town && value("town", i) !== state.town) continue;
      if (state.village && value("village", i) !== state.village) continue;
      if (state.org && value("org", i) !== state.org) continue;
      if (q && hay[i].indexOf(q) < 0) continue;
      out.push(i);
    }
    var key = state.sort, sign = state.desc ? -1 : 1;
    var get = key === "amount" || key === "grants" ? function (i) { return C[key][i]; } : function (i) { return value(key, i); };
    out.sort(function (a, b) { var x = get(a), y = get(b); return x < y ? -sign : x > y ? sign : a - b; });
    return out;
  }

  function render() {
    matches = filter();
    var total = 0, grants = 0;
    matches.forEach(function (i) { total += C.amount[i]; grants += C.grants[i]; });
    $("swg-count").textContent = fmt(grants, 0);
    $("swg-count").setAttribute("data-value", String(grants));
    $("swg-total").textContent = fmt(total / 1e4, 1);
    $("swg-total").setAttribute("data-value", String(Math.round(total * 100) / 100));
    var body = $("swg-tbody");
    body.textContent = "";
    var frag = document.createDocumentFragment();
    matches.slice(0, state.shown).forEach(function (i) {
      var tr = document.createElement("tr");
      var cells = ["year", "programme", "field", "town", "village", "org", "title"].filter(function (k) {
        return !D.aggregated || (k !== "org" && k !== "title");
      }).map(function (k) { return String(value(k, i)); });
      cells.push(fmt(C.amount[i] / 1e4, 2));
      if (D.aggregated) cells.push(fmt(C.grants[i], 0));
      cells.push(C.simulated[i] ? T.simulated : "");
      cells.forEach(function (text, k) {
        var td = document.createElement("td");
        td.textContent = text;
        if (k >= cells.length - (D.aggregated ? 3 : 2) && k < cells.length - 1) td.className = "swg-num";
        if (k === cells.length - 1 && text) td.className = "swg-sim";
        tr.appendChild(td);
      });
      frag.appendChild(tr);
    });
    body.appendChild(frag);
    $("swg-more").hidden = matches.length <= state.shown;
    $("swg-shown").textContent = T.shown.replace("{shown}", fmt(Math.min(state.shown, matches.length), 0))
      .replace("{total}", fmt(matches.length, 0));
    root.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.setAttribute("aria-sort", th.getAttribute("data-sort") === state.sort ? (state.desc ? "descending" : "ascending") : "none");
    });
    root.setAttribute("data-ready", "1");
  }

  function csv() {
    var head = D.aggregated ? ["year", "programme", "field", "town", "village", "amount_yuan", "grants", "provenance"]
                            : ["year", "programme", "field", "town", "village", "organisation", "title", "amount_yuan", "provenance"];
    var q = function (s) { s = String(s); return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; };
    var lines = [head.join(",")];
    matches.forEach(function (i) {
      var row = ["year", "programme", "field", "town", "village"].map(function (k) { return value(k, i); });
      if (!D.aggregated) row.push(value("org", i), value("title", i));
      row.push(C.amount[i]);
      if (D.aggregated) row.push(C.grants[i]);
      row.push(C.simulated[i] ? "simulated" : "");
      lines.push(row.map(q).join(","));
    });
    var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], {type: "text/csv;charset=utf-8"});
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "grants_filtered.csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  }

  function refreshVillages() {
    options("swg-village", "village", distinct("village", state.town ? function (i) { return value("town", i) === state.town; } : null));
    state.village = $("swg-village").value;
  }

  ["year", "programme", "field", "town", "village", "org"].forEach(function (key) {
    var sel = $("swg-" + key);
    if (!sel) return;
    if (sel.tagName === "SELECT") options("swg-" + key, key, distinct(key));
    sel.addEventListener("change", function () {
      state[key] = sel.value;
      if (key === "town") refreshVillages();
      state.shown = PAGE;
      render();
    });
  });
  var timer = null;
  $("swg-q").addEventListener("input", function (e) {
    clearTimeout(timer);
    timer = setTimeout(function () { state.q = e.target.value; state.shown = PAGE; render(); }, 120);
  });
  root.querySelectorAll("th[data-sort] button").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var key = btn.parentNode.getAttribute("data-sort");
      state.desc = state.sort === key ? !state.desc : key === "amount" || key === "grants";
      state.sort = key;
      render();
    });
  });
  $("swg-more").addEventListener("click", function () { state.shown += PAGE * 5; render(); });
  $("swg-csv").addEventListener("click", csv);
  $("swg-reset").addEventListener("click", function () {
    ["year", "programme", "field", "town", "org"].forEach(function (k) { if ($("swg-" + k)) $("swg-" + k).value = ""; state[k] = ""; });
    $("swg-q").value = ""; state.q = "";
    refreshVillages();
    render();
  });
  window.SWGrants = {count: function () { return matches.length; }, rows: function () { return matches.slice(); }};
  render();
})();
