"""Finding grades: published / robust / uncertain on data, built-in / noise on a simulated ledger.

The simulator tests build real simulated ledgers (at most 10 seeds per setting) and grade statements
computed from them, so a change in the simulator or in the grading rules shows up here.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from shunde_workbook import metrics
from shunde_workbook.analysis.inputs import town_summary, town_table
from shunde_workbook.data.ledger import load_ledger
from shunde_workbook.data.reconcile import reconcile
from shunde_workbook.data.simulate import DEFAULTS, simulate_ledger
from shunde_workbook.narrative.grades import (
    GRADE_ORDER,
    LABELS,
    SIMULATOR_RULES,
    STATEMENT_SETTINGS,
    Grade,
    grade,
    key_finding_allowed,
    published_matches,
    rank_graded,
    setting_for,
)

EQUAL_BOUND = 1.5  # "funding per resident is about equal across towns": max/min below this


@pytest.fixture(scope="module")
def towns() -> pd.DataFrame:
    # the published figures: the populations the simulator weights towns by (均安 imputed there)
    return town_table("data/reference/towns.csv", "data/reference/town_population.csv", "best_available")


def per_resident_by_seed(towns, seeds, **knobs) -> pd.DataFrame:
    """Funding per resident (towns with a population figure × seeds) on simulated ledgers."""
    cols = {s: town_summary(simulate_ledger(seed=s, **knobs), towns)["per_resident"] for s in seeds}
    return pd.DataFrame(cols).dropna()


@pytest.fixture(scope="module")
def default_per_resident(towns) -> pd.DataFrame:
    return per_resident_by_seed(towns, range(1, 11))


def test_equal_per_resident_is_built_in_when_the_simulator_weights_by_population(towns, default_per_resident):
    equalised = per_resident_by_seed(towns, range(1, 6), town_weight_population=1.0)
    ratio = equalised.max() / equalised.min()
    # Under the default knob (half population, half villages) the same statement does not hold: it is the
    # setting, not the seeds, that makes funding per resident equal (the counterfactual proves it).
    default_ratio = default_per_resident.max() / default_per_resident.min()
    g = grade(
        ledger_simulated=True,
        holds_by_seed=(ratio < EQUAL_BOUND).to_numpy(),
        counterfactuals={"town_weight_population": (default_ratio < EQUAL_BOUND).to_numpy()},
    )
    assert g.name == "built-in"
    assert g.setting == "town_weight_population" and g.counterfactual_share < 0.95
    assert g.share == 1.0 and g.n == 5 and g.basis == "seeds"
    assert not key_finding_allowed(g)
    # A setting whose counterfactual leaves the pattern in place is not its cause: noise, not built-in.
    g_wrong = grade(
        ledger_simulated=True,
        holds_by_seed=(ratio < EQUAL_BOUND).to_numpy(),
        counterfactuals={"amount_sigma": [True] * 5},
    )
    assert g_wrong.name == "noise" and g_wrong.setting is None
    g_default = grade(ledger_simulated=True, holds_by_seed=(default_ratio < EQUAL_BOUND).to_numpy(), counterfactuals={})
    assert g_default.name == "noise"
    assert g_default.share < 0.95


def test_a_pair_that_flips_between_seeds_is_noise(towns, default_per_resident):
    per = default_per_resident
    flipping = []
    for a, b in itertools.combinations(per.index, 2):
        share = float((per.loc[a] > per.loc[b]).mean())
        if 0 < share < 1:
            flipping.append((abs(share - 0.5), a, b))
    assert flipping, "expected two similar towns whose per-resident order changes between seeds"
    _, a, b = min(flipping)
    holds = (per.loc[a] > per.loc[b]).to_numpy()
    g = grade(ledger_simulated=True, holds_by_seed=holds, counterfactuals={})
    assert g.name == "noise"
    assert 0 < g.share < 1 and g.setting is None
    assert not key_finding_allowed(g)
    # The same town is highest in every seed; with towns weighted by population only (a neutral value of the
    # setting) funding per resident is nearly equal and the highest town changes from seed to seed.
    top = per.mean(axis=1).idxmax()
    flat = per_resident_by_seed(towns, range(1, 11), town_weight_population=1.0)

    def extremes(p):
        return (p.idxmax() == top).to_numpy()

    g_ext = grade(
        ledger_simulated=True,
        holds_by_seed=extremes(per),
        counterfactuals={"town_weight_population": extremes(flat)},
    )
    assert g_ext.name == "built-in" and g_ext.setting == "town_weight_population"
    assert g_ext.counterfactual_share <= g_ext.share - 0.25


def test_restated_published_total_is_published():
    ledger = load_ledger()
    table = reconcile(ledger)
    fact = table[
        (table["metric"] == "amount_granted")
        & (table["period"] == "2017-2022")
        & table["programme"].str.contains("众创共善")
        & table["programme"].str.contains("和美社区")
    ]
    assert len(fact) == 1
    fact_id = fact["fact_id"].iloc[0]
    total_wan = ledger.loc[ledger["year"].between(2017, 2022), "amount"].sum() / 1e4
    assert abs(total_wan - fact["published"].iloc[0]) <= 0.005 * fact["published"].iloc[0]
    g = grade(published=published_matches(table, fact_id), ledger_simulated=True)
    assert g.name == "published" and g.basis == "published"
    assert key_finding_allowed(g)
    # A ledger 10 % short of the published total no longer restates it.
    short = ledger.assign(amount=ledger["amount"] * 0.9)
    assert not published_matches(reconcile(short), fact_id)
    assert not published_matches(table, "no-such-fact")


@pytest.mark.parametrize(
    "n_true, n, expected",
    [
        (95, 100, "robust"),
        (94, 100, "uncertain"),
        (19, 20, "robust"),
        (18, 20, "uncertain"),
        (100, 100, "robust"),
        (0, 10, "uncertain"),
    ],
)
def test_robust_threshold_is_95_percent_of_draws(n_true, n, expected):
    holds = np.zeros(n, dtype=bool)
    holds[:n_true] = True
    g = grade(holds=np.random.default_rng(0).permutation(holds))
    assert g.name == expected
    assert g.share == pytest.approx(n_true / n) and g.n == n and g.basis == "draws"
    assert key_finding_allowed(g)


def test_statement_independent_of_ledger_is_graded_on_draws_even_when_simulated(towns):
    """2023 per-resident allocations depend only on population and the plan: graded on population draws."""
    rng = np.random.default_rng(7)
    pop = towns["population"]
    spread = towns["pop_grade"].map({"A": 0.02, "B": 0.05, "C": 0.15}).fillna(0.0)
    allocations = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", metrics.MissingDataWarning)
        for _ in range(200):
            draw = pop * (1 + rng.uniform(-1, 1, len(pop)) * spread)
            allocations.append(
                metrics.per_resident(5900.0, draw, missing="fallback_units", units=towns["village_units"])
            )
    alloc = pd.DataFrame(allocations)
    biggest = (alloc.idxmax(axis=1) == "440606006").to_numpy()  # 容桂 has by far the most residents
    close = (alloc["440606103"] > alloc["440606004"]).to_numpy()  # 乐从 230k vs 勒流 220k, both grade C
    g_big = grade(holds=biggest, ledger_simulated=True, depends_on_ledger=False)
    g_close = grade(holds=close, ledger_simulated=True, depends_on_ledger=False)
    assert g_big.name == "robust" and g_big.share == 1.0
    assert g_close.name == "uncertain" and 0.05 < g_close.share < 0.95


def test_grade_order_labels_and_ranking():
    assert GRADE_ORDER == ("published", "robust", "uncertain", "built-in", "noise")
    assert [LABELS[g]["zh"] for g in GRADE_ORDER] == ["公开数据", "稳健", "不确定", "模型设定", "随机噪声"]
    assert Grade("uncertain", 0.5).label("en") == "uncertain"
    assert [key_finding_allowed(g) for g in GRADE_ORDER] == [True, True, True, False, False]

    class F:
        def __init__(self, name, severity):
            self.name, self.severity = name, severity

    items = [
        (F("n", 1), Grade("noise", 0.4, 10, "seeds")),
        (F("u2", 2), Grade("uncertain", 0.6)),
        (F("p", 3), Grade("published", 1.0, 0, "published")),
        (F("u1", 1), Grade("uncertain", 0.7)),
        (F("b", 1), Grade("built-in", 1.0, 10, "seeds", "town_weight_population")),
    ]
    assert [f.name for f, _ in rank_graded(items)] == ["p", "u1", "u2", "b", "n"]
    assert [f.name for f, _ in rank_graded(items, limit=2)] == ["p", "u1"]


def test_settings_named_are_real_simulator_settings():
    named = {s for s in STATEMENT_SETTINGS.values() if s is not None}
    assert named <= set(DEFAULTS) | set(SIMULATOR_RULES)
    for kind in ("town_share", "per_resident_ranking", "distance_from_need", "gini"):
        assert setting_for(kind) == "town_weight_population"
    assert setting_for("total_amount") == "calibrated_totals"
    assert setting_for("file_counts") is None
    with pytest.raises(ValueError, match="per_resident_ranking"):
        setting_for("per_resident_rankin")


def test_grade_refuses_incomplete_input():
    with pytest.raises(ValueError, match="counterfactuals"):
        grade(ledger_simulated=True, holds_by_seed=[True] * 10)
    with pytest.raises(ValueError, match="did you mean 'town_weight_population'"):
        grade(ledger_simulated=True, holds_by_seed=[True] * 10, counterfactuals={"town_weight_populaton": [False] * 10})
    with pytest.raises(ValueError, match="holds_by_seed"):
        grade(ledger_simulated=True, holds=[True] * 10)
    with pytest.raises(ValueError, match="holds"):
        grade()
    with pytest.raises(ValueError, match="booleans"):
        grade(holds=[0.5, 1.0])
    with pytest.raises(ValueError, match="non-empty"):
        grade(holds=[])
    with pytest.raises(ValueError, match="unknown grade"):
        Grade("solid", 1.0)


def _audit_findings() -> list:
    from shunde_workbook.narrative.findings import Finding, Value

    text = {"zh": "{rows}", "en": "{rows}"}
    return [
        Finding("audit.validation", 1, text, {"rows": Value(2007, "int", "audit.n_rows")}),
        Finding("audit.reconciliation", 1, text, {"passed": Value(5, "int", "audit.pass")}),
    ]


@pytest.mark.filterwarnings("ignore::shunde_workbook.errors.MissingDataWarning")
def test_findings_whose_grade_needs_no_draws_are_graded_alike_without_drawing():
    from shunde_workbook.analysis import evidence, load_inputs
    from shunde_workbook.narrative.assess import _needs_draws, assess, grade_findings
    from shunde_workbook.narrative.claims import DECLARATIONS
    from shunde_workbook.narrative.findings import Finding
    from shunde_workbook.params import load_param_file
    from shunde_workbook.paths import PARAMS

    params = load_param_file(PARAMS / "default.yaml")
    inp = load_inputs(params, boundaries=False)
    with_interval = next(k for k, c in DECLARATIONS.items() if any(n.interval for n in c.numbers.values()))
    assert _needs_draws(Finding("x", 1, {}, {}, key=with_interval))
    assert not any(map(_needs_draws, _audit_findings()))
    quick = grade_findings(_audit_findings(), {}, inp, params)  # a point-only evidence
    full = assess(
        _audit_findings(), {}, evidence.for_params(inp, params), inp.statuses, reconcile(inp.full_ledger), params
    )
    assert [f.grade for f in quick] == [f.grade for f in full]
    assert all(f.grade is not None and f.grade.basis == "exact" for f in quick)
