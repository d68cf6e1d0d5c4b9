"""``compare`` shows what changed first; a report only one run built is one line on the policy page."""

from __future__ import annotations

import json

import pandas as pd

from shunde_workbook.experiments.compare import compare, write_comparison
from shunde_workbook.results.writer import COLUMNS


def _row(report, measure, value, finding="", source="finding", town=""):
    return {c: "" for c in COLUMNS} | {
        "report": report,
        "measure": measure,
        "town": town,
        "value": value,
        "kind": "number",
        "finding": finding,
        "grade": "robust",
        "key_finding": False,
        "source": source,
    }


def _run(folder, rows, reports, lang="zh"):
    (folder / "results").mkdir(parents=True)
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for report, part in frame.groupby("report"):
        part.to_csv(folder / "results" / f"{report}.csv", index=False)
    manifest = {
        "run": {"parameters": {"language": lang}, "inputs": {}, "started": "2026-12-07T01:00:00+00:00"},
        "reports": [{"name": r, "title": r, "status": "ok", "files": {}, "parameters": {}} for r in reports],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _two_runs(tmp_path):
    profiles = [f"06_town_profile-t{i}" for i in range(3)]
    a_rows = [_row("04_fairness_need", "fairness.gini", 0.20, "fairness.gini")]
    a_rows += [_row(p, f"profile.m{k}", 100.0 + k, f"profile.f{k}") for p in profiles for k in range(14)]
    b_rows = [_row("04_fairness_need", "fairness.gini", 0.25, "fairness.gini")]
    b_rows += [_row("05_scenarios_2023", "scenarios.total", 5900.0, "scenarios.total")]
    a = _run(tmp_path / "a", a_rows, ["04_fairness_need", *profiles])
    b = _run(tmp_path / "b", b_rows, ["04_fairness_need", "05_scenarios_2023"])
    return a, b


def test_changed_measures_come_before_one_sided_rows(tmp_path):
    a, b = _two_runs(tmp_path)
    diff = compare(a, b)
    status = diff["measures"]["status"].tolist()
    assert status[0] == "changed" and diff["measures"]["measure"].iloc[0] == "fairness.gini"
    assert status == sorted(status, key=lambda s: s != "changed"), "a change in both runs comes first"
    one = diff["one_sided"].set_index("report")
    assert one.loc["06_town_profile-t0", "status"] == "only_a" and one.loc["06_town_profile-t0", "measures"] == 14
    assert one.loc["05_scenarios_2023", "status"] == "only_b"


def test_the_policy_page_summarises_one_sided_reports_in_one_line_each(tmp_path):
    a, b = _two_runs(tmp_path)
    files = write_comparison(a, b)
    policy = files["policy"].read_text(encoding="utf-8")
    analyst = files["analyst"].read_text(encoding="utf-8")
    body = policy.split('id="measures"')[1]
    assert "fairness.gini" in body
    assert "profile.m1" not in body, "rows of a report only run A built flood the policy table"
    lines = policy.split('id="one-sided"')[1].split("</ul>")[0]
    assert lines.count("<li") == 4  # three profiles only in A, the scenarios report only in B
    assert "06_town_profile-t0：仅见于运行A（14个数值、14条结论" in lines
    assert "profile.m1" in analyst, "the analyst edition still lists every row"


def test_results_rows_carry_the_commit_and_the_ledger_provenance(tmp_path):
    from shunde_workbook.results import load

    folder = _run(
        tmp_path / "r", [_row("04_fairness_need", "fairness.gini", 0.2, "fairness.gini")], ["04_fairness_need"]
    )
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest["run"]["git_commit"] = "0123456789abcdef0123"
    manifest["run"]["inputs"] = {"data/raw/l.csv": {"status": "official", "parameter": "ledger_path", "sha256": "x"}}
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rows = load(folder)
    assert rows["commit"].tolist() == ["0123456789abcdef0123"]
    assert rows["provenance"].tolist() == ["official"]
    assert rows["run_id"].iloc[0].startswith("r@2026-12-07")
