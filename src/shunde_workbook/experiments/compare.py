"""``shunde-workbook compare A B``: what differs between two runs.

Reads both outputs folders' ``manifest.json`` (parameters, input hashes) and
results stores (:func:`shunde_workbook.results.load`: the values of findings and of
exported tables), and writes into B:

* ``comparisons/<A>.policy.html`` and ``<A>.analyst.html`` (the analyst edition lists every row);
* ``comparisons/<A>__parameters.csv``, ``__inputs.csv``, ``__measures.csv``, ``__findings.csv``;

then re-renders B's ``index.html``, which links every comparison in ``comparisons/``.
"""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pandas as pd

from shunde_workbook.errors import RunError
from shunde_workbook.report.exports import safe_frame
from shunde_workbook.report.webfonts import common_characters, embed_fonts
from shunde_workbook.results import load

#: Two values are the same measure value when they agree to this relative tolerance.
REL_TOL = 1e-9
POLICY_ROWS = 15


def _manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(manifest.get("run"), dict) or not isinstance(manifest.get("reports"), list):
            raise ValueError("not the shape of a run's manifest")
        if not isinstance(manifest["run"].get("parameters", {}), dict):
            raise ValueError("run.parameters is not a mapping")
    except (OSError, ValueError, AttributeError):
        raise RunError(
            f"{folder} has no readable manifest.json: is it an outputs folder of shunde-workbook run?"
        ) from None
    return manifest


def built_parameters(manifest: dict) -> dict:
    """The parameters of the builds on disk: the run's, except where a report kept an earlier build.

    A report whose rebuild failed keeps its previous files; its record then lists the parameters of
    those files (and the ones asked for under ``requested_parameters``), which are what a comparison
    of the folders must show.
    """
    params = dict(manifest["run"].get("parameters") or {})
    for rec in manifest["reports"]:
        if isinstance(rec, dict) and rec.get("files") and isinstance(rec.get("requested_parameters"), dict):
            params.update(rec.get("parameters") or {})
    return params


def _show(value) -> str:
    if value is None:
        return "—"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def parameter_diff(a: dict, b: dict) -> pd.DataFrame:
    """Run parameters that differ (name, value in A, value in B); ``—`` where a run does not set one."""
    rows = [
        {"name": k, "a": _show(a.get(k)), "b": _show(b.get(k))}
        for k in sorted(set(a) | set(b))
        if json.dumps(a.get(k), sort_keys=True, default=str) != json.dumps(b.get(k), sort_keys=True, default=str)
    ]
    return pd.DataFrame(rows, columns=["name", "a", "b"])


def input_diff(a: dict, b: dict) -> pd.DataFrame:
    """Input files whose content hash differs, keyed by path (``—``: the run did not read the file)."""
    rows = []
    for path in sorted(set(a) | set(b)):
        ha, hb = (a.get(path) or {}).get("sha256"), (b.get(path) or {}).get("sha256")
        if ha != hb:
            rows.append({"name": path, "a": ha or "—", "b": hb or "—"})
    return pd.DataFrame(rows, columns=["name", "a", "b"])


def _measures(df: pd.DataFrame) -> pd.DataFrame:
    """One value per (report, measure, town): a measure cited by two findings is one number."""
    return df.drop_duplicates(["report", "measure", "town"]).set_index(["report", "measure", "town"])


def measure_diff(ra: pd.DataFrame, rb: pd.DataFrame) -> pd.DataFrame:
    """Measures whose value changed, or that only one run has; largest relative change first.

    Findings' measures and table cells (``table.<key>…``, one per town or row label) alike.
    """
    a, b = _measures(ra), _measures(rb)
    cols = ["value", "lo", "hi"]
    both = a[cols].merge(b[cols], left_index=True, right_index=True, how="outer", suffixes=("_a", "_b"))
    kinds = b["kind"].combine_first(a["kind"]).reindex(both.index).fillna("")
    out = both.reset_index()
    out["kind"] = kinds.to_numpy()
    va, vb = out["value_a"], out["value_b"]
    same = [
        (pd.isna(x) and pd.isna(y)) or (not pd.isna(x) and not pd.isna(y) and math.isclose(x, y, rel_tol=REL_TOL))
        for x, y in zip(va, vb, strict=True)
    ]
    out = out.loc[[not s for s in same]].copy()  # .loc: an empty mask (two runs without results) keeps the columns
    out["change"] = out["value_b"] - out["value_a"]
    out["relative"] = [
        (c / abs(x)) if not pd.isna(c) and x not in (0, 0.0) else float("nan")
        for c, x in zip(out["change"], out["value_a"], strict=True)
    ]
    out["status"] = [
        "only_a" if pd.isna(y) else "only_b" if pd.isna(x) else "changed"
        for x, y in zip(out["value_a"], out["value_b"], strict=True)
    ]
    # Values both runs have and that changed come first (largest relative change first), then the rest.
    order = out["relative"].abs().fillna(float("inf")).rename("_r")
    out = out.assign(_both=out["status"] == "changed", _r=order, _c=out["change"].abs())
    out = out.sort_values(["_both", "_r", "_c"], ascending=False)
    return out.drop(columns=["_both", "_r", "_c"]).reset_index(drop=True)


def one_sided_reports(ra: pd.DataFrame, rb: pd.DataFrame) -> pd.DataFrame:
    """Reports whose results only one run holds: report, status (only_a / only_b), measures, findings.

    The policy page summarises each in one line instead of listing its rows as changes.
    """
    rows = []
    for status, mine, other in (("only_a", ra, rb), ("only_b", rb, ra)):
        for report in sorted(set(mine["report"]) - set(other["report"])):
            part = mine[mine["report"] == report]
            findings = part[part["source"] != "table"] if "source" in part.columns else part
            rows.append(
                {
                    "report": report,
                    "status": status,
                    "measures": int(part[["measure", "town"]].drop_duplicates().shape[0]),
                    "findings": int(findings["finding"].replace("", pd.NA).dropna().nunique()),
                }
            )
    return pd.DataFrame(rows, columns=["report", "status", "measures", "findings"])


def _finding_keys(df: pd.DataFrame) -> pd.DataFrame:
    """One row per finding: (report, finding, the measures it cites) -> grade, in key box or not.

    Table rows (``source`` = ``table``) belong to no finding and are left out.
    """
    df = df[df["source"] != "table"] if "source" in df.columns else df
    if df.empty:
        return pd.DataFrame(columns=["report", "finding", "measures", "grade", "key_finding"])
    g = df.groupby(["report", "finding", "town"], sort=False, dropna=False)
    rows = []
    for (report, finding, _town), part in g:
        # A finding id that appears several times (one per rule, say) is told apart by what it cites.
        for measures, sub in part.groupby(part["measure"].map(_stem), sort=False):
            rows.append(
                {
                    "report": report,
                    "finding": finding,
                    "measures": measures,
                    "grade": sub["grade"].iloc[0],
                    "key_finding": bool(sub["key_finding"].iloc[0]),
                }
            )
    return pd.DataFrame(rows).drop_duplicates(["report", "finding", "measures"])


def _stem(measure: str) -> str:
    """A measure without its last field (``scenarios.rule_top.need_weighted.amount`` -> ``...need_weighted``)."""
    return re.sub(r"\.[^.\]]+$", "", str(measure).strip("|-")) or str(measure)


def finding_diff(ra: pd.DataFrame, rb: pd.DataFrame) -> pd.DataFrame:
    """Findings that appeared in B, disappeared from A, or changed grade."""
    a, b = _finding_keys(ra), _finding_keys(rb)
    both = a.merge(b, on=["report", "finding", "measures"], how="outer", suffixes=("_a", "_b"), indicator=True)
    both["status"] = both["_merge"].map({"left_only": "disappeared", "right_only": "appeared", "both": "regraded"})
    keep = (both["status"] != "regraded") | (both["grade_a"].fillna("") != both["grade_b"].fillna(""))
    out = both[keep].drop(columns="_merge")
    # Grade changes (the finding is in both runs) first, then findings that appeared or disappeared.
    out = out.assign(_first=out["status"] == "regraded").sort_values("_first", ascending=False, kind="stable")
    return out[["report", "finding", "measures", "status", "grade_a", "grade_b"]].reset_index(drop=True)


def _fmt(value, kind: str, lang: str, change: bool = False) -> str:
    """A value as the reports write it (units included); a change of a share in percentage points."""
    from shunde_workbook.narrative.findings import fmt_number
    from shunde_workbook.publish.pages import num

    if value is None or pd.isna(value):
        return "—"
    kind = "pp" if change and kind == "pct" else kind
    try:
        text = fmt_number(float(value), kind, lang)
    except ValueError:
        text = num(value)
    return "+" + text if change and kind != "pp" and float(value) > 0 else text


def compare(a: Path, b: Path) -> dict:
    """All differences between outputs folders ``a`` and ``b`` as DataFrames (no files written)."""
    a, b = Path(a).resolve(), Path(b).resolve()
    ma, mb = _manifest(a), _manifest(b)
    ra, rb = load(a), load(b)
    return {
        "a": a,
        "b": b,
        "manifest_a": ma,
        "manifest_b": mb,
        "parameters": parameter_diff(built_parameters(ma), built_parameters(mb)),
        "inputs": input_diff(ma["run"].get("inputs", {}), mb["run"].get("inputs", {})),
        "measures": measure_diff(ra, rb),
        "findings": finding_diff(ra, rb),
        "one_sided": one_sided_reports(ra, rb),
    }


def write_comparison(a: Path, b: Path) -> dict[str, Path]:
    """Compare ``a`` with ``b`` and write the comparison into ``b/comparisons``; return the files."""
    from shunde_workbook.narrative.text import tr
    from shunde_workbook.publish.pages import render, town_names
    from shunde_workbook.publish.site import caveats, write_index

    diff = compare(a, b)
    lang = diff["manifest_b"]["run"].get("parameters", {}).get("language", "zh")
    folder = diff["b"] / "comparisons"
    folder.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^0-9A-Za-z_\-]+", "-", diff["a"].name).strip("-") or "run"
    files = {}
    for part in ("parameters", "inputs", "measures", "findings"):
        path = folder / f"{stem}__{part}.csv"
        safe_frame(diff[part]).to_csv(path, index=False, encoding="utf-8-sig")  # no live formulas
        files[part] = path
    names = town_names(lang)
    measures = diff["measures"].assign(town=diff["measures"]["town"].map(lambda c: names.get(c, c)))
    label = lambda g: tr(f"evidence.grade.{g}", lang) if isinstance(g, str) and g else "—"  # noqa: E731
    findings = diff["findings"].assign(grade_a=diff["findings"]["grade_a"].map(label))
    findings["grade_b"] = diff["findings"]["grade_b"].map(label)
    one_sided = set(diff["one_sided"]["report"])
    for edition in ("policy", "analyst"):
        path = folder / f"{stem}.{edition}.html"
        # The policy page lists what changed in reports both runs hold; a report only one run has is one line.
        policy = edition == "policy"
        shown_measures = measures[~measures["report"].isin(one_sided)] if policy else measures
        shown_findings = findings[~findings["report"].isin(one_sided)] if policy else findings
        html = render(
            "compare.html.j2",
            lang=lang,
            edition=edition,
            t=lambda key, **kw: tr(key, lang, **kw),
            fmt=lambda v, kind, change=False: _fmt(v, kind, lang, change),
            a=str(diff["a"]),
            b=str(diff["b"]),
            caveats=caveats(diff["manifest_b"]["run"].get("inputs", {}), lang),
            parameters=diff["parameters"].to_dict("records"),
            inputs=diff["inputs"].to_dict("records"),
            measures=shown_measures.to_dict("records"),
            findings=shown_findings.to_dict("records"),
            one_sided=diff["one_sided"].to_dict("records"),
            limit=POLICY_ROWS if edition == "policy" else None,
            stem=stem,
            csvs={k: p.name for k, p in files.items()},
        )
        tmp = path.with_suffix(".tmp")
        tmp.write_text(embed_fonts(html, also=common_characters(lang)), encoding="utf-8")
        os.replace(tmp, path)
        files[edition] = path
    write_index(diff["b"], diff["manifest_b"])
    return files
