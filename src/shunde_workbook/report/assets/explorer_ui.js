/* The allocation explorer's page logic: controls <-> URL fragment, table, map, chart, reproduce box.
 * Data: the JSON block #swx-data written by shunde_workbook/report/explorer.py.  Numbers: SWEngine.
 * Plain DOM and inline SVG, no library, nothing fetched: the file works opened from disk.
 */
(function () {
  "use strict";
  var E = window.SWEngine;
  var root = document.getElementById("swx");
  if (!root || !E) return;
  var D = JSON.parse(document.getElementById("swx-data").textContent);
  var T = D.text, N = D.towns.length, SVGNS = "http://www.w3.org/2000/svg";
  var $ = function (id) { return document.getElementById(id); };
  var WAN = 1e4;

  function fmt(x, digits) {
    if (typeof x !== "number" || !isFinite(x)) return "—";
    return x.toLocaleString(D.lang === "zh" ? "zh-CN" : "en-GB",
      {minimumFractionDigits: digits, maximumFractionDigits: digits});
  }
  function wan(yuan) { return fmt(yuan / WAN, D.unit_digits); }
  function signed(yuan) {
    var v = Math.round(yuan / WAN * Math.pow(10, D.unit_digits)) / Math.pow(10, D.unit_digits);
    if (v === 0) return "0";
    return (v > 0 ? "▲ +" : "▼ −") + fmt(Math.abs(v), D.unit_digits);
  }
  function num(s, fallback) { var x = parseFloat(s); return isFinite(x) ? x : fallback; }
  function r6(x) { return Math.round(x * 1e6) / 1e6; }
  function clamp01(x) { return Math.min(1, Math.max(0, x)); }
  function svg(tag, attrs, text) {
    var el = document.createElementNS(SVGNS, tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    if (text !== undefined) el.textContent = text;
    return el;
  }

  // ------------------------------------------------------------------ state <-> fragment
  function defaults() {
    var s = {rule: D.defaults.rule, extra: {}, floor: D.defaults.floor_share, budgets: {},
             show: "all", basis: "default", pops: {}, baseline: "historical", map: "allocation",
             town: D.towns[0].code};
    s.p = D.defaults.population_weight;
    D.need_columns.forEach(function (c) { s.extra[c.key] = D.defaults.extra[c.key] || 0; });
    D.programmes.forEach(function (p) { s.budgets[p.key] = p.plan; });
    D.towns.forEach(function (t, i) { s.pops[t.code] = D.population_input[i]; });
    return s;
  }

  function parseFragment(hash) {
    var s = defaults(), kv = {};
    hash.replace(/^#/, "").split("&").forEach(function (part) {
      if (!part) return;
      var i = part.indexOf("=");
      var k = decodeURIComponent(i < 0 ? part : part.slice(0, i));
      kv[k] = i < 0 ? "" : decodeURIComponent(part.slice(i + 1).replace(/\+/g, " "));
    });
    if (E.RULES.indexOf(kv.rule) > 0) s.rule = kv.rule;
    var pw = "need_weights.population", vw = "need_weights.village_units";
    if (pw in kv || vw in kv) {
      var p = num(kv[pw], NaN), v = num(kv[vw], NaN);
      if (!isFinite(p)) p = isFinite(v) && v <= 1 ? 1 - v : 0;
      if (!isFinite(v)) v = p <= 1 ? 1 - p : 0;
      var sum = Math.max(0, p) + Math.max(0, v);
      s.p = sum > 0 ? r6(Math.max(0, p) / sum) : 0.5;
      D.need_columns.forEach(function (c) {
        var x = num(kv["need_weights." + c.key], 0);
        s.extra[c.key] = sum > 0 ? r6(Math.max(0, x) / sum) : Math.max(0, x);
      });
    } else {
      D.need_columns.forEach(function (c) {
        if (("need_weights." + c.key) in kv) s.extra[c.key] = Math.max(0, num(kv["need_weights." + c.key], 0));
      });
    }
    if ("floor_share" in kv) s.floor = clamp01(num(kv.floor_share, s.floor));
    D.programmes.forEach(function (p) {
      var b = kv["budget." + p.key];
      if (b !== undefined) s.budgets[p.key] = snapBudget(num(b, p.plan / WAN) * WAN);
    });
    if (kv.show === "all" || D.programmes.some(function (p) { return p.key === kv.show; })) s.show = kv.show;
    if (kv.basis === "custom" || (kv.basis === "published" && D.population_published)) s.basis = kv.basis;
    D.towns.forEach(function (t) {
      var x = num(kv["population." + t.code], NaN);
      if (isFinite(x) && x > 0) s.pops[t.code] = x;
    });
    if (E.RULES.indexOf(kv.baseline) >= 0 || kv.baseline === "report") s.baseline = kv.baseline;
    if (kv.map === "change") s.map = "change";
    if (D.towns.some(function (t) { return t.code === kv.town; })) s.town = kv.town;
    return s;
  }

  function snapBudget(yuan) {
    var units = Math.round(Math.max(0, yuan) / D.round_to);
    return units * D.round_to;
  }

  function weightsOf(s) {
    var w = [["population", s.p], ["village_units", r6(1 - s.p)]];
    D.need_columns.forEach(function (c) { if (s.extra[c.key] > 0) w.push([c.key, s.extra[c.key]]); });
    return w;
  }

  function fragment(s) {
    var parts = ["rule=" + s.rule];
    weightsOf(s).forEach(function (p) { parts.push("need_weights." + encodeURIComponent(p[0]) + "=" + p[1]); });
    parts.push("floor_share=" + s.floor);
    D.programmes.forEach(function (p) {
      if (s.budgets[p.key] !== p.plan) parts.push("budget." + encodeURIComponent(p.key) + "=" + s.budgets[p.key] / WAN);
    });
    if (s.show !== "all") parts.push("show=" + encodeURIComponent(s.show));
    if (s.basis === "published") parts.push("basis=published");
    if (s.basis === "custom") {
      parts.push("basis=custom");
      D.towns.forEach(function (t) { parts.push("population." + t.code + "=" + s.pops[t.code]); });
    }
    if (s.baseline !== "historical") parts.push("baseline=" + s.baseline);
    if (s.map !== "allocation") parts.push("map=" + s.map);
    return parts.join("&");
  }

  // ------------------------------------------------------------------ numbers
  function populationOf(s) {
    if (s.basis === "published") return D.population_published.map(function (x) { return x === null ? NaN : x; });
    return D.towns.map(function (t, i) { return s.basis === "custom" ? s.pops[t.code] : D.population[i]; });
  }

  function compute(s) {
    var res = E.allocate(D, {weights: weightsOf(s), floor_share: s.floor, budgets: s.budgets, population: populationOf(s)});
    var pick = function (rule) { return s.show === "all" ? res.rules[rule] : res.byProgramme[s.show][rule]; };
    var base;
    if (s.baseline === "report") {
      var r = E.allocate(D, {weights: D.defaults.weights, floor_share: D.defaults.floor_share, budgets: s.budgets,
                             population: D.population});
      base = s.show === "all" ? r.rules[D.defaults.rule] : r.byProgramme[s.show][D.defaults.rule];
    } else {
      base = pick(s.baseline);
    }
    return {alloc: pick(s.rule), base: base, all: res};
  }

  function budgetOf(s) {
    if (s.show !== "all") return s.budgets[s.show];
    return D.programmes.reduce(function (a, p) { return a + s.budgets[p.key]; }, 0);
  }

  /* 90 % interval per town in yuan, or null with the reason. */
  function intervals(s) {
    var I = D.intervals, total = budgetOf(s), n = N;
    if (s.basis === "custom") return {why: T.no_interval_custom};
    if (s.basis === "published") return {why: T.no_interval_published};
    if (s.rule === "equal_per_unit") return {why: T.no_interval_units};
    if (s.rule === "per_resident") {
      return {lo: I.resident_lo.map(function (x) { return x * total; }),
              hi: I.resident_hi.map(function (x) { return x * total; }), exact: true};
    }
    var extras = D.need_columns.some(function (c) { return s.extra[c.key] > 0; });
    if (extras) return {why: T.no_interval_extra};
    var g = I.grid, k = 0;
    while (k < g.length - 2 && s.p > g[k + 1]) k++;
    var f = clamp01((s.p - g[k]) / (g[k + 1] - g[k]));
    var exact = Math.abs(s.p - g[k]) < 1e-9 || Math.abs(s.p - g[k + 1]) < 1e-9;
    var lo = [], hi = [];
    for (var t = 0; t < n; t++) {
      var l = I.need_lo[k][t] * (1 - f) + I.need_lo[k + 1][t] * f;
      var h = I.need_hi[k][t] * (1 - f) + I.need_hi[k + 1][t] * f;
      if (s.rule === "floor_plus_need") {
        l = s.floor / n + (1 - s.floor) * l;
        h = s.floor / n + (1 - s.floor) * h;
      }
      lo.push(l * total); hi.push(h * total);
    }
    return {lo: lo, hi: hi, exact: exact};
  }

  // ------------------------------------------------------------------ views
  function renderTable(s, c, iv) {
    var body = $("swx-tbody"), total = 0, change = 0;
    body.textContent = "";
    D.towns.forEach(function (t, i) {
      var tr = document.createElement("tr");
      if (t.code === s.town) tr.className = "swx-hl";
      var cells = [
        ["th", t.name, {scope: "row"}],
        ["td", wan(c.alloc[i]), {"data-town": t.code, "data-measure": "allocation",
                                 "data-value": String(r6(c.alloc[i] / WAN))}],
        ["td", signed(c.alloc[i] - c.base[i]), {"data-town": t.code, "data-measure": "change",
                                                "data-value": String(r6((c.alloc[i] - c.base[i]) / WAN))}],
        ["td", iv.lo ? wan(iv.lo[i]) + " – " + wan(iv.hi[i]) : "—", {"data-town": t.code, "data-measure": "interval"}],
        ["td", fmt(populationOf(s)[i], 0) + " (" + (s.basis === "custom" ? T.grade_user : (D.pop_grades[i] || T.grade_none)) + ")", {}]
      ];
      cells.forEach(function (cell) {
        var el = document.createElement(cell[0]);
        el.textContent = cell[1];
        for (var k in cell[2]) el.setAttribute(k, cell[2][k]);
        if (cell[0] === "td") el.className = "swx-num";
        tr.appendChild(el);
      });
      body.appendChild(tr);
      total += c.alloc[i];
      change += c.alloc[i] - c.base[i];
    });
    var tot = $("swx-total");
    tot.textContent = wan(total);
    tot.setAttribute("data-value", String(r6(total / WAN)));
    $("swx-total-change").textContent = signed(change);
    $("swx-iv-note").textContent = iv.why ? iv.why : (iv.exact ? T.interval_exact : T.interval_interpolated);
  }

  var BLUES = ["#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"];
  var RDBU = ["#b2182b", "#ef8a62", "#f7f7f7", "#67a9cf", "#2166ac"];

  function renderMap(s, c) {
    var change = s.map === "change";
    var vals = c.alloc.map(function (a, i) { return (change ? a - c.base[i] : a) / WAN; });
    var lo = Math.min.apply(null, vals), hi = Math.max.apply(null, vals), m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    var classOf = function (v) {
      if (change) return Math.max(0, Math.min(4, Math.floor((v + m) / (2 * m) * 5 - 1e-9)));
      return hi > lo ? Math.max(0, Math.min(4, Math.floor((v - lo) / (hi - lo) * 5 - 1e-9))) : 2;
    };
    var pal = change ? RDBU : BLUES;
    D.towns.forEach(function (t, i) {
      var path = $("swx-path-" + t.code), label = $("swx-label-" + t.code);
      if (!path) return;
      var k = classOf(vals[i]);
      path.setAttribute("fill", pal[k]);
      var txt = change ? signed(c.alloc[i] - c.base[i]) : wan(c.alloc[i]);
      path.querySelector("title").textContent = t.name + ": " + txt + " " + T.unit;
      label.lastChild.textContent = txt;
      label.setAttribute("class", "swx-label" + ((change ? k === 0 || k === 4 : k >= 3) ? " swx-dark" : ""));
    });
    var legend = $("swx-legend");
    legend.textContent = "";
    for (var k = 0; k < 5; k++) {
      var a = change ? -m + 2 * m * k / 5 : lo + (hi - lo) * k / 5;
      var b = change ? -m + 2 * m * (k + 1) / 5 : lo + (hi - lo) * (k + 1) / 5;
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swx-swatch";
      sw.style.background = pal[k];
      li.appendChild(sw);
      li.appendChild(document.createTextNode(fmt(a, D.unit_digits) + " – " + fmt(b, D.unit_digits)));
      legend.appendChild(li);
    }
    $("swx-map-title").textContent = (change ? T.map_change : T.map_allocation) + " (" + T.unit + ")";
  }

  function renderChart(s) {
    var W = 360, H = 220, L = 52, R = 70, TOP = 12, B = 36;
    var g = $("swx-chart");
    g.textContent = "";
    var xs = [], series = D.towns.map(function () { return []; });
    for (var k = 0; k <= 20; k++) {
      var p = k / 20, st = {};
      for (var key in s) st[key] = s[key];
      st.p = r6(p);
      var c = compute(st);
      xs.push(p);
      c.alloc.forEach(function (a, i) { series[i].push(a / WAN); });
    }
    var cur = compute(s).alloc.map(function (a) { return a / WAN; });
    var ymax = 0;
    series.forEach(function (ln) { ln.forEach(function (v) { ymax = Math.max(ymax, v); }); });
    ymax = ymax * 1.08 || 1;
    var X = function (p) { return L + p * (W - L - R); };
    var Y = function (v) { return TOP + (1 - v / ymax) * (H - TOP - B); };
    g.appendChild(svg("line", {x1: L, x2: L, y1: TOP, y2: H - B, class: "swx-axis"}));
    g.appendChild(svg("line", {x1: L, x2: W - R, y1: H - B, y2: H - B, class: "swx-axis"}));
    [0, 0.5, 1].forEach(function (f) {
      g.appendChild(svg("text", {x: L - 4, y: Y(ymax / 1.08 * f) + 4, "text-anchor": "end", class: "swx-tick"},
                        fmt(ymax / 1.08 * f, 0)));
    });
    [0, 0.25, 0.5, 0.75, 1].forEach(function (p) {
      g.appendChild(svg("text", {x: X(p), y: H - B + 14, "text-anchor": "middle", class: "swx-tick"}, fmt(p, 2)));
    });
    g.appendChild(svg("text", {x: (L + W - R) / 2, y: H - 4, "text-anchor": "middle", class: "swx-axis-title"},
                      T.chart_x));
    g.appendChild(svg("text", {x: 12, y: TOP + (H - TOP - B) / 2, "text-anchor": "middle", class: "swx-axis-title",
                               transform: "rotate(-90 12 " + (TOP + (H - TOP - B) / 2) + ")"}, T.unit));
    var hl = D.towns.map(function (t) { return t.code; }).indexOf(s.town);
    series.forEach(function (ln, i) {
      var d = ln.map(function (v, k) { return (k ? "L" : "M") + X(xs[k]).toFixed(1) + " " + Y(v).toFixed(1); }).join("");
      g.appendChild(svg("path", {d: d, class: i === hl ? "swx-line swx-line-hl" : "swx-line"}));
    });
    var y = Y(series[hl][20]);
    g.appendChild(svg("text", {x: W - R + 4, y: y + 4, class: "swx-line-label"}, D.towns[hl].short));
    g.appendChild(svg("line", {x1: X(s.p), x2: X(s.p), y1: TOP, y2: H - B, class: "swx-marker"}));
    g.appendChild(svg("circle", {cx: X(s.p), cy: Y(cur[hl]), r: 4.5, class: "swx-dot"}));
    g.appendChild(svg("text", {x: X(s.p) + (s.p > 0.6 ? -6 : 6), y: TOP + 10, "text-anchor": s.p > 0.6 ? "end" : "start",
                               class: "swx-tick"}, T.chart_now + " " + fmt(s.p, 2)));
    $("swx-chart-note").textContent = (s.rule === "need_weighted" || s.rule === "floor_plus_need")
      ? T.chart_note.replace("{town}", D.towns[hl].name) : T.chart_flat;
  }

  function yamlNumber(x) { return String(x); }

  function renderReproduce(s) {
    var w = weightsOf(s);
    var dict = "{" + w.map(function (p) { return p[0] + ": " + yamlNumber(p[1]); }).join(", ") + "}";
    var cmd = "shunde-workbook run --set 'need_weights=" + dict + "' --set floor_share=" + s.floor;
    var yaml = "need_weights: " + dict + "\nfloor_share: " + s.floor + "\n";
    var notes = [];
    if (s.basis === "default" && D.run_basis && D.run_basis !== D.default_basis) {
      cmd += " --set population_basis=" + D.run_basis;
      yaml += "population_basis: " + D.run_basis + "\n";
    }
    if (s.basis !== "default") {  // figures used as they are, not re-estimated by the population model
      cmd += " --set population_basis=best_available";
      yaml += "population_basis: best_available\n";
    }
    if (s.basis === "custom") {
      cmd += " --set population_path=my_population.csv";
      yaml += "population_path: my_population.csv\n";
      notes.push(T.repro_population + "\n" + D.population_csv_header + "\n" + D.towns.map(function (t) {
        return t.code + "," + t.name_zh + "," + s.pops[t.code] + ",C,n.d.," + D.population_csv_source;
      }).join("\n"));
    }
    var changed = D.programmes.filter(function (p) { return s.budgets[p.key] !== p.plan; });
    if (changed.length) {
      notes.push(T.repro_budget.replace("{function}", "metrics.compare_scenarios") + "\n" + D.programmes.map(function (p) {
        return "metrics.compare_scenarios(" + s.budgets[p.key] + ", ...)  # " + p.key;
      }).join("\n"));
    }
    $("swx-cmd").textContent = cmd;
    $("swx-yaml").textContent = yaml;
    $("swx-repro-notes").textContent = notes.join("\n\n");
    $("swx-repro-notes").hidden = !notes.length;
    $("swx-link").setAttribute("href", "#" + fragment(s));
  }

  function renderSummary(s, c) {
    var total = c.alloc.reduce(function (a, b) { return a + b; }, 0);
    var rule = D.rule_labels[s.rule];
    var parts = [rule, T.summary_weights.replace("{p}", fmt(s.p, 2)).replace("{v}", fmt(r6(1 - s.p), 2))];
    if (s.rule === "floor_plus_need") parts.push(T.summary_floor.replace("{f}", fmt(s.floor * 100, 0) + "%"));
    var whole = Math.abs(total / WAN - Math.round(total / WAN)) < 1e-9;
    parts.push(T.summary_total.replace("{total}", whole ? fmt(total / WAN, 0) : wan(total)).replace("{unit}", T.unit));
    $("swx-summary").textContent = parts.join(" · ");
    $("swx-print-settings").textContent = T.print_settings + " " + parts.join(" · ");
    var warn = [];
    if (s.baseline === "historical" && D.status.ledger_simulated) warn.push(T.warn_historical);
    if (s.basis === "custom") warn.push(T.warn_custom);
    if (s.basis === "published") warn.push(T.warn_published);
    var w = $("swx-warn");
    w.textContent = warn.join(" ");
    w.hidden = !warn.length;
  }

  // ------------------------------------------------------------------ controls
  var state;

  function syncControls(s) {
    root.querySelectorAll("input[name=swx-rule]").forEach(function (el) { el.checked = el.value === s.rule; });
    $("swx-p").value = s.p; $("swx-p-num").value = s.p;
    $("swx-v-out").textContent = fmt(r6(1 - s.p), 2);
    $("swx-floor").value = s.floor; $("swx-floor-num").value = s.floor;
    $("swx-floor").disabled = $("swx-floor-num").disabled = s.rule !== "floor_plus_need";
    D.need_columns.forEach(function (c) { $("swx-extra-" + c.key).value = s.extra[c.key]; });
    D.programmes.forEach(function (p, i) { $("swx-budget-" + i).value = s.budgets[p.key] / WAN; });
    $("swx-show").value = s.show;
    root.querySelectorAll("input[name=swx-basis]").forEach(function (el) { el.checked = el.value === s.basis; });
    $("swx-pops").hidden = s.basis !== "custom";
    D.towns.forEach(function (t) { $("swx-pop-" + t.code).value = s.pops[t.code]; });
    $("swx-baseline").value = s.baseline;
    $("swx-map-measure").value = s.map;
    $("swx-town").value = s.town;
  }

  function update(fromUser) {
    var c;
    try {
      c = compute(state);
      $("swx-error").hidden = true;
    } catch (err) {
      $("swx-error").textContent = T.error + " " + err.message;
      $("swx-error").hidden = false;
      return;
    }
    var iv = intervals(state);
    renderTable(state, c, iv);
    renderMap(state, c);
    renderChart(state);
    renderReproduce(state);
    renderSummary(state, c);
    syncControls(state);
    if (fromUser && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + fragment(state));
    }
    root.setAttribute("data-ready", "1");
  }

  function on(id, ev, fn) { $(id).addEventListener(ev, function (e) { fn(e.target); update(true); }); }

  root.querySelectorAll("input[name=swx-rule]").forEach(function (el) {
    el.addEventListener("change", function () { state.rule = el.value; update(true); });
  });
  root.querySelectorAll("input[name=swx-basis]").forEach(function (el) {
    el.addEventListener("change", function () { state.basis = el.value; update(true); });
  });
  ["swx-p", "swx-p-num"].forEach(function (id) {
    on(id, "input", function (el) { state.p = r6(clamp01(num(el.value, state.p))); });
  });
  ["swx-floor", "swx-floor-num"].forEach(function (id) {
    on(id, "input", function (el) { state.floor = r6(clamp01(num(el.value, state.floor))); });
  });
  D.need_columns.forEach(function (c) {
    on("swx-extra-" + c.key, "input", function (el) { state.extra[c.key] = r6(Math.max(0, num(el.value, 0))); });
  });
  D.programmes.forEach(function (p, i) {
    on("swx-budget-" + i, "change", function (el) { state.budgets[p.key] = snapBudget(num(el.value, p.plan / WAN) * WAN); });
  });
  D.towns.forEach(function (t) {
    on("swx-pop-" + t.code, "change", function (el) {
      var x = num(el.value, state.pops[t.code]);
      if (x > 0) state.pops[t.code] = Math.round(x);
    });
  });
  on("swx-show", "change", function (el) { state.show = el.value; });
  on("swx-baseline", "change", function (el) { state.baseline = el.value; });
  on("swx-map-measure", "change", function (el) { state.map = el.value; });
  on("swx-town", "change", function (el) { state.town = el.value; });
  $("swx-reset").addEventListener("click", function () { state = defaults(); update(true); });
  // only fragments that carry settings ("key=value") change the state: "#swx" (a contents link) does not
  var isSetting = function (h) { return h.indexOf("=") >= 0; };
  window.addEventListener("hashchange", function () {
    if (isSetting(location.hash)) { state = parseFragment(location.hash); update(false); }
  });

  state = parseFragment(isSetting(location.hash) ? location.hash : "");
  window.SWExplorer = {
    state: function () { return JSON.parse(JSON.stringify(state)); },
    compute: function (s) { return compute(s || state); },
    fragment: function () { return fragment(state); },
    data: D
  };
  update(false);
  if (isSetting(location.hash) && root.scrollIntoView) root.scrollIntoView();
})();
