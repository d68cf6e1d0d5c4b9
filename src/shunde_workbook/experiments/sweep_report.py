"""The sweep report: each chosen measure across the parameter sets, as charts and tables.

Writes into the sweep's folder: ``index.html`` (the report), ``sweep_measures.csv`` (tidy:
one row per set, measure and town or table row), ``sweep.json`` (the sets, their folders and
outcomes) and one PNG chart per measure.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from shunde_workbook.report.webfonts import embed_fonts

MEASURE_COLUMNS = ["set", "set_id", "x", "report", "measure", "town", "value", "lo", "hi"]


def param_at(params: dict, dotted: str | None):
    """The value at ``a.b`` in nested parameters (None when absent)."""
    value = params
    for part in (dotted or "").split("."):
        if not part or not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def _label(spec: dict) -> str:
    if "measure" in spec:
        return spec["measure"]
    return f"{spec['table']}[{spec['column']}]"


def _table_rows(folder: Path, spec: dict) -> list[dict]:
    path = folder / "tables" / f"{spec['table']}.csv"
    if not path.exists():
        return []
    df = pd.read_csv(path, encoding="utf-8-sig")
    col = spec["column"]
    name = df.columns[int(col)] if isinstance(col, int) else str(col)
    if name not in df.columns:
        return []
    label_col = df.columns[0]
    return [
        {"report": spec["table"].split("__")[0], "measure": _label(spec), "town": str(r[label_col]), "value": r[name]}
        for _, r in df.iterrows()
    ]


def collect(sweep, plans) -> pd.DataFrame:
    """Tidy rows of every chosen measure in every set (sets that failed contribute what they wrote)."""
    from shunde_workbook.publish.pages import town_names
    from shunde_workbook.results import load

    rows = []
    for p in plans:
        names = town_names(p.merged.get("language", "zh"))
        results = load(p.folder) if (p.folder / "results").is_dir() else pd.DataFrame()
        x = param_at(p.merged, sweep.x)
        for spec in sweep.measures:
            if "measure" in spec:
                if results.empty:
                    continue
                sub = results[results["measure"] == spec["measure"]]
                if spec.get("report"):
                    sub = sub[sub["report"] == spec["report"]]
                found = [
                    {
                        "report": r.report,
                        "measure": r.measure,
                        "town": names.get(r.town, r.town),
                        "value": r.value,
                        "lo": r.lo,
                        "hi": r.hi,
                    }
                    for r in sub.drop_duplicates(["report", "measure", "town"]).itertuples()
                ]
            else:
                found = _table_rows(p.folder, spec)
            rows += [{"set": p.index, "set_id": p.folder.name, "x": x, **f} for f in found]
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def _chart(df: pd.DataFrame, title: str, xlabel: str, path: Path, stamp: str = "") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from shunde_workbook.report.fonts import use_cjk_font

    use_cjk_font()
    numeric = df["x"].map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)).all()
    xcol = "x" if numeric else "set"
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for town, part in df.groupby(df["town"].fillna(""), sort=True):
        part = part.sort_values(xcol)
        ax.plot(part[xcol], part["value"], marker="o", label=town or None)
        if part["lo"].notna().any():
            ax.fill_between(part[xcol], part["lo"], part["hi"], alpha=0.15)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel if numeric else "set")
    ax.grid(alpha=0.3)
    if df["town"].fillna("").ne("").any():
        ax.legend(fontsize=8, ncol=2, loc="best")
    fig.tight_layout()
    if stamp:  # e.g. the simulated-data mark, bottom right
        fig.text(0.99, 0.005, stamp, ha="right", va="bottom", fontsize=8.5, color="#b03a2e", alpha=0.9)
    fig.savefig(path, dpi=110, facecolor="white", bbox_inches="tight")
    plt.close(fig)


def write_sweep_report(sweep, plans, outcomes: dict, wall: float = 0.0) -> Path:
    """Write the sweep report and its data files into ``sweep.outputs``; return the report's path."""
    from shunde_workbook.experiments.measure_names import axis_label, measure_title, rests_on_ledger
    from shunde_workbook.narrative.provenance import is_mixed_simulated, is_simulated
    from shunde_workbook.narrative.text import tr
    from shunde_workbook.publish.pages import render
    from shunde_workbook.publish.site import caveats, manifest_statuses

    out = sweep.outputs
    lang = plans[0].merged.get("language", "zh") if plans else "zh"
    data = collect(sweep, plans)
    data.to_csv(out / "sweep_measures.csv", index=False, encoding="utf-8-sig")
    sets = [
        {
            "index": p.index,
            "id": p.folder.name,
            "parameters": p.params,
            "reports": p.reports,
            "x": param_at(p.merged, sweep.x),
            **{k: v for k, v in outcomes.get(p.index, {"status": "failed"}).items() if k != "log"},
        }
        for p in plans
    ]
    failed_logs = {p.index: outcomes.get(p.index, {}).get("log", []) for p in plans}
    _write(out / "sweep.json", json.dumps({"source": str(sweep.source), "wall_seconds": wall, "sets": sets}, indent=2))
    inputs = {}
    for p in plans:
        try:
            inputs = json.loads((p.folder / "manifest.json").read_text("utf-8"))["run"]["inputs"]
            break
        except (OSError, ValueError, KeyError):
            continue
    statuses = manifest_statuses(inputs)
    simulated = is_simulated(statuses) or is_mixed_simulated(statuses)
    blocks = []
    for i, spec in enumerate(sweep.measures, 1):
        part = data[data["measure"] == _label(spec)]
        if part.empty:
            continue
        png = f"sweep__{i}.png"
        # the reader's name of a results-store measure (its values stay in the store's units)
        title = measure_title(spec["measure"], lang)[0] if "measure" in spec else _label(spec)
        ledger = "measure" not in spec or rests_on_ledger(spec["measure"])
        mark = tr("simulated_stamp", lang) if simulated and ledger else ""
        _chart(part, title, axis_label(sweep.x, lang), out / png, stamp=mark)
        wide = part.pivot_table(index=["set", "set_id"], columns="town", values="value", aggfunc="first")
        wide.columns = [c or "value" for c in wide.columns]
        xs = part.drop_duplicates("set").set_index("set")["x"]
        wide.insert(0, sweep.x or "x", [xs.get(s) for s, _ in wide.index])
        blocks.append({"label": _label(spec), "png": png, "table": wide.reset_index(level=1, drop=True).reset_index()})
    html = render(
        "sweep.html.j2",
        lang=lang,
        t=lambda key, **kw: tr(key, lang, **kw),
        sweep=sweep,
        sets=sets,
        blocks=blocks,
        caveats=caveats(inputs, lang),
        logs=failed_logs,
        reports=max((p.reports for p in plans), default=0),
        base=sweep.base.name,
        wall=wall,
    )
    return _write(out / "index.html", embed_fonts(html))


def _write(path: Path, text: str) -> Path:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return path
