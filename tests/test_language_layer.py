"""One translation layer, machine names until the page, and notebooks without plumbing.

* no code in ``src/`` (Python or templates) or in a notebook branches on the language: a language's ways
  of writing (money scales, town names, ranges, page language codes) are catalogue entries;
* a Chinese and an English run of the same parameters export the same tables, column for column and cell for
  cell (the CSV is data; only the page and the XLSX speak the reader's language), and ``compare`` finds no
  measure that changed or is only in one run;
* every notebook's ``parameters`` cell agrees with ``params/default.yaml``.
"""

from __future__ import annotations

import ast
import re

import nbformat
import pandas as pd
import pytest
import yaml

from shunde_workbook import i18n

from helpers import ROOT

SRC = ROOT / "src" / "shunde_workbook"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
#: ``lang == "zh"``, ``language != 'en'``, ``"zh" if … `` and a notebook's ``zh = language == "zh"``.
BRANCH = re.compile(
    r"""\b\w*lang\w*\s*[!=]=\s*["'][a-z]{2}["']|["'][a-z]{2}["']\s*[!=]=\s*\w*lang\w*|\bzh\s*=\s*language\b"""
)


def _code(path) -> list[tuple[int, str]]:
    return list(enumerate(path.read_text(encoding="utf-8").splitlines(), 1))


def test_the_pattern_finds_the_branches_it_is_for():
    for line in ('x = "元" if lang == "zh" else "CNY"', "if language != 'en':", 'zh = language == "zh"'):
        assert BRANCH.search(line), line
    for line in ('tr("common.format.range", lang, a=1, b=2)', 'lang: str = "zh"', "if lang not in LANGUAGES:"):
        assert not BRANCH.search(line), line


def test_no_language_branch_in_the_package_or_its_templates():
    found = [
        f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
        for p in sorted([*SRC.rglob("*.py"), *SRC.rglob("*.j2")])
        for n, line in _code(p)
        if BRANCH.search(line)
    ]
    assert not found, "a language's ways of writing belong in its catalogue:\n" + "\n".join(found)


def test_no_language_branch_in_a_notebook():
    found = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found += [f"{path.name}: {line.strip()}" for line in cell.source.splitlines() if BRANCH.search(line)]
    assert not found, found


def test_both_catalogues_load_through_the_one_layer_in_the_same_language_order():
    from shunde_workbook.data.ledger import messages
    from shunde_workbook.narrative import text

    assert text.LANGS == messages.LANGUAGES == i18n.LANGUAGES and i18n.LANGUAGES[:2] == ("zh", "en")
    for lang in i18n.LANGUAGES:
        assert text.catalogue(lang) is i18n.load(i18n.NARRATIVE, lang)
        assert messages.catalogue(lang) is i18n.load(i18n.MESSAGES, lang)


def test_nested_keys_read_as_dotted_keys_and_a_key_is_defined_once(tmp_path):
    (tmp_path / "zh.yaml").write_text("rule:\n  historical: 按历史份额\nplain: 文字\n", encoding="utf-8")
    (tmp_path / "area").mkdir()
    (tmp_path / "area" / "zh.yaml").write_text("rule.floor: 保底\n", encoding="utf-8")
    assert i18n.load(tmp_path, "zh") == {"rule.historical": "按历史份额", "plain": "文字", "rule.floor": "保底"}
    twice = tmp_path / "twice"
    (twice / "area").mkdir(parents=True)
    (twice / "zh.yaml").write_text("rule:\n  floor: 保底\n", encoding="utf-8")
    (twice / "area" / "zh.yaml").write_text("rule.floor: 另一个\n", encoding="utf-8")
    with pytest.raises(ValueError, match="already defined"):
        i18n.load(twice, "zh")


def test_town_names_follow_the_catalogue():
    from shunde_workbook.narrative.text import town_label

    assert town_label("440606106", "zh") == "均安镇" and town_label("均安", "zh", short=True) == "均安"
    assert town_label("均安镇", "en") == town_label("440606106", "en", short=True) == "Jun'an"
    assert town_label("not a town", "en") == "not a town"


# ---------------------------------------------------------------- notebooks' parameter cells
DEFAULTS = yaml.safe_load((ROOT / "params" / "default.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_cell_agrees_with_the_default_parameters(path):
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{path.name}: one cell tagged 'parameters'"
    values = {}
    for node in ast.parse(cells[0].source).body:
        assert isinstance(node, ast.Assign) and len(node.targets) == 1, f"{path.name}: only `name = value` lines"
        values[node.targets[0].id] = ast.literal_eval(node.value)
    differ = {k: (v, DEFAULTS[k]) for k, v in values.items() if k in DEFAULTS and v != DEFAULTS[k]}
    assert not differ, f"{path.name}: (notebook, params/default.yaml) differ: {differ}"
    unknown = set(values) - set(DEFAULTS) - {"output_dir", "report_name", "town"}
    assert not unknown, f"{path.name}: parameters missing from params/default.yaml: {sorted(unknown)}"


# ---------------------------------------------------------------- a zh and an en run
def _tables(outputs) -> dict[str, pd.DataFrame]:
    return {
        p.stem: pd.read_csv(p, encoding="utf-8-sig", dtype=str, keep_default_na=False)
        for p in sorted((outputs / "tables").glob("*.csv"))
    }


@pytest.mark.slow
def test_a_chinese_and_an_english_run_export_the_same_tables(full_run_zh, full_run_en):
    zh, en = _tables(full_run_zh), _tables(full_run_en)
    assert set(zh) == set(en) and len(zh) >= 10
    for name, a in zh.items():
        b = en[name]
        assert list(a.columns) == list(b.columns), name
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in a.columns), (name, list(a.columns))
        pd.testing.assert_frame_equal(a, b, obj=name)  # the CSV is the data: no word of either language in it


@pytest.mark.slow
def test_compare_of_a_chinese_and_an_english_run_finds_no_measure_change(full_run_zh, full_run_en, tmp_path):
    import shutil

    from shunde_workbook.experiments.compare import write_comparison

    b = tmp_path / "en"
    shutil.copytree(full_run_en, b)  # compare writes into B
    files = write_comparison(full_run_zh, b)
    assert pd.read_csv(files["parameters"])["name"].tolist() == ["language"]
    measures = pd.read_csv(files["measures"], dtype=str, keep_default_na=False)
    assert measures.empty, measures.head(10).to_string()


# ---------------------------------------------------------------- notebooks keep their teaching, not plumbing
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_notebook_starts_with_one_line_and_builds_no_table_or_finding(path):
    code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
    preamble = r"(?m)^params, inp, rep = setup\(globals\(\), \"\w+\"(, \w+=\w+)*\)$"  # options: load_inputs's
    assert re.search(preamble, code), "the one-line preamble"
    assert "rename(columns" not in code, "display tables come from report/display_tables.py"
    assert "Report(" not in code and "collect(globals())" not in code and "charts.stamp(" not in code
    if not path.name.startswith("_"):  # the starter shows how a finding is built, then graded
        assert "Finding(" not in code, "findings come from narrative/statements.py"


# ---------------------------------------------------------------- index groups from notebook metadata
def test_a_report_is_listed_under_its_notebooks_group_and_a_report_without_one_under_other_reports():
    from shunde_workbook.narrative.text import tr
    from shunde_workbook.publish.site import district_groups
    from shunde_workbook.runner.runner import discover

    specs = {s.name: s.group for s in discover()}
    assert specs["01_data_audit"] == "data" and specs["05_scenarios_2023"] == "fairness"
    reports = [{"name": n, "group": g, "per_town": n.startswith("06_")} for n, g in specs.items()]
    reports += [{"name": "07_my_analysis", "group": ""}, {"name": "08_x", "group": "no_such_heading"}]
    groups = {g["label"]: [r["name"] for r in g["reports"]] for g in district_groups(reports, "en")}
    assert groups[tr("site.group_money", "en")] == ["02_funding_overview", "03_town_distribution"]
    assert groups[tr("site.group_other", "en")] == ["07_my_analysis", "08_x"]
    assert all(groups.values()), "no heading without reports"
    assert not any("00_policy_brief" in names or "06_town_profile" in names for names in groups.values())
