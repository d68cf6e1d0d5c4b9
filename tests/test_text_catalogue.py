"""The text catalogues: same keys and placeholders in both languages, loud errors, money and plan text from data."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pandas as pd
import pytest

from shunde_workbook.analysis import studies
from shunde_workbook.narrative import labels
from shunde_workbook.narrative.findings import fmt_money
from shunde_workbook.narrative.text import catalogue, tr
from shunde_workbook.paths import REFERENCE

from helpers import assert_same_keys_and_placeholders

SRC = Path(__file__).resolve().parents[1] / "src" / "shunde_workbook"
HAN = re.compile(r"[\u3400-\u9fff]")


def test_catalogues_have_the_same_keys_and_placeholders():
    assert_same_keys_and_placeholders(catalogue("zh"), catalogue("en"))


def test_editions_are_in_their_language():
    en_han = {
        k: v for k, v in catalogue("en").items() if HAN.search(v) and not k.startswith(("names.field.", "sources."))
    }
    assert not en_han, f"Chinese characters in en.yaml: {en_han}"
    zh_words = {
        k: v
        for k, v in catalogue("zh").items()
        if re.search(r"\b[a-z]{4,}\b", re.sub(r"\{\w+\}", "", v))
        and not k.startswith(
            ("sources.", "common.format.")
        )  # common.format.*: settings of how to write, not reader text
        and k not in {"audit.reconciliation_full", "brief.caveat.ledger_real"}
    }
    assert not zh_words, f"English words in zh.yaml: {zh_words}"


def test_missing_key_and_language_are_errors(tmp_path):
    with pytest.raises(KeyError, match="no text 'common.banner.headng'.*did you mean 'common.banner.heading'"):
        tr("common.banner.headng", "zh")
    with pytest.raises(ValueError, match="language must be one of"):
        tr("common.banner.heading", "fr")
    assert catalogue("zh") is catalogue("zh")  # loaded once


def _literal_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(n.body[0].value)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and n.body
        and isinstance(n.body[0], ast.Expr)
        and isinstance(n.body[0].value, ast.Constant)
    }
    return [
        n.value
        for n in ast.walk(tree)
        if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
    ]


DATA_KEYS = {"众创共善", "和美社区", "元", "万元", "亿元", "村", "社区"}  # values of the data, not reader text


@pytest.mark.parametrize(
    "rel",
    [
        "narrative/text.py",
        "narrative/findings.py",
        "narrative/statements.py",
        "narrative/provenance.py",
        "narrative/labels.py",
        "report/sources.py",
        "report/presenter.py",
        "report/maps.py",
        "report/charts.py",
        "publish/site.py",
    ],
)
def test_no_reader_text_typed_into_python(rel):
    han = [s for s in _literal_strings(SRC / rel) if HAN.search(s) and s not in DATA_KEYS]
    assert not han, f"{rel}: Chinese text in Python strings (move it to the catalogue): {han}"


@pytest.mark.parametrize(
    "yuan, lang, qualifier, expected",
    [
        (350_000_000, "zh", "", "3.5亿元"),
        (350_000_000, "en", "", "CNY 350 million"),
        (12_345_678, "zh", "", "1,234.6万元"),
        (12_345_678, "en", "", "CNY 12.3 million"),
        (174_389.64, "zh", "", "17.4万元"),
        (174_389.64, "en", "", "CNY 174,390"),
        (9_999, "zh", "", "9,999元"),
        (31_000_000, "zh", "approx", "约3,100万元"),
        (31_000_000, "en", "approx", "about CNY 31 million"),
        (2_500_000_000, "en", "", "CNY 2.5 billion"),
        (float("nan"), "zh", "", "—"),
    ],
)
def test_fmt_money_known_answers(yuan, lang, qualifier, expected):
    assert fmt_money(yuan, lang, qualifier) == expected


def test_plan_comes_from_the_published_facts():
    facts = pd.read_csv(REFERENCE / "published_facts.csv", dtype=str)
    rows = facts[(facts["metric"] == "planned_funding") & (facts["period"] == "2023")]
    single = rows[~rows["programme"].str.contains("+", regex=False)]
    plan = studies.planned_funding(2023)
    assert set(plan) == set(single["programme"])
    for _, r in single.iterrows():
        assert plan[r["programme"]]["amount"] == float(r["value"]) * 1e4 and r["unit"] == "万元"
        assert plan[r["programme"]]["qualifier"] == r["qualifier"]
    combined = rows[rows["programme"].str.contains("+", regex=False)].iloc[0]
    assert sum(p["amount"] for p in plan.values()) == float(combined["value"]) * 1e4


def test_plan_text_keeps_the_qualifier():
    res = {
        "plan_total": 59e6,
        "plan_qualifier": "approx",
        "plan_by_programme": {"众创共善": 31e6, "和美社区": 28e6},
        "plan_qualifiers": {"众创共善": "approx", "和美社区": "exact"},
    }
    assert labels.plan_text(res, "zh") == "约5,900万元"
    assert labels.plan_parts(res, "zh") == "众创共善约3,100万元+和美社区2,800万元"
    assert labels.plan_parts(res, "en") == "Zhongchuang Gongshan about CNY 31 million + Hemei Community CNY 28 million"


def test_weights_and_population_year_labels():
    assert labels.weights_text({"population": 0.6, "village_units": 0.4}, "zh") == "常住人口 60%、村(社区)数 40%"
    assert labels.weights_text({"population": 0.25, "x": 0.755}, "en") == "resident population 25%, x 75.5%"
    assert labels.pop_year_label("n.d. (article 2019-09)", "zh") == "不详"
    assert labels.pop_year_label("2010 (not census)", "zh") == "2010（非普查）"
    assert labels.pop_year_label("2019-12-31", "en") == "2019-12-31"
