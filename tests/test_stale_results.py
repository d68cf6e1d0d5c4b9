"""No stale or mislabelled results: validate --out, a failed rebuild, results.load, compare and check."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from shunde_workbook import results
from shunde_workbook.cli import main
from shunde_workbook.data.ledger.outputs import read_partial
from shunde_workbook.runner.commit import check
from shunde_workbook.runner.runner import run

from helpers import FIXTURES, ROOT

SIMULATED = ROOT / "data" / "raw" / "grants_simulated.csv"


def _ledger(tmp_path: Path, rows: int, *, bad: int = 0, title: str | None = None, total: bool = False) -> Path:
    """The first ``rows`` rows of the simulated ledger; ``bad`` of them get an unreadable amount."""
    with SIMULATED.open(encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        body = [next(reader) for _ in range(rows)]
    amount = header.index("Amount Awarded")
    for row in body[:bad]:
        row[amount] = "about five"
    if title is not None:
        body[-1][header.index("Title")] = title
    if total:
        body = [[*r] for r in body]
        for r in body:
            r[header.index("Identifier")] = "合计"
    path = tmp_path / f"ledger-{rows}-{bad}-{int(total)}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *body])
    return path


def test_validate_out_never_leaves_an_older_file_with_exit_0(tmp_path, capsys):
    out = tmp_path / "clean.csv"
    assert main(["validate", str(_ledger(tmp_path, 5)), "--out", str(out)]) == 0
    assert out.is_file() and read_partial(out) is None
    good = out.read_bytes()

    header_only = _ledger(tmp_path, 0)
    code = main(["validate", str(header_only), "--out", str(out)])
    said = capsys.readouterr().err
    assert code != 0 and not out.exists(), "a header-only ledger left the older clean.csv with exit 0"
    assert "not written" in said and "was removed" in said

    out.write_bytes(good)
    code = main(["validate", str(_ledger(tmp_path, 4, total=True)), "--out", str(out)])
    assert code != 0 and not out.exists(), "an all-合计 ledger left the older clean.csv in place"

    out.write_bytes(good)
    with_errors = _ledger(tmp_path, 6, bad=2)
    code = main(["validate", str(with_errors), "--out", str(out)])
    said = capsys.readouterr().err
    assert code == 1 and not out.exists() and "--partial" in said and "was removed" in said


def test_validate_out_partial_writes_the_accepted_rows_and_marks_them(tmp_path, capsys):
    out = tmp_path / "clean.csv"
    code = main(["validate", str(_ledger(tmp_path, 6, bad=2)), "--out", str(out), "--partial"])
    said = capsys.readouterr().out
    assert code == 1 and "PARTIAL" in said
    assert len(out.read_text("utf-8").splitlines()) == 1 + 4
    note = read_partial(out)
    assert note == {**note, "partial": True, "accepted": 4, "left_out": 2}
    # a complete ledger written over it removes the note
    assert main(["validate", str(_ledger(tmp_path, 5)), "--out", str(out)]) == 0
    assert read_partial(out) is None


def test_validate_out_neutralises_formulas(tmp_path):
    out = tmp_path / "clean.csv"
    assert main(["validate", str(_ledger(tmp_path, 3, title="=1+1")), "--out", str(out)]) == 0
    titles = [r["Title"] for r in csv.DictReader(out.open(encoding="utf-8"))]
    assert "'=1+1" in titles and "=1+1" not in titles


# ----------------------------------------------------------------------------- a failed rebuild


@pytest.fixture
def step_notebook(tmp_path) -> Path:
    nbdir = tmp_path / "nbs"
    nbdir.mkdir()
    nb = json.loads((FIXTURES / "faults" / "fault_step.ipynb").read_text("utf-8"))
    code = next(
        c for c in nb["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])
    )
    code["source"] = "".join(code["source"]) + (
        "\nfrom shunde_workbook.report.presenter import Report\n"
        "from shunde_workbook.results.writer import record_table\n"
        "import pandas as pd\n"
        "if output_dir:\n"
        "    rep = Report(report_name, 'zh', output_dir, {})\n"
        "    record_table(rep, pd.DataFrame({'town_code': ['440606005'], 'value': [len(tag)]}), 'tags')\n"
        "assert tag != 'fail', 'asked to fail'\n"
    )
    (nbdir / "r1.ipynb").write_text(json.dumps(nb), "utf-8")
    return nbdir


def test_a_failed_rebuild_keeps_the_manifest_and_results_true_to_the_files(step_notebook, tmp_path, capsys):
    out = tmp_path / "out"
    assert run(params_file=None, overrides=["tag=one"], notebooks_dir=step_notebook, outputs=out, jobs=1) == 0
    first = json.loads((out / "manifest.json").read_text("utf-8"))
    before = results.load(out)
    assert set(before["run_id"]) == {results.run_id(out, first)}

    assert run(params_file=None, overrides=["tag=fail"], notebooks_dir=step_notebook, outputs=out, jobs=1) == 1
    capsys.readouterr()
    second = json.loads((out / "manifest.json").read_text("utf-8"))
    [rec] = second["reports"]
    assert rec["status"] == "failed"
    assert rec["parameters"]["tag"] == "one", "the manifest must describe the files on disk (the tag=one build)"
    assert rec["requested_parameters"]["tag"] == "fail"
    assert check(out) == []

    after = results.load(out)
    assert set(after["run_id"]) == set(before["run_id"]), "old rows were restamped with the failed run's id"
    assert set(after["param_hash"]) == set(before["param_hash"])

    # compare of the first and the failed run: the parameters on disk are the same
    from shunde_workbook.experiments.compare import compare

    a = tmp_path / "a"
    shutil.copytree(out, a)
    (a / "manifest.json").write_text(json.dumps(first), "utf-8")
    diff = compare(a, out)
    assert diff["parameters"].empty, diff["parameters"]
    assert diff["measures"].empty

    # a manifest that claims other parameters than the build on disk is caught by check
    rec["parameters"] = {**rec["parameters"], "tag": "fail"}
    (out / "manifest.json").write_text(json.dumps(second), "utf-8")
    assert any("other parameters" in p for p in check(out))


def test_every_report_on_a_partial_ledger_says_how_many_rows_were_left_out(tmp_path, capsys):
    from shunde_workbook.analysis.inputs import load_inputs
    from shunde_workbook.narrative.provenance import banner_items

    from helpers import default_params

    out = tmp_path / "clean.csv"
    assert main(["validate", str(_ledger(tmp_path, 40, bad=3)), "--out", str(out), "--partial"]) == 1
    capsys.readouterr()
    inp = load_inputs({**default_params(), "ledger_path": str(out)}, boundaries=False)
    assert inp.statuses["ledger_partial"] == "3/40"
    assert any("3 of its 40 rows" in b for b in banner_items(inp.statuses, "en"))
    assert any("40 行中有 3 行" in b for b in banner_items(inp.statuses, "zh"))


def test_damaged_manifests_and_results_files_are_input_errors_not_tracebacks(tmp_path):
    from shunde_workbook.cli.run import replay_arguments
    from shunde_workbook.errors import InputError, RunError, WorkbookError
    from shunde_workbook.experiments.compare import compare

    good = {"run": {"parameters": {"language": "zh"}}, "reports": []}
    for bad in ([1, 2], {"run": [], "reports": []}, {"run": {"parameters": "x"}, "reports": []}, {"run": {}}):
        folder = tmp_path / f"m{len(list(tmp_path.iterdir()))}"
        folder.mkdir()
        (folder / "manifest.json").write_text(json.dumps(bad))
        with pytest.raises(RunError):
            compare(folder, folder)
        with pytest.raises(WorkbookError):
            replay_arguments(folder / "manifest.json")
    evil = tmp_path / "evil.json"
    evil.write_text(json.dumps({"run": {"parameters": {"x=1,ledger_path": "/etc/passwd"}}, "reports": []}))
    with pytest.raises(InputError, match="not plain names"):
        replay_arguments(evil)
    folder = tmp_path / "out"
    (folder / "results").mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps(good))
    (folder / "results" / "r.csv").write_bytes(b'"unterminated,\x00\xff\n1,2,3,4\n')
    with pytest.raises(InputError, match="not a readable results file"):
        results.load(folder)


def test_compare_csvs_neutralise_formulas(tmp_path):
    from shunde_workbook.experiments.compare import write_comparison

    runs = []
    for value in ('=HYPERLINK("http://x","y")', "plain"):
        folder = tmp_path / value[:5].strip('=("')
        folder.mkdir()
        run = {"parameters": {"note": value}, "inputs": {}, "started": "2026-01-01T00:00:00", "wall_seconds": 1.0}
        run.update(peak_rss_mb=1.0, jobs=1, kernel="python3", git_commit="", params_file=None, packages={}, python="3")
        manifest = {"run": run, "reports": []}
        (folder / "manifest.json").write_text(json.dumps(manifest))
        runs.append(folder)
    files = write_comparison(*runs)
    text = files["parameters"].read_text("utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
