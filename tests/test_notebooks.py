"""The real notebooks, executed through the runner on the default inputs and on small variants."""

from __future__ import annotations

import hashlib
import json
import re
import shutil

import pandas as pd
import pytest

from shunde_workbook.runner.runner import run

from helpers import ROOT

pytestmark = pytest.mark.slow
LEDGER = ROOT / "data/raw/grants_simulated.csv"


def _run(out, *sets, only, capsys=None, force=True):
    code = run(overrides=list(sets), only=only, outputs=out, jobs=2, force=force)
    return code, (capsys.readouterr().out if capsys else "")


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """Every report, once, on the default parameters (as `make report` does)."""
    out = tmp_path_factory.mktemp("full")
    code = run(outputs=out, jobs=2, force=True)
    return code, out


def test_full_run_builds_five_district_reports_brief_and_ten_profiles(full_run):
    code, out = full_run
    assert code == 0
    reports = json.loads((out / "manifest.json").read_text("utf-8"))["reports"]
    names = [r["name"] for r in reports]
    assert names[0] == "00_policy_brief", "the brief is the first report"
    for nb in ("01_data_audit", "02_funding_overview", "03_town_distribution", "04_fairness_need", "05_scenarios_2023"):
        assert nb in names
    assert len([n for n in names if n.startswith("06_town_profile-")]) == 10
    index = (out / "index.html").read_text("utf-8")
    for r in reports:
        assert r["status"] == "ok"
        assert f"reports/{r['name']}.html" in index and f"reports/{r['name']}.analyst.html" in index
        assert (out / "reports" / f"{r['name']}.html").exists()


def test_every_policy_report_carries_banner_findings_methods_and_no_code(full_run):
    _, out = full_run
    for html_path in (out / "reports").glob("*.html"):
        if html_path.name.endswith(".analyst.html"):
            continue
        html = html_path.read_text("utf-8")
        assert 'class="sw-banner"' in html and "模拟生成" in html, html_path.name
        assert 'class="sw-findings"' in html, html_path.name
        assert 'id="methods"' in html, html_path.name
        assert not re.search(r'class="[^"]*jp-InputArea-editor', html), html_path.name


def test_maps_are_labelled_approximate_and_exports_exist(full_run):
    _, out = full_run
    html = (out / "reports/03_town_distribution.html").read_text("utf-8")
    assert "近似" in html and html.count("<figure") >= 5
    figs = list((out / "figures").glob("03_town_distribution__*.png"))
    assert len(figs) >= 5 and all(f.with_suffix(".svg").exists() for f in figs)
    csv = out / "tables/03_town_distribution__town_ranks.csv"
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf"), "CSV must carry a BOM for Excel"
    assert csv.with_suffix(".xlsx").exists()


def test_english_reports(tmp_path):
    out = tmp_path / "en"
    code, _ = _run(out, "language=en", "town=440606005", only=["02_funding_overview", "06_town_profile"])
    assert code == 0
    for name in ("02_funding_overview", "06_town_profile-daliang"):
        html = (out / f"reports/{name}.html").read_text("utf-8")
        assert "Key findings" in html and "Read first" in html and "Data and methods" in html
        assert "主要发现" not in html and "请先阅读" not in html and "数据与方法" not in html
    assert "Town profile: Daliang" in (out / "reports/06_town_profile-daliang.html").read_text("utf-8")


def test_pointing_at_another_ledger_changes_the_results(tmp_path):
    df = pd.read_csv(LEDGER, dtype=str)
    df["Amount Awarded"] = (df["Amount Awarded"].astype(float) * 2).map(lambda v: f"{v:.2f}")
    other = tmp_path / "doubled.csv"
    df.to_csv(other, index=False)
    out = tmp_path / "o"
    assert _run(out, only=["02_funding_overview"])[0] == 0
    base = pd.read_csv(out / "tables/02_funding_overview__by_year_programme.csv", encoding="utf-8-sig")
    assert _run(out, f"ledger_path={other}", only=["02_funding_overview"])[0] == 0
    doubled = pd.read_csv(out / "tables/02_funding_overview__by_year_programme.csv", encoding="utf-8-sig")
    amount = [c for c in base.columns if c.startswith("amount")][0]  # machine names, the same in zh and en
    assert doubled[amount].sum() == pytest.approx(2 * base[amount].sum(), rel=1e-9)
    assert json.loads((out / "manifest.json").read_text("utf-8"))["run"]["parameters"]["ledger_path"] == str(other)


@pytest.fixture
def good_report(tmp_path):
    out = tmp_path / "faults"
    assert _run(out, only=["02_funding_overview"])[0] == 0
    # the good report's hash: a failed run must leave this very file untouched (same machine, same file)
    return out, hashlib.sha256((out / "reports/02_funding_overview.html").read_bytes()).hexdigest()


def _fails_cleanly(out, good, text, *fragments):
    assert "FAILED 02_funding_overview" in text
    for f in fragments:
        assert f in text, f"missing {f!r} in:\n{text}"
    assert hashlib.sha256((out / "reports/02_funding_overview.html").read_bytes()).hexdigest() == good


def test_empty_ledger(good_report, tmp_path, capsys):
    out, good = good_report
    empty = tmp_path / "empty.csv"
    empty.write_text(LEDGER.read_text("utf-8").splitlines()[0] + "\n", encoding="utf-8")
    code, text = _run(out, f"ledger_path={empty}", only=["02_funding_overview"], capsys=capsys)
    assert code == 1
    _fails_cleanly(out, good, text, "no grant rows")


def test_ledger_with_one_valid_row(good_report, tmp_path, capsys):
    out, good = good_report
    one = tmp_path / "one.csv"
    one.write_text("\n".join(LEDGER.read_text("utf-8").splitlines()[:2]) + "\n", encoding="utf-8")
    code, text = _run(out, f"ledger_path={one}", only=["02_funding_overview"], capsys=capsys)
    assert code == 1
    _fails_cleanly(out, good, text, "Only 1 grant(s)", "at least 10")


def test_corrupt_shapefile(good_report, tmp_path, capsys):
    out, good = good_report
    src = ROOT / "shapefiles"
    for part in src.glob("shunde_towns_approx.*"):
        shutil.copy(part, tmp_path / part.name)
    shp = tmp_path / "shunde_towns_approx.shp"
    shp.write_bytes(shp.read_bytes()[:300])
    code, text = _run(out, f"boundaries_path={shp}", only=["02_funding_overview"], capsys=capsys)
    assert code == 1
    _fails_cleanly(out, good, text, "BoundaryError", str(shp.name))


def test_need_index_uses_a_column_the_user_adds(tmp_path):
    towns = pd.read_csv(ROOT / "data/reference/towns.csv", dtype=str)
    # A made-up elderly share, highest in 均安 and lowest in 大良, to show the need index follows it.
    towns["elderly_share"] = [0.10, 0.11, 0.05, 0.09, 0.12, 0.08, 0.10, 0.13, 0.15, 0.30]
    path = tmp_path / "towns_plus.csv"
    towns.to_csv(path, index=False)
    out = tmp_path / "o"
    code, _ = _run(out, f"towns_path={path}", "need_weights={elderly_share: 1}", only=["04_fairness_need"])
    assert code == 0
    table = pd.read_csv(out / "tables/04_fairness_need__need_distance.csv", encoding="utf-8-sig")
    need = dict(zip(table["town"], table["need"], strict=False))  # headers are in the report's language
    # share of the column total: 均安 0.30 / 1.23, 大良 0.05 / 1.23
    assert need["均安镇"] == pytest.approx(0.30 / 1.23, rel=1e-6)
    assert need["大良街道"] == pytest.approx(0.05 / 1.23, rel=1e-6)
