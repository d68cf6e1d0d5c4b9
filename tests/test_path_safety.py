"""Nothing from an input becomes a path: hostile town tables, report names, stamps and manifests.

Every file and folder name the runner builds from data comes from a safe identifier (a town's code, or
a name checked against a strict pattern), and every path it writes or removes lies inside its outputs
folder.  The hostile towns table of issue #25 (``name_en=zz/../../../../victim``) is run end to end.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from shunde_workbook.errors import ParameterError, RunError, WorkbookError
from shunde_workbook.geo.names import town_slug
from shunde_workbook.paths import REFERENCE, inside, remove_tree, safe_name
from shunde_workbook.runner.commit import check, commit, stage_dir
from shunde_workbook.runner.runner import jobs_for, plan, run

from helpers import FIXTURES

HOSTILE = [
    "..",
    "zz/../../../../victim",
    "/etc/passwd",
    "/tmp/victim",
    "a\\..\\b",
    "a/b",
    "a\x00b",
    "x" * 300,
    "ｚｚ",  # full-width letters: NFKC turns them into 'zz'
    "zz\u2215..\u2215victim",  # DIVISION SLASH, looks like '/'
    "zz\uff0f..\uff0fvictim",  # FULLWIDTH SOLIDUS
    ".hidden",
    "",
    " ",
    "a\nb",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_safe_name_refuses_anything_that_is_not_one_plain_component(name):
    with pytest.raises(ParameterError, match="cannot name a file"):
        safe_name(name, "report name")


@pytest.mark.parametrize("name", ["06_town_profile-daliang", "00_policy_brief", "07_我的报告", "set-0a1b2c3d4e"])
def test_safe_name_keeps_ordinary_report_names(name):
    assert safe_name(name) == name


@pytest.mark.parametrize("code", [*HOSTILE, "440606999", "440606102 ", "４４０６０６１０２"])
def test_a_town_slug_comes_from_the_code_and_only_known_codes_pass(code):
    if code.strip() == "440606102":
        assert town_slug(code) == "beijiao"
        return
    with pytest.raises(ParameterError, match="not one of Shunde's 10 town codes"):
        town_slug(code)


def test_inside_refuses_paths_that_leave_the_root(tmp_path):
    root = tmp_path / "out"
    root.mkdir()
    assert inside(root, root / "reports" / "a.html") == (root / "reports" / "a.html").resolve()
    for bad in (root, root / ".." / "x", tmp_path / "elsewhere", Path("/etc/passwd")):
        with pytest.raises(RunError, match="outside"):
            inside(root, bad)
    (root / "link").symlink_to(tmp_path)
    with pytest.raises(RunError):
        inside(root, root / "link" / "victim")


def test_remove_tree_never_removes_outside_its_root(tmp_path):
    root, victim = tmp_path / "out", tmp_path / "victim"
    (victim / "sub").mkdir(parents=True)
    (victim / "keep.txt").write_text("keep")
    root.mkdir()
    with pytest.raises(RunError):
        remove_tree(root / ".." / "victim", root)
    (root / "stage").symlink_to(victim)  # a link: unlinked, its target untouched
    remove_tree(root / "stage", root)
    assert not (root / "stage").exists() and (victim / "keep.txt").read_text() == "keep"


def _towns_with(tmp_path: Path, field: str, value: str, code: str = "440606102") -> Path:
    rows = list(csv.DictReader((REFERENCE / "towns.csv").open(encoding="utf-8-sig")))
    for row in rows:
        if row["town_code"] == code:
            row[field] = value
    path = tmp_path / "towns.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def per_town_notebooks(tmp_path) -> Path:
    """A per-town copy of the fault_step notebook, declaring ``town`` and ``towns_path``."""
    nb = json.loads((FIXTURES / "faults" / "fault_step.ipynb").read_text("utf-8"))
    nb["metadata"]["shunde_workbook"] = {"per_town": True, "title": {"zh": "镇街", "en": "Town"}}
    params = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    params["source"] = "".join(params["source"]) + '\ntown = "440606005"\ntowns_path = "data/reference/towns.csv"\n'
    folder = tmp_path / "nbs"
    folder.mkdir()
    (folder / "06_town_profile.ipynb").write_text(json.dumps(nb), "utf-8")
    return folder


TOWN_FIELDS = ["town", "short_name", "name_en", "kind"]


@pytest.mark.parametrize("field", TOWN_FIELDS)
@pytest.mark.parametrize("value", [v for v in HOSTILE if v])
def test_no_towns_table_text_reaches_a_report_name(per_town_notebooks, tmp_path, field, value):
    towns = _towns_with(tmp_path, field, value)
    reports, merged, per_report = plan(None, [f"towns_path={towns}", "town=440606102"], None, per_town_notebooks)
    out = tmp_path / "out"
    [(job, _, _)] = jobs_for(reports, merged, per_report, out, "python3")
    assert job.name == "06_town_profile-beijiao"
    assert Path(job.parameters["output_dir"]).resolve().is_relative_to(out.resolve())


@pytest.mark.parametrize("value", [v for v in HOSTILE if v.strip()] + ["440606999"])
def test_a_hostile_town_code_is_refused_naming_the_file_and_row(per_town_notebooks, tmp_path, value):
    towns = _towns_with(tmp_path, "town_code", value)
    reports, merged, per_report = plan(None, [f"towns_path={towns}"], None, per_town_notebooks)
    with pytest.raises(ParameterError, match=r"towns\.csv, row \d+: town_code"):
        jobs_for(reports, merged, per_report, tmp_path / "out", "python3")


def test_a_report_cannot_be_named_outside_its_folder(tmp_path):
    from shunde_workbook.report.presenter import Report

    for bad in ("../../victim", "/tmp/x", "a/b"):
        with pytest.raises(ParameterError):
            Report(bad, "zh", tmp_path, {})
        with pytest.raises(ParameterError):
            stage_dir(tmp_path, bad)


def test_a_tampered_stamp_cannot_make_a_commit_delete_outside(tmp_path):
    out, victim = tmp_path / "a" / "b" / "out", tmp_path / "victim.txt"
    victim.write_text("keep")
    staged = stage_dir(out, "r1")
    (staged / "reports").mkdir(parents=True)
    (staged / "reports" / "r1.html").write_text("x")
    (out / ".stamps").mkdir(parents=True)
    rel = os.path.relpath(victim, out)
    (out / ".stamps" / "r1.json").write_text(json.dumps({"hashes": {rel: "0", "/etc/hostname": "0"}}))
    commit(out, "r1", "k", {"files": {"policy": "reports/r1.html"}})
    assert victim.read_text() == "keep" and Path("/etc/hostname").exists()


def test_check_reports_a_manifest_naming_an_impossible_report(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({"reports": [{"name": "../../x", "files": {"a": "b"}}]}))
    assert any("cannot be a file name" in p for p in check(tmp_path))
    (tmp_path / "manifest.json").write_text(json.dumps({"reports": {"name": "x"}}))
    assert check(tmp_path) and "cannot be read" in check(tmp_path)[0]


def _outside(folder: Path, out: Path) -> dict[str, int]:
    """Every path under ``folder`` but outside ``out`` (the outputs folder itself included), with its mtime."""
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p != out and not p.is_relative_to(out)}


def test_the_hostile_towns_table_run_writes_and_deletes_nothing_outside(per_town_notebooks, tmp_path, capsys):
    """Issue #25's case: ``name_en=zz/../../../../victim``; ``victim`` sits four levels above the stage."""
    base = tmp_path / "w"
    out = base / "p" / "q" / "outputs"
    victim = base / "p" / "victim"  # where zz/../../../../victim pointed from outputs/.work/stage/<name>
    (victim / "sub").mkdir(parents=True)
    (victim / "a.txt").write_text("keep")
    (victim / "sub" / "b.txt").write_text("keep")
    for v in (out.parent / "victim", out / "victim", base / "victim"):
        v.mkdir(parents=True, exist_ok=True)
        (v / "a.txt").write_text("keep")
    towns = _towns_with(tmp_path, "name_en", "zz/../../../../victim")
    outside_before = _outside(tmp_path, out)
    code = run(
        params_file=None,
        overrides=[f"towns_path={towns}", "town=440606102"],
        notebooks_dir=per_town_notebooks,
        outputs=out,
        jobs=1,
    )
    said = capsys.readouterr().out
    assert code == 0, said
    assert _outside(tmp_path, out) == outside_before, "something outside the outputs folder was written or removed"
    assert (out / "reports" / "06_town_profile-beijiao.html").is_file()
    names = [r["name"] for r in json.loads((out / "manifest.json").read_text("utf-8"))["reports"]]
    assert names == ["06_town_profile-beijiao"]
    assert check(out) == []
    shutil.rmtree(out)


def test_workbook_errors_from_names_are_user_errors():
    assert issubclass(ParameterError, WorkbookError) and issubclass(RunError, WorkbookError)
