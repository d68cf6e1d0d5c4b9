"""The results store's table rows, on hand-made tables (fast; the report-level checks are in test_results_compare).

Every expected row is written out by hand from the rule in docs/results.md: a table with a ``town_code`` column
gives ``table.<key>.<column>`` per town; any other table names each row by the shortest leading run of its label
columns (text, ``code``, ``year``, ``row``, ``*_code``, ``*_id``) that tells the rows apart; ``value`` takes its
bounds from ``interval_lo``/``interval_hi``, a column ``x`` from ``x_lo``/``x_hi``.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from shunde_workbook.narrative.text import tr
from shunde_workbook.results.writer import COLUMNS, read, record, record_table, table_rows


def _by_measure(rows: list[dict]) -> dict[tuple[str, str], dict]:
    out = {(r["measure"], r["town"]): r for r in rows}
    assert len(out) == len(rows), "one row per measure and town"
    return out


def test_a_town_table_gives_one_row_per_town_and_numeric_column():
    df = pd.DataFrame(
        {
            "town_code": ["440606005", "440606006"],
            "town": ["大良街道", "容桂街道"],
            "amount_10k_cny": [4172.04, 5841.94],
            "grants": [247, 332],
            "amount_share": [0.1192, 0.1669],
            "pop_grade": ["C", "B"],
        }
    )
    rows = _by_measure(table_rows("03_x", "town_ranks", df, percent=("amount_share",)))
    assert set(rows) == {
        (f"table.town_ranks.{c}", t)
        for c in ("amount_10k_cny", "grants", "amount_share")
        for t in ("440606005", "440606006")
    }
    r = rows[("table.town_ranks.amount_10k_cny", "440606006")]
    assert r["value"] == pytest.approx(5841.94) and r["lo"] is None and r["kind"] == "number"
    assert rows[("table.town_ranks.grants", "440606005")]["kind"] == "int"
    assert rows[("table.town_ranks.amount_share", "440606005")]["kind"] == "pct"
    assert all(r["source"] == "table" and r["finding"] == "" and r["key_finding"] is False for r in rows.values())


def test_a_table_without_towns_names_rows_by_their_labels_and_keeps_intervals():
    df = pd.DataFrame(
        {
            "metric": ["a", "b"],
            "value": [0.12, 0.5],
            "interval_lo": [0.10, None],
            "interval_hi": [0.16, None],
            "quality": ["C", "C"],
        }
    )
    rows = _by_measure(table_rows("04_x", "inequality", df))
    assert set(rows) == {("table.inequality[a].value", ""), ("table.inequality[b].value", "")}
    a = rows[("table.inequality[a].value", "")]
    assert (a["value"], a["lo"], a["hi"]) == (0.12, 0.10, 0.16)
    b = rows[("table.inequality[b].value", "")]
    assert b["lo"] is None and b["hi"] is None


def test_labels_take_as_many_leading_columns_as_needed_and_code_columns_are_labels():
    df = pd.DataFrame(
        {"year": [2017, 2017, 2018], "programme": ["P", "Q", "P"], "amount": [1.5, 2.5, 3.5], "x_lo": [1, 2, 3]}
    )
    df["x"] = [10.0, 20.0, 30.0]
    df["x_hi"] = [11, 21, 31]
    rows = _by_measure(table_rows("02_x", "by_year", df))
    assert rows[("table.by_year[2017|Q].amount", "")]["value"] == 2.5
    x = rows[("table.by_year[2018|P].x", "")]
    assert (x["value"], x["lo"], x["hi"]) == (30.0, 3.0, 31.0)
    assert len(rows) == 6  # amount and x for three rows; the bounds are no measures of their own
    errors = pd.DataFrame({"row": [3, 3, 5], "column": ["a", "b", "a"], "message": ["x", "y", "z"]})
    assert table_rows("01_x", "validation_errors", errors) == []  # a ledger row number is no measure
    villages = pd.DataFrame({"code": [440606005004, 440606005017], "name": ["甲", "乙"], "grants": [13, 14]})
    got = _by_measure(table_rows("06_town_profile-daliang", "villages", villages, own_town="440606005"))
    assert set(got) == {
        ("table.villages[440606005004].grants", "440606005"),
        ("table.villages[440606005017].grants", "440606005"),
    }


def test_a_metric_row_is_named_by_its_machine_value_in_both_languages():
    from shunde_workbook.report.display_tables import concentration

    table = concentration({"top_n": 10, "top_n_share": 0.5, "hhi": 800.0, "n_orgs": 40})
    measures = [r["measure"] for r in table_rows("04", "concentration", table.frame)]
    assert measures == [f"table.concentration[{m}].value" for m in ("top_n_share", "hhi", "n_orgs")]
    # The words are the page's only: the reader sees the catalogue's text in each language.
    assert table.display("zh").iloc[0, 0] == tr("names.metric.top_n_share", "zh", n=10)
    assert table.display("en").iloc[0, 0] == tr("names.metric.top_n_share", "en", n=10)


def test_record_table_and_findings_share_one_file_and_profile_measures_carry_the_town(tmp_path):
    rep = SimpleNamespace(name="06_town_profile-daliang", out=tmp_path, lang="zh", params={"town": "440606005"})
    value = SimpleNamespace(value=12.0, lo=None, hi=None, kind="int", source="profile.grants")
    finding = SimpleNamespace(id="profile.share", meta={}, values={"grants": value}, grade=None)
    record(rep, [finding])
    path = record_table(rep, pd.DataFrame({"name": ["甲"], "grants": [3]}), "recipients")
    df = read(path)
    assert list(df.columns) == list(COLUMNS)
    assert df["source"].tolist() == ["finding", "table"]
    assert df["town"].tolist() == ["440606005", "440606005"]
    assert df["measure"].tolist() == ["profile.grants", "table.recipients[甲].grants"]
    assert math.isclose(df["value"].iloc[1], 3.0)


def test_a_file_written_before_tables_were_recorded_reads_as_findings(tmp_path):
    old = tmp_path / "r.csv"
    pd.DataFrame([{c: "" for c in COLUMNS if c != "source"} | {"measure": "m", "value": "1.5"}]).to_csv(
        old, index=False
    )
    df = read(old)
    assert df["source"].tolist() == ["finding"] and df["value"].tolist() == [1.5]
