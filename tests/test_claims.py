"""Every grade tests the sentence it labels (issue 20): declarations, claims that can fail, counterfactuals.

The findings are built as the reports build them (brief and every town profile, on the default inputs and on
a copy of the ledger with some villages left unfunded), then graded from their declarations in
``narrative.claims``.  Each claim is fed a draw that contradicts it and must fail.
"""

from __future__ import annotations

import copy
import dataclasses
import string
import warnings

import numpy as np
import pytest

from shunde_workbook.analysis import evidence as evi
from shunde_workbook.analysis import studies
from shunde_workbook.analysis.uncertainty import UncertaintyModel
from shunde_workbook.data.reconcile import reconcile
from shunde_workbook.narrative import Finding, Value, claims, statements, template
from shunde_workbook.narrative.assess import assess
from shunde_workbook.narrative.grades import MATERIAL, SEED_SHARE
from shunde_workbook.narrative.statements import weakest_grade
from shunde_workbook.narrative.text import tr

from helpers import brief_findings, compute_results, default_params

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning", "ignore::UserWarning")


def _starter_finding(results, inp) -> Finding:
    """The students' starter notebook's finding (notebooks/_starter_extend.ipynb): highest over lowest per resident."""
    per = results["distribution"]["summary"]["per_resident"].dropna()
    ratio = float(per.max() / per.min())
    return Finding(
        "starter.ratio",
        1,
        template("starter.finding.ratio"),
        {"ratio": Value(ratio, "ratio", "starter.ratio")},
        hedges=statements.ledger_hedges(inp.statuses),
        key="starter.finding.ratio",
    )


def _findings(results, profiles, inp) -> list:
    out = brief_findings(results, inp) + [_starter_finding(results, inp)]
    for prof in profiles.values():
        out += statements.profile_findings(prof, inp.towns, inp.statuses)
    return out


@pytest.fixture(scope="module")
def default_run():
    params = default_params()
    results, profiles, inp = compute_results(params)
    model = UncertaintyModel(draws=400, seed_ensemble=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evi.evidence(inp, params["need_weights"], params["floor_share"], model=model, fixed_totals=True)
    findings = _findings(results, profiles, inp)
    table = reconcile(inp.full_ledger)
    assess(findings, {**results}, ev, inp.statuses, table, params, towns=inp.towns, ledger=inp.ledger)
    return {"params": params, "results": results, "profiles": profiles, "inp": inp, "ev": ev, "findings": findings}


@pytest.fixture(scope="module")
def gapped_run(default_run):
    """The default ledger without any grant to the first five villages of the list (some towns then have
    unfunded villages): the coverage and profile-village sentences take their other form."""
    inp = default_run["inp"]
    gone = set(inp.villages["code"].astype(str).head(5))
    led = inp.ledger[~inp.ledger["village_code"].astype(str).isin(gone)]
    gapped = dataclasses.replace(inp, ledger=led, full_ledger=led)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = {"distribution": studies.distribution(gapped)}
        profiles = {c: studies.profile(gapped, c) for c in gapped.towns.index}
        ev = evi.evidence(gapped, default_run["params"]["need_weights"], 0.3, model=UncertaintyModel.none())
    findings = statements.distribution_findings(results["distribution"], gapped.towns, gapped.statuses)
    for prof in profiles.values():
        findings += statements.profile_findings(prof, gapped.towns, gapped.statuses)
    return {"inp": gapped, "ev": ev, "findings": findings}


def _graded(findings):
    return [
        (f, claims.declaration(f.key)) for f in findings if claims.declaration(f.key) and not f.key.endswith("audit")
    ]


# ------------------------------------------------------------------ contradicting draws


def _contradict_number(d: dict, n: claims.Number, meta: dict, towns, stated: float) -> dict:
    """A copy of ``d`` in which the quantity behind ``n`` is far from ``stated`` (doubled, or off by one)."""
    out = copy.deepcopy(d)
    name = n.metric.format(**meta)
    x = np.array(out[name], dtype=float)
    col = (slice(None), towns.get_loc(meta[n.town])) if n.town else (slice(None),)
    if n.test == "equal":
        x[col] = x[col] + 1
    else:
        x[col] = x[col] * 3 if stated else x[col] + 1
    out[name] = x
    return out


def _contradict_order(d: dict, name: str, meta: dict, towns) -> dict:
    """A copy of ``d`` in which the ordering ``name`` no longer holds."""
    out = copy.deepcopy(d)

    def set_col(metric, key, value_of):
        x = np.array(out[metric.format(**meta)], dtype=float)
        x[:, towns.get_loc(meta[key])] = value_of(x)
        out[metric.format(**meta)] = x

    lowest = {"lowest_per_resident": ("per_resident", "low"), "lowest_coverage": ("coverage", "town")}
    lowest["worst_under"] = ("distance", "under")
    highest = {"highest_per_resident": ("per_resident", "high"), "worst_over": ("distance", "over")}
    highest.update(need_top=("need", "town"), rule_top=("alloc_{rule}", "town"), biggest_shift=("shift_{rule}", "town"))
    if name in lowest:
        set_col(*lowest[name], lambda x: np.nanmax(x, axis=1) + 1)
    elif name in highest:
        set_col(*highest[name], lambda x: np.zeros(len(x)))
    elif name == "shift_sign":
        set_col("shift_{rule}", "town", lambda x: -x[:, towns.get_loc(meta["town"])])
    elif name == "gap_sign":
        t = towns.get_loc(meta["town"])
        x = np.array(out["amount_share_all"], dtype=float)
        x[:, t] = out["pop_share"][:, t] - meta["gap_sign"] * 0.05
        out["amount_share_all"] = x
    elif name == "top_field":
        out["top_field"] = np.array(["其他|其他"] * len(out["top_field"]), dtype=object)
    elif name == "all_funded":
        set_col("unfunded_villages", "town", lambda x: np.ones(len(x)))
    elif name == "rank_first":
        set_col("rank_amount", "town", lambda x: np.full(len(x), 2.0))
    else:
        raise AssertionError(f"no contradiction written for ordering {name!r}")
    return out


def _check_claims(findings, ev) -> set:
    seen = set()
    towns = ev.towns
    for f, dec in _graded(findings):
        if dec.exact or dec.published_input:  # no claim: counts of the file, or published inputs
            continue
        seen.add(f.key)
        nums = claims.graded_numbers(dec, f.values)
        assert nums or dec.orders, f"{f.key}: a graded finding must state a quantity or an ordering"
        assert claims.holds(dec, ev.point, f.values, f.meta, towns).all(), f"{f.key} fails on its own point"
        for key, n in nums.items():
            bad = _contradict_number(ev.point, n, f.meta, towns, f.values[key].value)
            assert not claims.holds(dec, bad, f.values, f.meta, towns).any(), f"{f.key}.{key} cannot fail"
        for name in dec.orders:
            assert claims.ORDERS[name](ev.point, f.meta, towns).all(), f"{f.key}: {name} fails on its point"
            bad = _contradict_order(ev.point, name, f.meta, towns)
            assert not np.any(claims.ORDERS[name](bad, f.meta, towns)), f"{f.key}: {name} cannot fail"
            assert not claims.holds(dec, bad, f.values, f.meta, towns).any()
    return seen


def test_every_claim_fails_on_a_contradicting_draw(default_run, gapped_run):
    seen = _check_claims(default_run["findings"], default_run["ev"])
    seen |= _check_claims(gapped_run["findings"], gapped_run["ev"])
    graded = {k for k, d in claims.DECLARATIONS.items() if not (d.exact or d.published_input)}
    assert graded <= seen, f"declarations never exercised: {sorted(graded - seen)}"
    # no claim function is constant: each ordering was True on a point and False on its contradiction above
    assert set(claims.ORDERS) == {o for d in claims.DECLARATIONS.values() for o in d.orders}


def test_every_number_of_every_sentence_is_declared(default_run, gapped_run):
    for f, dec in _graded(default_run["findings"] + gapped_run["findings"]):
        assert set(f.values) == set(dec.numbers), f.key
        placeholders = {p for _, p, _, _ in string.Formatter().parse(tr(f.key, "zh")) if p}
        assert set(dec.numbers) <= placeholders, f.key
        for n in dec.numbers.values():
            assert n.metric is not None or n.reason, f"{f.key}: an ungraded number needs a reason"


def test_the_old_always_true_claims_are_gone():
    import shunde_workbook.narrative.assess as assess_module

    assert not hasattr(assess_module, "_always") and not hasattr(assess_module, "CLAIMS")


# ------------------------------------------------------------------ ratios, hedges, same fact


def test_a_stated_ratio_gets_its_own_interval_and_the_weak_population_hedge(default_run):
    f = next(f for f in default_run["findings"] if f.key == "findings.distribution.per_resident_range")
    ev = default_run["ev"]
    per = ev.draws["per_resident"]
    ratio = per[:, ev.towns.get_loc(f.meta["high"])] / per[:, ev.towns.get_loc(f.meta["low"])]
    lo, hi = np.quantile(ratio, [0.05, 0.95])
    assert f.values["ratio"].lo == pytest.approx(lo) and f.values["ratio"].hi == pytest.approx(hi)
    assert f.values["ratio"].lo < f.values["ratio"].value < f.values["ratio"].hi
    assert weakest_grade("B", "C") == "C" and weakest_grade("A", "B") == "B" and weakest_grade("A", float("nan")) == ""
    grades = default_run["inp"].towns.loc[[f.meta["low"], f.meta["high"]], "pop_grade"].fillna("")
    if any(g not in ("A", "B") for g in grades):
        assert "population_weak" in f.hedges


def test_the_same_fact_gets_the_same_grade_in_every_report(default_run):
    """The top town's first rank by money: in report 03's sentence and in its own profile."""
    ev, towns = default_run["ev"], default_run["ev"].towns
    top = next(f for f in default_run["findings"] if f.key == "findings.distribution.top_town")
    prof = next(
        f for f in default_run["findings"] if f.key == "findings.profile.share" and f.meta["town"] == top.meta["town"]
    )
    assert prof.values["rank"].value == 1
    source = ev.ensemble if ev.ensemble is not None else ev.draws
    a = claims.parts(claims.declaration(top.key), source, top.values, top.meta, towns)["rank_first"]
    b = claims.parts(claims.declaration(prof.key), source, prof.values, prof.meta, towns)["rank"]
    np.testing.assert_array_equal(a, b)
    # the profile is never graded more strongly than the fact it shares with report 03
    assert prof.grade.share <= a.mean() + 1e-12


# ------------------------------------------------------------------ built-in proven by counterfactuals


def test_growth_and_top_field_are_not_built_in_for_the_wrong_setting(default_run):
    by_key = {f.key: f for f in default_run["findings"]}
    growth, field = by_key["findings.overview.growth"], by_key["findings.overview.top_field"]
    assert field.grade.name == "noise" and field.grade.share < SEED_SHARE  # top field in few seeds
    assert growth.grade.setting not in ("zc_year_weights", "hm_year_weights")
    assert growth.grade.name in ("noise", "built-in")
    if growth.grade.name == "built-in":
        assert growth.grade.setting == "programme_start_dates"
    # 和美社区 entering in 2018 makes the growth: without it 众创共善 alone grows far less
    cf = default_run["ev"].counterfactual("programme_start_dates")[0]["cagr"]
    assert np.median(cf) < 0.10 < growth.values["cagr"].value


def test_each_built_in_finding_names_a_setting_whose_counterfactual_removes_it(default_run):
    ev, towns = default_run["ev"], default_run["ev"].towns
    built = [f for f in default_run["findings"] if f.grade is not None and f.grade.name == "built-in"]
    assert built, "the default run has built-in patterns (e.g. the top town's share against its population)"
    for f in built:
        dec = claims.declaration(f.key)
        base = claims.holds(dec, ev.ensemble, f.values, f.meta, towns).mean()
        assert base >= SEED_SHARE
        if f.grade.setting == "calibrated_totals":
            continue
        variants = ev.counterfactual(f.grade.setting)
        assert variants, f"{f.key}: no counterfactual for {f.grade.setting}"
        removed = min(claims.holds(dec, v, f.values, f.meta, towns).mean() for v in variants)
        assert removed < SEED_SHARE and base - removed >= MATERIAL, f.key
        assert f.grade.counterfactual_share == pytest.approx(removed)


# ------------------------------------------------------------------ complete records and fixed totals


def test_published_totals_stay_fixed_in_the_bootstrap(default_run):
    ev = default_run["ev"]
    total = default_run["inp"].ledger["amount"].sum()
    np.testing.assert_allclose(ev.draws["total_amount"], total, rtol=1e-9)
    assert np.ptp(ev.draws["amount"], axis=0).max() > 0  # the split between towns still varies
    np.testing.assert_allclose(ev.draws["cagr"], ev.point["cagr"][0], rtol=1e-9)


def test_complete_official_records_have_exact_sums_and_a_break_in_series_is_not_robust(default_run):
    inp = default_run["inp"]
    official = dataclasses.replace(inp, statuses={**inp.statuses, "ledger": "official"})
    params = {**default_run["params"], "draws": 200}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev = evi.for_params(official, params)
    assert ev.complete and ev.ensemble is None
    assert np.ptp(ev.draws["amount"], axis=0).max() == 0  # a town's total is exact arithmetic
    assert np.ptp(ev.draws["hhi"]) == 0
    assert ev.interval("hhi")[0] == ev.interval("hhi")[1]
    findings = statements.overview_findings(default_run["results"]["overview"], official.statuses)
    findings += statements.fairness_findings(default_run["results"]["fairness"], official.towns, official.statuses)
    assess(
        findings,
        {},
        ev,
        official.statuses,
        reconcile(official.full_ledger),
        {**params, "year_start": 2018},
        towns=official.towns,
        ledger=official.ledger,
    )
    by_key = {f.key: f for f in findings}
    growth = by_key["findings.overview.growth"]
    assert growth.grade.name == "uncertain" and growth.grade.capped == "break_in_series" and "b" in growth.flags
    conc = by_key["findings.fairness.concentration"]
    assert conc.values["hhi"].lo is None and conc.values["share"].lo is None  # no sampling interval
    gini = by_key["findings.fairness.gini"]
    assert gini.values["gini"].lo is not None  # population is still modelled


def test_confidence_never_high_on_weak_inputs(default_run):
    for f in default_run["findings"]:
        if f.grade is None:
            continue
        assert f.confidence in ("high", "medium", "low")
        if "simulated" in f.hedges or "population_weak" in f.hedges:
            assert f.confidence == "low", f.key
        if f.grade.name == "published":
            assert f.confidence == "high"
            assert "simulated" not in f.hedges  # published facts carry no simulated-data caution


def test_official_ledger_unlike_the_simulator_names_the_largest_gap_from_need_with_its_interval(default_run):
    """Money moved from 容桂 to 杏坛 and 均安 on an official ledger that still reconciles with the totals."""
    from shunde_workbook.narrative.grades import key_finding_allowed

    inp, params = default_run["inp"], {**default_run["params"], "draws": 300}
    led = inp.full_ledger.copy()
    rows = led.index[led["town_code"] == "440606006"]
    moved = rows[: int(len(rows) * 0.6)]
    led.loc[moved[::2], "town_code"] = "440606105"
    led.loc[moved[1::2], "town_code"] = "440606106"
    led.loc[moved, "village_code"] = None  # now town-level grants of their new towns
    official = dataclasses.replace(
        inp,
        ledger=led[led["year"].between(2017, 2022)],
        full_ledger=led,
        statuses={**inp.statuses, "ledger": "official"},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = studies.fairness(official, params["need_weights"], params["top_n"])
        ev = evi.for_params(official, params)
    assert ev.complete  # official and reconciling: complete records
    findings = statements.fairness_findings(res, official.towns, official.statuses)
    assess(findings, {}, ev, official.statuses, reconcile(led), params, towns=official.towns, ledger=official.ledger)
    gap = next(f for f in findings if f.key == "findings.fairness.distance")
    assert gap.meta["under"] == "440606006"  # 容桂 is now furthest below its need share
    assert key_finding_allowed(gap.grade)
    for key in ("under_pct", "over_pct"):
        v = gap.values[key]
        assert v.lo is not None and v.lo <= v.value <= v.hi  # the gap's interval (population and weights)
    assert np.ptp(ev.draws["amount"], axis=0).max() == 0  # exact sums: no sampling interval
    conc = next(f for f in findings if f.key == "findings.fairness.concentration")
    assert conc.values["hhi"].lo is None
