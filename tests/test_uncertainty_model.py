"""Tests for shunde_workbook.analysis.uncertainty: the input model, zero uncertainty, calibration, reproducibility."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shunde_workbook import metrics
from shunde_workbook.analysis import Inputs, load_inputs, studies
from shunde_workbook.analysis import evidence as evi
from shunde_workbook.analysis import uncertainty as unc
from shunde_workbook.analysis.inputs import town_summary
from shunde_workbook.metrics import montecarlo as mc
from shunde_workbook.params import SPECS, _check_value, load_param_file
from shunde_workbook.paths import PARAMS, REFERENCE

WEIGHTS = {"population": 0.6, "village_units": 0.4}


@pytest.fixture(scope="module")
def params():
    return load_param_file(PARAMS / "default.yaml")


@pytest.fixture(scope="module")
def inp(params):
    return load_inputs(params, boundaries=False)


@pytest.fixture(scope="module")
def published_inp(params):
    """The published figures (``population_basis=best_available``): the model of ``uncertainty.population_ranges``."""
    return load_inputs({**params, "population_basis": "best_available"}, boundaries=False)


@pytest.fixture(scope="module")
def ranges(published_inp):
    return unc.population_ranges(published_inp.towns)


# --------------------------------------------------------------------------- population model


def test_population_ranges_follow_the_grades(published_inp, ranges):
    towns = published_inp.towns
    for code, row in towns.iterrows():
        m, r = row["population"], ranges.loc[code]
        if row["pop_grade"] == "A":
            assert (r["lo"], r["hi"]) == pytest.approx((0.99 * m, 1.01 * m))
        elif row["pop_grade"] == "B":
            assert (r["lo"], r["hi"]) == pytest.approx((0.95 * m, 1.05 * m))
    # C: 大良 has comparable figures 403,800 (常住) and 320,000 (unspecified total); its 户籍 figures do not count
    sources = pd.read_csv(REFERENCE / "town_population_sources.csv")
    daliang = sources[
        (sources["town"] == "大良街道")
        & sources["metric"].isin(["resident_population", "total_population_unspecified"])
    ]
    assert set(daliang["value"]) == {405100, 403800, 320000}
    assert ranges.loc["440606005", "lo"] == pytest.approx(320000)
    assert ranges.loc["440606005", "hi"] == pytest.approx(405100 * 1.15)
    # 杏坛: the only other figures are 户籍 143,000 and floating 110,000, so it keeps ±15 %
    assert (ranges.loc["440606105", "lo"], ranges.loc["440606105", "hi"]) == pytest.approx((153000, 207000))
    # 均安: no figure; imputed as the simulator does (median residents per unit of the others × 13 units), ±30 %
    known = towns.dropna(subset=["population"])
    imputed = float((known["population"] / known["village_units"]).median()) * 13
    assert ranges.loc["440606106", "point"] == pytest.approx(imputed)
    assert (ranges.loc["440606106", "lo"], ranges.loc["440606106", "hi"]) == pytest.approx(
        (0.7 * imputed, 1.3 * imputed)
    )


def test_population_ranges_scale_and_official_basis(published_inp):
    inp = published_inp
    fixed = unc.population_ranges(inp.towns, scale=0.0)
    assert (fixed["lo"] == fixed["point"]).all() and (fixed["hi"] == fixed["point"]).all()
    wide = unc.population_ranges(inp.towns, scale=2.0)
    base = unc.population_ranges(inp.towns)
    assert (wide["hi"] - wide["point"]).to_numpy() == pytest.approx(2 * (base["hi"] - base["point"]).to_numpy())
    # official_only blanks the C figures: those towns stay out, only the town with no figure at all is imputed
    towns = inp.towns.copy()
    towns.loc[towns["pop_grade"] == "C", "population"] = np.nan
    off = unc.population_ranges(towns)
    assert off.loc[towns["pop_grade"] == "C", "point"].isna().all()
    assert np.isfinite(off.loc["440606106", "point"])
    assert np.isnan(unc.population_ranges(inp.towns, impute_missing=False).loc["440606106", "point"])


def test_population_draws_match_the_stated_range(ranges):
    pop = unc.draw_population(ranges, 200_000, np.random.default_rng(1))
    inside = (pop >= ranges["lo"].to_numpy()) & (pop <= ranges["hi"].to_numpy())
    assert inside.mean(axis=0) == pytest.approx(np.full(len(ranges), 0.9), abs=0.005)
    assert np.median(pop, axis=0) == pytest.approx(ranges["point"].to_numpy(), rel=0.003)
    assert (pop > 0).all()


def test_need_weight_draws():
    rng = np.random.default_rng(3)
    w = unc.draw_need_weights({"population": 3, "village_units": 2, "area": 0}, 100_000, rng, concentration=50)
    assert w.sum(axis=1) == pytest.approx(np.ones(len(w)))
    assert (w[:, 2] == 0).all()
    assert w.mean(axis=0)[:2] == pytest.approx([0.6, 0.4], abs=0.002)
    assert w[:, 0].var() == pytest.approx(0.6 * 0.4 / 51, rel=0.03)
    fixed = unc.draw_need_weights({"population": 3, "village_units": 2}, 5, rng, concentration=None)
    assert (fixed == [0.6, 0.4]).all()
    assert (unc.draw_need_weights({"population": 1}, 4, rng, concentration=50) == 1).all()


# --------------------------------------------------------------------------- grants bootstrap


def test_bootstrap_keeps_strata_and_centres_on_the_ledger(inp):
    towns = inp.towns.index
    led = inp.ledger
    g = unc.bootstrap_grants(led, towns, ["众创共善", "和美社区"], 400, np.random.default_rng(5))
    point = unc.grant_totals(led, towns, ["众创共善", "和美社区"])
    assert g.by_programme.shape == (400, 2, len(towns))
    # every draw spreads the same money over the organisations as over the towns
    assert g.org_totals.sum(axis=1) == pytest.approx(g.by_programme.sum(axis=(1, 2)))
    # resampling is within programme x year: a stratum whose rows are all equal keeps its exact total
    flat = led.copy()
    flat["amount"] = flat.groupby(["programme", "year"])["amount"].transform("mean")
    gf = unc.bootstrap_grants(flat, towns, ["众创共善", "和美社区"], 50, np.random.default_rng(6))
    totals = flat.groupby("programme")["amount"].sum()
    assert gf.by_programme.sum(axis=2) == pytest.approx(np.tile([totals["众创共善"], totals["和美社区"]], (50, 1)))
    # the bootstrap mean of a town's money is the ledger's figure (standard error of the mean ~ sd / 20)
    mean = g.by_programme.mean(axis=0)
    sd = g.by_programme.std(axis=0)
    assert np.all(np.abs(mean - point.by_programme[0]) <= 4 * sd / np.sqrt(400) + 1e-6)
    expected = led.groupby("town_code")["amount"].sum().reindex(towns).fillna(0).to_numpy()
    assert point.by_programme[0].sum(axis=0) == pytest.approx(expected)


def test_a_remembered_bootstrap_is_exactly_the_fresh_one(inp):
    towns, progs = inp.towns.index, ["众创共善", "和美社区"]
    led = inp.ledger
    unc._BOOTSTRAPS.clear()
    rng_fresh = np.random.default_rng(11)
    fresh = unc.bootstrap_grants(led, towns, progs, 60, rng_fresh)
    after_fresh = rng_fresh.random(3)
    rng_again = np.random.default_rng(11)
    again = unc.bootstrap_grants(led, towns, progs, 60, rng_again)  # served from memory
    assert again is fresh
    np.testing.assert_array_equal(rng_again.random(3), after_fresh)  # the generator moved on as if it had drawn
    # Another generator state, or the same rows in another order, is computed afresh (and differs).
    other = unc.bootstrap_grants(led, towns, progs, 60, np.random.default_rng(12))
    assert not np.array_equal(other.by_programme, fresh.by_programme)
    shuffled = led.sample(frac=1.0, random_state=0)
    reordered = unc.bootstrap_grants(shuffled, towns, progs, 60, np.random.default_rng(11))
    unc._BOOTSTRAPS.clear()
    assert not np.array_equal(reordered.by_programme, fresh.by_programme)
    recomputed = unc.bootstrap_grants(shuffled, towns, progs, 60, np.random.default_rng(11))
    np.testing.assert_array_equal(recomputed.by_programme, reordered.by_programme)


# --------------------------------------------------------------------------- zero uncertainty = today's figures


@pytest.mark.filterwarnings("ignore::shunde_workbook.errors.MissingDataWarning")  # 均安 in studies.scenarios
def test_zero_uncertainty_collapses_to_the_study_results(inp, params):
    ev = evi.evidence(inp, params["need_weights"], params["floor_share"], model=unc.UncertaintyModel.none(draws=3))
    fair = studies.fairness(inp, params["need_weights"], top_n=10)
    scen = studies.scenarios(inp, params["need_weights"], params["floor_share"])
    for name, value in [
        ("gini", fair["gini"]),
        ("cv_per_resident", fair["cv_per_resident"]),
        ("hhi", fair["hhi"]),
        ("top_n_share", fair["top_n_share"]),
    ]:
        lo, hi = ev.interval(name)
        assert lo == pytest.approx(value, rel=1e-9) and hi == pytest.approx(value, rel=1e-9), name
        assert ev.point_value(name) == pytest.approx(value, rel=1e-9)
    with_pop = fair["summary"].dropna(subset=["population"])
    assert ev.interval("theil_between")[0] == pytest.approx(
        metrics.theil_t(with_pop["amount"], with_pop["population"]), rel=1e-9
    )
    for name, expected in [
        ("need", fair["need"]),
        ("target", fair["target"]),
        ("distance", fair["distance"]),
        ("per_resident", fair["summary"]["per_resident"]),
        ("pop_share", fair["summary"]["pop_share"]),
        ("amount_share_all", fair["summary"]["amount_share"]),
    ]:
        t = ev.interval(name)
        np.testing.assert_allclose(t["lo"], expected.to_numpy(dtype=float), rtol=1e-9, err_msg=name)
        np.testing.assert_allclose(t["hi"], expected.to_numpy(dtype=float), rtol=1e-9, err_msg=name)
    # The study rounds each programme's allocation to allocation_unit (largest remainders), the engine does not:
    # they agree to within one unit per programme.
    unit_yuan = scen["allocation_unit"] * 1e4 * len(scen["programmes"])
    for rule in scen["rules"]:
        t = ev.interval(f"alloc_{rule}")
        np.testing.assert_allclose(t["lo"], scen["total"][rule].to_numpy(), rtol=0, atol=unit_yuan, err_msg=rule)
        np.testing.assert_allclose(t["hi"], t["lo"], rtol=1e-12, err_msg=rule)
    assert ev.ensemble is None


def test_fairness_cv_is_population_weighted(inp, params):
    summary = town_summary(inp.ledger, inp.towns).dropna(subset=["population"])
    y = (summary["amount"] / summary["population"]).to_numpy()
    p = (summary["population"] / summary["population"].sum()).to_numpy()
    mu = (p * y).sum()
    expected = np.sqrt((p * (y - mu) ** 2).sum()) / mu
    assert studies.fairness(inp, params["need_weights"])["cv_per_resident"] == pytest.approx(expected, rel=1e-12)
    assert expected != pytest.approx(y.std() / y.mean(), rel=1e-3)  # the unweighted CV differs on these data


# --------------------------------------------------------------------------- calibration


def test_calibration_population_and_weights(published_inp):
    """Truths drawn from the model fall in the model's 90 % intervals 85-95 % of the time (300 trials)."""
    towns = published_inp.towns
    ranges = unc.population_ranges(towns)
    amount = np.linspace(2e7, 6e7, len(towns))
    units = towns["village_units"].to_numpy(dtype=float)

    def metrics_of(pop, w):
        return mc.district_metrics(
            amount,
            pop,
            units,
            need_columns={"population": pop, "village_units": units},
            need_weights=w,
            plan_totals=[5.9e7],
            past=amount[None, None, :] + 0 * pop[:, None],
        )

    draws = metrics_of(
        unc.draw_population(ranges, 2000, np.random.default_rng(11)),
        unc.draw_need_weights(WEIGHTS, 2000, np.random.default_rng(12), 50.0),
    )
    truth = metrics_of(
        unc.draw_population(ranges, 300, np.random.default_rng(21)),
        unc.draw_need_weights(WEIGHTS, 300, np.random.default_rng(22), 50.0),
    )
    for name, town in [
        ("gini", None),
        ("cv_per_resident", None),
        ("per_resident", 0),
        ("per_resident", 9),
        ("need", 3),
        ("alloc_per_resident", 5),
        ("alloc_floor_plus_need", 8),
    ]:
        x, t = draws[name], truth[name]
        if town is not None:
            x, t = x[:, town], t[:, town]
        lo, hi = mc.interval(x, 0.9)
        cover = np.mean((t >= lo) & (t <= hi))
        assert 0.85 <= cover <= 0.95, (name, town, cover)


def test_calibration_bootstrap_of_town_totals():
    """Ledgers drawn from a known process: the bootstrap 90 % interval of each town's money covers its
    expected value in 85-95 % of 200 trials (pooled over 6 towns)."""
    rng = np.random.default_rng(2024)
    probs = np.array([0.3, 0.25, 0.15, 0.12, 0.1, 0.08])
    towns = pd.Index([f"t{i}" for i in range(6)])
    strata = [("众创共善", 2020, 200, 1.0e5), ("众创共善", 2021, 220, 1.2e5), ("和美社区", 2021, 120, 2.0e5)]
    sigma = 0.6
    truth = sum(n * probs * scale * np.exp(sigma**2 / 2) for _, _, n, scale in strata)
    hits = []
    for trial in range(200):
        parts = []
        for prog, year, n, scale in strata:
            parts.append(
                pd.DataFrame(
                    {
                        "programme": prog,
                        "year": year,
                        "town_code": towns[rng.choice(6, n, p=probs)],
                        "amount": scale * rng.lognormal(0, sigma, n),
                        "recipient_name": "org",
                    }
                )
            )
        led = pd.concat(parts, ignore_index=True)
        g = unc.bootstrap_grants(led, towns, ["众创共善", "和美社区"], 400, np.random.default_rng(trial))
        lo, hi = mc.interval(g.by_programme.sum(axis=1), 0.9)
        hits.append((truth >= lo) & (truth <= hi))
    cover = np.mean(hits)
    assert 0.85 <= cover <= 0.95, cover


# --------------------------------------------------------------------------- reproducibility and API


def test_same_seed_same_draws(inp):
    model = unc.UncertaintyModel(draws=200, seed=7, seed_ensemble=0)
    a = evi.evidence(inp, WEIGHTS, 0.3, model=model)
    b = evi.evidence(inp, WEIGHTS, 0.3, model=model)
    c = evi.evidence(inp, WEIGHTS, 0.3, model=unc.UncertaintyModel(draws=200, seed=8, seed_ensemble=0))
    assert set(a.draws) == set(b.draws)
    for name in a.draws:
        np.testing.assert_array_equal(a.draws[name], b.draws[name], err_msg=name)
    assert not np.array_equal(a.draws["gini"], c.draws["gini"])
    np.testing.assert_array_equal(a.need_weight_draws, b.need_weight_draws)


def test_seed_ensemble_reruns_the_simulator(inp):
    from shunde_workbook.data.simulate import simulate_ledger

    ev = evi.evidence(inp, WEIGHTS, 0.3, model=unc.UncertaintyModel(draws=100, seed_ensemble=2))
    assert ev.simulated and ev.ensemble["gini"].shape == (2,)
    led = simulate_ledger(seed=2)
    led = led[led["year"].between(2017, 2022)]
    amount = led.groupby("town_code")["amount"].sum().reindex(inp.towns.index).fillna(0)
    pop = ev.population_ranges["point"]
    assert ev.ensemble["gini"][1] == pytest.approx(metrics.weighted_gini(amount, pop), rel=1e-9)
    assert ev.ensemble["hhi"][1] == pytest.approx(metrics.hhi(led.groupby("recipient_name")["amount"].sum()), rel=1e-9)
    lo, hi = ev.interval("gini", source="ensemble")
    assert lo <= hi
    real = Inputs(inp.ledger, inp.full_ledger, inp.towns, inp.villages, None, {"ledger": "published"}, inp.params)
    assert evi.evidence(real, WEIGHTS, 0.3, model=unc.UncertaintyModel(draws=100)).ensemble is None


def test_evidence_api(inp):
    ev = evi.evidence(inp, WEIGHTS, 0.3, model=unc.UncertaintyModel(draws=300, seed_ensemble=0))
    lo, hi = ev.interval("gini")
    assert lo < ev.point_value("gini") < hi
    one = ev.interval("per_resident", town="440606005")
    table = ev.interval("per_resident")
    assert one == pytest.approx(tuple(table.loc["440606005", ["lo", "hi"]]))
    p = ev.probability(lambda d: d["per_resident"] < d["per_resident"].mean(axis=1, keepdims=True))
    assert isinstance(p, pd.Series) and list(p.index) == list(inp.towns.index)
    assert ev.probability(lambda d: d["gini"] > -1) == 1.0
    assert ev.rank_probability("per_resident").sum() == pytest.approx(1.0)
    t = ev.table("alloc_need_weighted")
    assert list(t.columns) == ["point", "lo", "hi"] and (t["lo"] <= t["hi"]).all()
    with pytest.raises(KeyError, match="did you mean 'gini'"):
        ev.interval("ginni")
    with pytest.raises(ValueError, match="no seed ensemble"):
        ev.interval("gini", source="ensemble")
    with pytest.raises(ValueError, match="computed from the ledger"):
        evi.evidence(inp, {"amount": 1.0}, 0.3, model=unc.UncertaintyModel.none())


def test_model_parameters_are_validated_specs():
    for name, value in unc.MODEL_DEFAULTS.items():
        assert name in SPECS and _check_value(name, value, SPECS[name]) is None, name
    assert _check_value("draws", 10, SPECS["draws"]) is not None
    assert _check_value("population_uncertainty", -1.0, SPECS["population_uncertainty"]) is not None
    model = unc.UncertaintyModel.from_params(
        {"draws": 500, "uncertainty_seed": 3, "weight_concentration": 0.0, "language": "en"}
    )
    assert (model.draws, model.seed, model.weight_concentration, model.seed_ensemble) == (500, 3, 0.0, 20)
    with pytest.raises(ValueError, match="draws"):
        unc.UncertaintyModel(draws=0)


def test_bootstrap_works_in_bounded_batches_on_a_large_ledger(inp, monkeypatch):
    """A ledger of N rows is resampled in batches of at most BOOTSTRAP_CELLS // N draws (memory stays bounded)."""
    shapes = []
    real_sum = unc._sum

    def spy(idx, *args):
        shapes.append(idx.shape)
        return real_sum(idx, *args)

    monkeypatch.setattr(unc, "BOOTSTRAP_CELLS", 5 * len(inp.ledger))
    monkeypatch.setattr(unc, "_sum", spy)
    programmes = sorted(set(inp.ledger["programme"]))
    g = unc.bootstrap_grants(inp.ledger, inp.towns.index, programmes, 12, np.random.default_rng(1))
    assert [d for d, _ in shapes] == [5, 5, 2] and all(n == len(inp.ledger) for _, n in shapes)
    assert g.by_programme.shape[0] == 12 and g.org_totals.shape[0] == 12
    # every draw keeps each programme-year's row count, so its total stays near the ledger's
    totals = g.by_programme.sum(axis=(1, 2))
    assert np.all(np.abs(totals / inp.ledger["amount"].sum() - 1) < 0.1)


def test_evidence_is_computed_once_per_run_and_keyed_by_its_parameters(inp, params, tmp_path, monkeypatch):
    from shunde_workbook.data.cache import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    small = {**params, "draws": 100, "seed_ensemble": 2}
    first = evi.for_params(inp, small)
    assert len(list(tmp_path.glob("evidence-*.pkl"))) == 2, "the evidence and its input draws"

    def no_recompute(*args, **kwargs):
        raise AssertionError("evidence recomputed although the run's cache holds it")

    monkeypatch.setattr(evi, "evidence", no_recompute)
    again = evi.for_params(inp, small)
    assert again.interval("gini") == first.interval("gini")
    # another parameter set is another entry (and is computed, here: refused by the stub)
    with pytest.raises(AssertionError, match="recomputed"):
        evi.for_params(inp, {**small, "uncertainty_seed": 7})
    monkeypatch.delenv(CACHE_ENV)
    with pytest.raises(AssertionError, match="recomputed"):  # outside a run nothing is cached
        evi.for_params(inp, small)


def test_a_kernel_waits_for_the_one_computing_the_same_evidence(tmp_path):
    import subprocess
    import sys
    import time

    cached = tmp_path / "evidence-abc.pkl"
    holder = (
        "import sys, time; from pathlib import Path; from shunde_workbook.analysis.evidence import _computing\n"
        "with _computing(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(1.5)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", holder, str(cached)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    t0 = time.perf_counter()
    with evi._computing(cached):
        waited = time.perf_counter() - t0
    proc.wait(timeout=30)
    assert waited > 0.8, "the lock did not make the second kernel wait"
    t0 = time.perf_counter()
    with evi._computing(cached):  # free again: no wait
        assert time.perf_counter() - t0 < 0.5


def test_the_draws_kept_with_the_inputs_are_the_fresh_ones_and_follow_a_replaced_table(params):
    """Calls of one report share the input draws kept with ``inp``; another ledger gets its own."""
    from dataclasses import replace

    from shunde_workbook.analysis.input_draws import draw_inputs, memo_for

    fresh_inp = load_inputs(params, boundaries=False)
    weights = params["need_weights"]
    model = unc.UncertaintyModel(draws=40, seed=7, seed_ensemble=0)
    first = evi.evidence(fresh_inp, weights, model=model)
    kept = memo_for(fresh_inp)
    assert len(kept) == 1, "the evidence keeps its input draws with the inputs"
    (full,) = kept.values()
    again = evi.evidence(fresh_inp, weights, model=model)
    alone = evi.evidence(fresh_inp, weights, model=model, memo={})
    for name in first.draws:
        np.testing.assert_array_equal(again.draws[name], first.draws[name])
        np.testing.assert_array_equal(alone.draws[name], first.draws[name])
    half = fresh_inp.ledger.iloc[: len(fresh_inp.ledger) // 2]
    assert memo_for(replace(fresh_inp, ledger=half)) == {}, "a copy made with dataclasses.replace starts afresh"
    fresh_inp.ledger = half  # a table assigned to the same inputs: the kept draws are dropped
    assert memo_for(fresh_inp) == {}
    smaller = draw_inputs(fresh_inp, model, memo=memo_for(fresh_inp))
    assert smaller.point_grants.by_programme.sum() < full.point_grants.by_programme.sum()
    assert memo_for(fresh_inp), "kept"
    evi.clear_caches(fresh_inp)  # benchmarks time the draws from scratch
    assert memo_for(fresh_inp) == {}


def test_a_report_reading_the_runs_evidence_reads_its_input_draws_too(params, tmp_path, monkeypatch):
    """The explorer's historical draws in a report whose evidence another report computed: no new bootstrap."""
    from shunde_workbook.analysis.input_draws import draw_inputs
    from shunde_workbook.data.cache import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    small = {**params, "draws": 60, "seed_ensemble": 0}
    first_inp = load_inputs(small, boundaries=False)
    evi.for_params(first_inp, small)
    (computed,) = [v for k, v in first_inp.draws_memo["draws"].items()]
    other_inp = load_inputs(small, boundaries=False)  # another kernel of the run
    ev = evi.for_params(other_inp, small)

    def no_bootstrap(*args, **kwargs):
        raise AssertionError("the grants were bootstrapped again although the run's cache holds them")

    monkeypatch.setattr("shunde_workbook.analysis.input_draws.bootstrap_grants", no_bootstrap)
    read = draw_inputs(other_inp, ev.model, ev.complete, ev.fixed_totals, other_inp.draws_memo["draws"])
    np.testing.assert_array_equal(read.grants.by_programme, computed.grants.by_programme)
    np.testing.assert_array_equal(read.pop, computed.pop)
    (tmp_path / next(p.name for p in tmp_path.glob("*-draws.pkl"))).write_bytes(b"damaged")
    third = load_inputs(small, boundaries=False)
    evi.for_params(third, small)
    monkeypatch.undo()
    again = draw_inputs(third, ev.model, ev.complete, ev.fixed_totals, third.draws_memo["draws"])
    np.testing.assert_array_equal(again.grants.by_programme, computed.grants.by_programme)
