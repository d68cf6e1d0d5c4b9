/* The allocation rules of metrics/scenarios.py and analysis/studies.py, step for step.
 *
 * Every sum, product and division is done in the order the Python engine does it, so that the
 * floating-point values, and therefore the largest-remainder rounding, are the same to the last bit:
 *   - numpy's sum of a float64 array is a pairwise sum (pwsum below, numpy's algorithm for n <= 128);
 *   - Python's built-in sum() is a plain left-to-right sum starting at 0 (seqsum).
 * tests/test_explorer_browser.py checks the result against the Python functions for many settings.
 * No dependency: plain ES5/ES2015 that runs from a file opened from disk.
 */
(function (root) {
  "use strict";

  function seqsum(a) {
    var s = 0;
    for (var i = 0; i < a.length; i++) s += a[i];
    return s;
  }

  /* numpy.add.reduce on a contiguous float64 array (pairwise summation, 8 accumulators). */
  function pwsum(a) {
    var n = a.length, i, j;
    if (n < 8) {
      var s = -0.0;
      for (i = 0; i < n; i++) s += a[i];
      return s;
    }
    if (n <= 128) {
      var r = a.slice(0, 8);
      for (i = 8; i < n - (n % 8); i += 8) for (j = 0; j < 8; j++) r[j] += a[i + j];
      var res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
      for (; i < n; i++) res += a[i];
      return res;
    }
    var n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return pwsum(a.slice(0, n2)) + pwsum(a.slice(n2));
  }

  function isnum(x) { return typeof x === "number" && isFinite(x); }

  function pick(a, mask, want) {
    var out = [];
    for (var i = 0; i < a.length; i++) if (mask[i] === want) out.push(a[i]);
    return out;
  }

  /* rounding.round_largest_remainder: floors, then the left-over units to the largest remainders. */
  function roundLargestRemainder(alloc, unit) {
    var q = alloc.map(function (x) { return x / unit; });
    var nUnits = pwsum(q);
    var whole = Math.round(nUnits);
    if (Math.abs(nUnits - whole) > 1e-9 * Math.max(1, Math.abs(nUnits))) {
      throw new Error("total " + pwsum(alloc) + " is not a whole multiple of the unit " + unit);
    }
    var base = q.map(Math.floor);
    var left = whole - pwsum(base);
    var rem = q.map(function (x, i) { return x - base[i]; });
    var order = q.map(function (_, i) { return i; });
    order.sort(function (a, b) { return rem[a] > rem[b] ? -1 : rem[a] < rem[b] ? 1 : 0; }); // stable
    var bump = q.map(function () { return 0; });
    for (var k = 0; k < left; k++) bump[order[k]] = 1;
    return base.map(function (b, i) { return (b + bump[i]) * unit; });
  }

  function proportional(total, w) {
    var denom = pwsum(w);
    if (!(denom > 0)) throw new Error("weights sum to zero");
    return w.map(function (x) { return total * x / denom; });
  }

  /* metrics.need_index(method="share"): weights is an ordered list of [column, weight]. */
  function needIndex(columns, weights) {
    var total = seqsum(weights.map(function (p) { return p[1]; }));
    if (!(total > 0)) throw new Error("need weights sum to zero");
    var used = weights.filter(function (p) { return p[1] > 0; }).map(function (p) { return [p[0], p[1] / total]; });
    var n = columns[used[0][0]].length;
    var complete = [];
    for (var t = 0; t < n; t++) {
      complete.push(used.every(function (p) { return isnum(columns[p[0]][t]); }));
    }
    if (complete.indexOf(true) < 0) throw new Error("no town has data in every need column");
    var score = complete.map(function () { return 0.0; });
    used.forEach(function (p) {
      var col = pick(columns[p[0]], complete, true);
      var tot = pwsum(col);
      if (!(tot > 0)) throw new Error("need column " + p[0] + " sums to zero");
      var k = 0;
      for (var t = 0; t < n; t++) if (complete[t]) score[t] += p[1] * (col[k++] / tot);
    });
    return score.map(function (s, t) { return complete[t] ? s : NaN; });
  }

  /* analysis.studies.fill_need_by_units */
  function fillNeedByUnits(need, units) {
    var missing = need.map(function (x) { return !isnum(x); });
    if (missing.indexOf(true) < 0) {
      var s = pwsum(need);
      return need.map(function (x) { return x / s; });
    }
    var usum = pwsum(units);
    var share = units.map(function (u) { return u / usum; });
    var known = pick(need, missing, false);
    var ksum = pwsum(known);
    var left = 1 - pwsum(pick(share, missing, true));
    return need.map(function (x, t) { return missing[t] ? share[t] : x / ksum * left; });
  }

  /* metrics.per_resident with missing="fallback_units" */
  function perResident(total, pop, units) {
    var nan = pop.map(function (x) { return !isnum(x); });
    if (nan.indexOf(true) < 0) return proportional(total, pop);
    var unitTotal = pwsum(units);
    var alloc = pop.map(function (_, t) { return nan[t] ? total * units[t] / unitTotal : 0.0; });
    var rest = total - pwsum(pick(alloc, nan, true));
    var known = pick(pop, nan, false);
    if (known.length) {
      var part = proportional(rest, known), k = 0;
      for (var t = 0; t < pop.length; t++) if (!nan[t]) alloc[t] = part[k++];
    }
    return alloc;
  }

  /* metrics.floor_plus_formula */
  function floorPlus(total, fs, f) {
    var floor = fs * total / f.length;
    return proportional((1.0 - fs) * total, f).map(function (x) { return floor + x; });
  }

  var RULES = ["historical", "equal_per_unit", "per_resident", "need_weighted", "floor_plus_need"];

  /* studies.scenarios for one setting.
   * data: {units: [...], columns: {name: [...]}, programmes: [{key, past: [...]}], round_to}
   * s: {weights: [[col, w], ...], floor_share, budgets: {programme: yuan}, population: [...]}
   * Returns {rule: [yuan per town]} summed over programmes, and byProgramme. */
  function allocate(data, s) {
    var units = data.units;
    var columns = {};
    Object.keys(data.columns).forEach(function (k) { columns[k] = data.columns[k]; });
    columns.population = s.population;
    columns.village_units = units;
    var need = fillNeedByUnits(needIndex(columns, s.weights), units);
    var n = units.length, out = {}, byProgramme = {};
    RULES.forEach(function (r) { out[r] = units.map(function () { return 0; }); });
    data.programmes.forEach(function (p) {
      var total = s.budgets[p.key];
      var rt = data.round_to;
      var res = {
        historical: proportional(total, p.past),
        equal_per_unit: proportional(total, units),
        per_resident: perResident(total, s.population, units),
        need_weighted: proportional(total, need),
        floor_plus_need: floorPlus(total, s.floor_share, need)
      };
      byProgramme[p.key] = {};
      RULES.forEach(function (r) {
        var rounded = roundLargestRemainder(res[r], rt);
        byProgramme[p.key][r] = rounded;
        for (var t = 0; t < n; t++) out[r][t] = out[r][t] + rounded[t];
      });
    });
    return {rules: out, byProgramme: byProgramme, need: need};
  }

  /* numpy.quantile(method="linear") of an unsorted array */
  function quantile(values, q) {
    var a = values.filter(isnum).sort(function (x, y) { return x - y; });
    if (!a.length) return NaN;
    var pos = q * (a.length - 1), lo = Math.floor(pos), hi = Math.ceil(pos);
    return a[lo] + (a[hi] - a[lo]) * (pos - lo);
  }

  root.SWEngine = {
    RULES: RULES, pwsum: pwsum, seqsum: seqsum, roundLargestRemainder: roundLargestRemainder,
    needIndex: needIndex, fillNeedByUnits: fillNeedByUnits, perResident: perResident,
    floorPlus: floorPlus, allocate: allocate, quantile: quantile
  };
})(typeof window !== "undefined" ? window : this);
