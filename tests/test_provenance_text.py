"""Caveats, banners, hedges and source lines follow the actual provenance of the inputs."""

from __future__ import annotations

import pandas as pd
import pytest

from shunde_workbook.analysis.inputs import town_table
from shunde_workbook.analysis.ledger_facts import ledger_mix
from shunde_workbook.narrative import provenance, statements
from shunde_workbook.narrative.text import tr
from shunde_workbook.paths import REFERENCE
from shunde_workbook.report.sources import source_list

from helpers import reader_text, town_slug

SIM_CLAIMS = ("模拟", "simulated", "SIMULATED", "演示数据")


def _ledger(prov: list[str], amounts: list[float]) -> pd.DataFrame:
    n = len(prov)
    return pd.DataFrame(
        {
            "programme": ["和美社区", "和美社区", "众创共善", "众创共善"][:n],
            "year": [2018, 2019, 2018, 2020][:n],
            "amount": amounts,
            "provenance": prov,
        }
    )


def test_mixed_ledger_says_which_part_is_simulated():
    led = _ledger(["simulated", "simulated", "official", "official"], [100.0, 100.0, 300.0, 500.0])
    mix = ledger_mix(led)
    assert mix["rows_share"] == 0.5 and mix["amount_share"] == pytest.approx(0.2)
    assert mix["where"] == [("和美社区", [2018, 2019])] and mix["others"] == ["official"]
    statuses = {"ledger": "mixed: official, simulated", "boundaries": "official"}
    zh = " ".join(
        provenance.banner_items(statuses, "zh", mix)
        + provenance.caveats(
            statuses, town_table(REFERENCE / "towns.csv", REFERENCE / "town_population.csv"), "zh", mix
        )
    )
    assert "50.0%" in zh and "20.0%" in zh and "和美社区 2018–2019年" in zh and "官方" in zh
    en = provenance.mix_detail(mix, "en")
    assert en == "the simulated part is 50.0% of the rows and 20.0% of the amount, in Hemei Community 2018–2019"
    assert statements.ledger_hedges(statuses) == ["partly_simulated"]


def test_official_ledger_gets_no_simulation_claims():
    statuses = {"ledger": "official", "boundaries": "approximate"}
    towns = town_table(REFERENCE / "towns.csv", REFERENCE / "town_population.csv")
    for lang in ("zh", "en"):
        texts = (
            provenance.banner_items(statuses, lang)
            + provenance.caveats(statuses, towns, lang)
            + [provenance.purpose(statuses, lang)]
            + [e["label"] for e in source_list(lang, statuses)]
        )
        assert not [t for t in texts if any(c in t for c in SIM_CLAIMS)], texts
    assert statements.ledger_hedges(statuses) == []
    assert provenance.purpose({"ledger": "simulated"}, "zh") != provenance.purpose(statuses, "zh")


def test_population_caveat_is_read_from_the_town_table():
    towns = town_table(REFERENCE / "towns.csv", REFERENCE / "town_population.csv", "best_available")
    text = provenance.population_caveat(towns, "zh")
    census = towns.loc[towns["pop_grade"] == "A", "town"].tolist()
    missing = towns.loc[towns["population"].isna(), "town"].tolist()
    assert all(t in text for t in census + missing) and census and missing
    towns2 = towns.assign(pop_grade="B", population=towns["population"].fillna(1000.0))
    assert provenance.population_caveat(towns2, "zh") == tr("brief.caveat.population_no_census", "zh")


def test_population_caveat_of_census_anchored_figures_names_the_census_total():
    towns = town_table(REFERENCE / "towns.csv", REFERENCE / "town_population.csv", "census_anchored")
    for lang in ("zh", "en"):
        text = provenance.population_caveat(towns, lang)
        assert "3,229,090" in text and ("北滘" if lang == "zh" else "Beijiao") in text
    # 均安 has an estimate now: it is not listed as a town without a figure
    expected = tr("brief.caveat.population_anchored", "zh", towns="北滘镇", total="3,229,090")
    assert provenance.population_caveat(towns, "zh") == expected


@pytest.mark.slow
def test_reports_on_an_official_ledger_do_not_claim_it_is_simulated(official_reports):
    from shunde_workbook.data.reference import load_towns

    towns = load_towns().set_index("town_code")
    pages = {"00_policy_brief.html": None, f"06_town_profile-{town_slug(towns)}.html": None}
    for name in pages:
        text = reader_text((official_reports / "reports" / name).read_text(encoding="utf-8"))
        claims = [c for c in SIM_CLAIMS if c in text]
        assert not claims, f"{name} claims the official ledger is simulated ({claims}): {text[:3000]}"
        assert tr("names.status.official", "zh") in text, f"{name}: the ledger's provenance is not named"
    brief = reader_text((official_reports / "reports" / "00_policy_brief.html").read_text(encoding="utf-8"))
    assert tr("brief.question", "zh") in brief and tr("brief.caveat.ledger_real", "zh", status="官方") in brief


def test_index_page_and_reports_share_one_banner_text():
    from shunde_workbook.publish.site import caveats

    inputs = {
        "a.csv": {"parameter": "ledger_path", "status": "simulated"},
        "b.shp": {"parameter": "boundaries_path", "status": "approximate"},
        "towns.csv": {"parameter": None, "status": "published"},
    }
    for lang in ("zh", "en"):
        assert caveats(inputs, lang) == [tr("common.banner.simulated", lang), tr("common.banner.approximate", lang)]
    official = {**inputs, "a.csv": {"parameter": "ledger_path", "status": "official"}}
    assert caveats(official, "zh") == [tr("common.banner.approximate", "zh")]
