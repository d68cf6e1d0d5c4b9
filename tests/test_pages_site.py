"""The index speaks to readers: each report once, local times, no hashes or memory figures; it embeds its font."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from shunde_workbook.publish.site import local_time, write_index
from shunde_workbook.report.webfonts import embedded_characters

NAMES = ["00_policy_brief", "01_data_audit", "02_funding_overview", "06_town_profile-daliang", "99_extra"]


def _manifest(outputs, lang="zh"):
    (outputs / "reports").mkdir(parents=True)
    reports = []
    for name in NAMES:
        (outputs / "reports" / f"{name}.html").write_text(f"<title>{name}</title>", "utf-8")
        reports.append(
            {
                "name": name,
                "title": f"标题 {name}",
                "status": "ok",
                "seconds": 1.5,
                "built_at": "2026-12-07T01:30:00+00:00",
                "files": {"policy": f"reports/{name}.html", "analyst": f"reports/{name}.analyst.html"},
                "parameters": {},
            }
        )
    inputs = {"data/raw/grants_simulated.csv": {"status": "simulated", "sha256": "ab" * 32, "parameter": "ledger_path"}}
    run = {
        "parameters": {"language": lang},
        "inputs": inputs,
        "started": "2026-12-07T01:00:00+00:00",
        "git_commit": "0123456789abcdef",
        "wall_seconds": 12.0,
        "peak_rss_mb": 700.0,
    }
    return {"run": run, "reports": reports}


def test_each_report_is_listed_once_with_local_time_and_no_hashes(tmp_path):
    page = write_index(tmp_path, _manifest(tmp_path)).read_text("utf-8")
    listed = re.sub(r"<svg.*?</svg>", "", page, flags=re.S)  # the town map links each profile as well
    for name in NAMES:
        links = re.findall(rf'href="reports/{re.escape(name)}\.html"', listed)
        assert len(links) == 1, f"{name} is linked {len(links)} times"
    assert "ab" * 16 not in page and "sha256" not in page, "input hashes belong to manifest.json"
    text = re.sub(r"<style.*?</style>|<svg.*?</svg>|<[^>]+>", " ", page, flags=re.S)
    assert not re.search(r"\b700\b|\bMB\b", text), "memory figures belong to manifest.json"
    local = datetime(2026, 12, 7, 1, 30, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert local in page and "2026-12-07T01:30:00+00:00" not in page
    assert "其他报告" in page and page.count("标题 99_extra") == 1


def test_local_time_reads_iso_stamps():
    assert local_time(None) == "—"
    assert local_time("not a time") == "not a time"
    naive = datetime(2026, 1, 2, 3, 4, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert local_time("2026-01-02T03:04:59") == naive


def test_the_index_embeds_the_font_for_its_text(tmp_path):
    page = write_index(tmp_path, _manifest(tmp_path)).read_text("utf-8")
    text = re.sub(r"<style.*?</style>|<[^>]+>", "", page, flags=re.S)
    cjk = {c for c in text if "\u4e00" <= c <= "\u9fff"}
    assert cjk and cjk <= embedded_characters(page)
