"""Reports a reader can read and an analyst can reuse: money as written, safe exports, stable CSV names,
sources graded by kind, plain-language parameters, and parameter checks that run before any kernel.
"""

from __future__ import annotations

import csv
import time

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml

from shunde_workbook.errors import ParameterError
from shunde_workbook.narrative.findings import fmt_money, fmt_number
from shunde_workbook.narrative.params_text import params_block
from shunde_workbook.narrative.text import tr
from shunde_workbook.params import SPECS, _check_value, coerce, cross_check, load_param_file, parse_set, validate
from shunde_workbook.publish.export import to_html
from shunde_workbook.report.display_tables import _town
from shunde_workbook.report.exports import write_table
from shunde_workbook.report.maps import _range_labels
from shunde_workbook.report.presenter import cite
from shunde_workbook.report.sources import source_kind
from shunde_workbook.report.table import Col, Table

from helpers import ROOT, cli

DEFAULTS = yaml.safe_load((ROOT / "params" / "default.yaml").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ money and legends
@pytest.mark.parametrize(
    "yuan,lang,expected",
    [
        (3.5e8, "zh", "3.5亿元"),
        (3.5e8, "en", "CNY 350 million"),
        (2.81e6, "zh", "281万元"),
        (-2.81e6, "zh", "−281万元"),
        (1.2345e9, "en", "CNY 1.23 billion"),
        (94, "en", "CNY 94"),
        (5.9e7, "zh", "5,900万元"),
    ],
)
def test_money_is_written_as_readers_write_it(yuan, lang, expected):
    assert fmt_money(yuan, lang) == expected


def test_no_trailing_zero_and_per_resident_in_english():
    assert fmt_number(3.5e8, "wan") == "35,000"
    text = tr("findings.profile.per_resident", "en", per=fmt_number(94.2, "yuan", "en"), pop_share="9.0%")
    assert "CNY 94 " in text or "CNY 94;" in text
    assert "yuan" not in text


def test_legend_ranges_use_a_true_minus_and_to():
    labels = _range_labels(-281.0, np.array([-173.0, 50.0]), "en")
    assert labels[0] == "−281 to −173"
    assert "-" not in "".join(labels)


# ------------------------------------------------------------------ plain-language parameters
def test_parameter_block_has_no_technical_names():
    for lang in ("zh", "en"):
        text = params_block(DEFAULTS, lang)
        for name in ("population_basis", "need_weights", "best_available", "{'", "amount_unit", "floor_share"):
            assert name not in text, (lang, text)
    assert "需求指数权重" in params_block(DEFAULTS, "zh") and "60%" in params_block(DEFAULTS, "zh")
    assert "2017–2022" in params_block(DEFAULTS, "en")


def test_policy_edition_drops_the_technical_parameter_line():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    html = (
        '<div class="sw-meta sw-params">参数: 年份 2017–2022</div>'
        '<div class="sw-meta sw-technical">技术参数: <code>population_basis: best_available</code></div>'
    )
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": html})]
    nb.cells = [cell]
    assert "population_basis" not in to_html(nb, "policy", "t")
    assert "population_basis" in to_html(nb, "analyst", "t")


# ------------------------------------------------------------------ exports
HOSTILE = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3", "\tx", "a\x00b\x0bc"]


def _table() -> Table:
    frame = pd.DataFrame(
        {
            "town_code": ["440606005", "440606006"] * 4,
            "town": ["大良街道", "容桂街道"] * 4,
            "amount_10k_cny": [1.5, 2.0] * 4,
            "rank_amount": [9.0, 1.0] * 4,
        }
    )
    spec = {
        "town": Col("columns.town", values=_town),
        "amount_10k_cny": Col("columns.amount", unit="万元"),
        "rank_amount": Col("columns.rank_amount"),
    }
    return Table(frame, spec)


def test_csv_column_names_are_the_same_in_both_languages_and_include_town_code(tmp_path):
    heads, bodies = {}, {}
    for lang in ("zh", "en"):
        paths = write_table(_table(), tmp_path / f"t_{lang}", lang)
        with open(paths[0], encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
        heads[lang], bodies[lang] = rows[0], rows[1:]
        assert rows[1][0] == "440606005"
        assert rows[1][heads[lang].index("rank_amount")] == "9", "integers are written as integers"
        display = openpyxl.load_workbook(paths[1]).active
        assert display.cell(1, 1).value == tr("columns.town", lang), "the .xlsx keeps the report language's headers"
        assert display.cell(1, 2).value == f"{tr('columns.amount', lang)} ({tr('common.unit.wan', lang)})"
        assert display.cell(2, 1).value == ("大良街道" if lang == "zh" else "Daliang")
    assert heads["zh"] == heads["en"] == ["town_code", "town", "amount_10k_cny", "rank_amount"]
    assert bodies["zh"] == bodies["en"], "the CSV is the data, the same in every language"


def test_formulas_are_neutralised_and_control_characters_replaced(tmp_path):
    df = pd.DataFrame({"recipient": HOSTILE, "amount": range(len(HOSTILE))})
    csv_path, xlsx_path = write_table(df, tmp_path / "hostile", "en")
    sheet = openpyxl.load_workbook(xlsx_path).active
    values = [sheet.cell(r, 1).value for r in range(2, len(HOSTILE) + 2)]
    for r in range(2, len(HOSTILE) + 2):
        assert sheet.cell(r, 1).data_type == "s", "every text cell is text, never a formula"
    for value in values[:6]:
        assert value.startswith("'"), value
    assert values[6] == "a\ufffdb\ufffdc"
    with open(csv_path, encoding="utf-8-sig", newline="") as fh:
        cells = [row[0] for row in csv.reader(fh)][1:]
    assert all(not c.startswith(("=", "+", "-", "@", "\t")) for c in cells)
    assert "\x00" not in csv_path.read_text(encoding="utf-8-sig")


def test_a_failed_export_leaves_the_previous_tables_intact(tmp_path):
    stem = tmp_path / "t"
    write_table(pd.DataFrame({"a": [1]}), stem, "zh")
    before = stem.with_suffix(".xlsx").read_bytes(), stem.with_suffix(".csv").read_bytes()

    class Bad:
        def __str__(self):
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_table(pd.DataFrame({"a": [Bad()]}), stem, "zh")
    assert (stem.with_suffix(".xlsx").read_bytes(), stem.with_suffix(".csv").read_bytes()) == before
    assert not list(tmp_path.glob(".*.tmp"))


# ------------------------------------------------------------------ sources
@pytest.mark.parametrize(
    "source,kind",
    [
        ("https://wiwikim.kfd.me/zh-cn/杏坛镇 (zh.wikipedia mirror)", "encyclopedia"),
        ("https://newton.com.tw/wiki/順德區龍江鎮/2955700", "encyclopedia"),
        ("http://cryer.org.uk/Lecong (en.wikipedia mirror)", "encyclopedia"),
        ("https://vansd.ca/2019/09/04/discover-shunde-da-liang-district/", "encyclopedia"),
        ("http://smzt.gd.gov.cn/shzz/xwzx/zzfc/content/post_2679230.html", "official"),
        ("http://gd.sina.com.cn/fs/2016-03-08/city-fs-ifxqaffy3745525.shtml", "press"),
        ("https://www.citypopulation.de/en/china/pearlriverdelta/", "dataset"),
    ],
)
def test_sources_are_graded_by_kind(source, kind):
    assert source_kind(source) == kind
    marked = cite(source, "en")
    assert ("⚑" in marked) == (kind == "encyclopedia")


def test_the_areas_heading_no_longer_claims_geonames():
    for lang in ("zh", "en"):
        assert "GeoNames" not in tr("sources.areas", lang)


# ---------------------------------------------------------- parameter checks (issue 12 item 8, issue 11 item 11)
def test_fields_must_exist_for_the_chosen_programmes_and_years():
    (msg,) = cross_check({**DEFAULTS, "fields": ["社区照护"]})
    assert "'社区照护' does not occur" in msg and "did you mean '社区照顾'" in msg
    assert cross_check({**DEFAULTS, "fields": ["社区照顾"]}) == []


def test_need_weights_must_be_numeric_columns_and_not_sum_to_zero(tmp_path):
    towns = tmp_path / "towns.csv"
    towns.write_text("town_code,town,elderly\n440606005,大良街道,many\n440606006,容桂街道,0.2\n", encoding="utf-8")
    (msg,) = cross_check({"need_weights": {"elderly": 1}, "towns_path": str(towns)})
    assert "'elderly'" in msg and "not numeric" in msg and "'many'" in msg
    (msg,) = cross_check({**DEFAULTS, "need_weights": {"population": 0, "village_units": 0}})
    assert "sum to zero" in msg


def test_breaks_without_user_defined_is_an_error():
    (msg,) = cross_check({**DEFAULTS, "scheme": "quantiles", "breaks": [100, 200]})
    assert "breaks" in msg and "user_defined" in msg
    assert cross_check({**DEFAULTS, "scheme": "user_defined", "breaks": [100, 200]}) == []


@pytest.mark.parametrize("name", ["大良", "大良街道", "Daliang", "440606005"])
def test_town_accepts_names_and_codes(name):
    merged = coerce({"town": name})
    assert merged["town"] == "440606005"
    assert validate(merged, {"town": {}}) == []


@pytest.mark.parametrize(
    "value,fragment", [("/etc/passwd", "cannot be read here"), ("data", "a folder"), ("/dev/null", "not a regular")]
)
def test_path_parameters_must_be_files_of_a_readable_kind(value, fragment):
    problem = _check_value("ledger_path", value, SPECS["ledger_path"])
    assert problem and fragment in problem


def test_yaml_bomb_is_refused_quickly_and_briefly(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    t0 = time.perf_counter()
    with pytest.raises(ParameterError) as err:
        load_param_file(bomb)
    assert time.perf_counter() - t0 < 1
    assert "anchors and aliases" in str(err.value) and len(str(err.value)) < 300
    with pytest.raises(ParameterError):
        parse_set(["fields=&x [a, *x]"])


def test_echoed_values_are_bounded():
    (msg,) = validate({"language": "x" * 100_000}, {"language": {}})
    assert len(msg) < 400


def test_cli_refuses_a_field_typo_and_a_directory_before_any_kernel(tmp_path):
    outputs = tmp_path / "out"
    res = cli("run", "--set", "fields=[社区照护]", "--set", "ledger_path=data", "--outputs", str(outputs), timeout=60)
    assert res.returncode != 0
    assert "a folder, not a file" in res.stdout
    assert "nothing was run" in res.stdout
    assert not outputs.exists()
    res = cli("run", "--set", "fields=[社区照护]", "--outputs", str(outputs), timeout=60)
    assert res.returncode != 0 and "did you mean '社区照顾'" in res.stdout and not outputs.exists()
