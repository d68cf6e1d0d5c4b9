"""The offline what-if allocation explorer of report 05: one HTML block with its data and script inline.

``show(inp, params, res, language)`` displays it in the notebook; the HTML export keeps it, so both
editions carry it and it works from a file opened from disk (no server, kernel, network or CDN).
Why a hand-written script rather than Vega-Lite: ``docs/explorer.md``.

    from shunde_workbook.report import explorer
    explorer.show(inp, params, studies.scenarios(inp, need_weights, floor_share, allocation_unit), language)
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shunde_workbook.analysis.inputs import Inputs
from shunde_workbook.narrative.text import catalogue, has, programme_label, rule_label, tr
from shunde_workbook.report import explorer_data as xd

ASSETS = Path(__file__).parent / "assets"
RULES = ("equal_per_unit", "per_resident", "need_weighted", "floor_plus_need")
BASELINES = ("historical", *RULES, "report")
DEFAULT_RULE = "floor_plus_need"
ANCHOR = "swx"


@cache
def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def text(lang: str) -> dict[str, str]:
    """Every ``explorer.*`` text of ``lang``, without the prefix (the page's words)."""
    return {k.removeprefix("explorer."): v for k, v in catalogue(lang).items() if k.startswith("explorer.")}


def _column_label(column: str, lang: str) -> str:
    """A further need column's reader label (its own name when the catalogue has none)."""
    key = f"explorer.column.{column}"
    return tr(key, lang) if has(key, lang) else column


def _whole(x: float, digits: int) -> str:
    """``x`` with thousands separators, without decimals when it is whole (5,900 rather than 5,900.0)."""
    return f"{x:,.0f}" if abs(x - round(x)) < 1e-9 else f"{x:,.{digits}f}"


def _num(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _weights(need_weights: dict) -> tuple[float, dict]:
    """Population weight ``p`` (against village units) and the further columns, scaled as the page does."""
    pop = float(need_weights.get("population", 0.0))
    vu = float(need_weights.get("village_units", 0.0))
    base = pop + vu
    p = round(pop / base, 6) if base > 0 else 0.5
    extra = {c: round(float(w) / base, 6) if base > 0 else float(w) for c, w in need_weights.items()}
    return p, {c: w for c, w in extra.items() if c not in ("population", "village_units")}


def _population_input(pops: pd.Series, units: pd.Series) -> list[int]:
    """Starting values of "my own figures": the run's populations, a town without one at the median per 村(社区)."""
    per_unit = float((pops / units).median())
    return [int(round(p if math.isfinite(p) else per_unit * u)) for p, u in zip(pops, units.astype(float), strict=True)]


def _default_params() -> dict:
    """``params/default.yaml`` (what ``shunde-workbook run`` starts from), or {} when it cannot be read."""
    import yaml

    from shunde_workbook.paths import ROOT

    try:
        return yaml.safe_load((ROOT / "params" / "default.yaml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}


def _published(towns: pd.DataFrame, params: dict) -> list | None:
    """The towns table's published figures when the run's populations are something else (else None)."""
    basis = str(towns["pop_basis"].iloc[0]) if "pop_basis" in towns.columns else params.get("population_basis")
    if basis == "best_available" or "pop_figure" not in towns.columns:
        return None
    return [_num(v) for v in pd.to_numeric(towns["pop_figure"], errors="coerce")]


def payload(inp: Inputs, params: dict, language: str) -> dict:
    """The JSON the page reads: inputs of ``studies.scenarios``, intervals, texts and statuses."""
    towns = inp.towns
    weights = dict(params.get("need_weights") or {"population": 0.6, "village_units": 0.4})
    floor = float(params.get("floor_share", 0.3))
    unit = float(params.get("allocation_unit", 0.1))
    programmes, round_to = xd.programme_inputs(inp, unit)
    table = xd.need_table(inp)  # as studies.scenarios: a run may weigh a ledger column too
    extras = xd.need_columns(table, weights)
    p, extra = _weights(weights)
    names = towns["town"] if language == "zh" else towns["name_en"]
    short = towns["short_name"] if "short_name" in towns.columns and language == "zh" else towns["name_en"]
    pops = pd.to_numeric(towns["population"], errors="coerce")
    iv = xd.interval_grid(inp, params)
    iv["historical"] = xd.historical_draws(inp, params, [pr["key"] for pr in programmes])
    return {
        "lang": language,
        "towns": [
            {"code": str(c), "name": str(names[c]), "short": str(short[c]), "name_zh": str(towns.at[c, "town"])}
            for c in towns.index
        ],
        "units": [float(u) for u in towns["village_units"]],
        "population": [_num(v) for v in pops],
        "population_input": _population_input(pops, towns["village_units"]),
        "population_published": _published(towns, params),
        # the run's basis, repeated in the reproduce box when it is not the default parameter set's
        "run_basis": str(params.get("population_basis") or ""),
        "default_basis": str(_default_params().get("population_basis") or ""),
        "pop_grades": [str(g) for g in towns.get("pop_grade", pd.Series("", index=towns.index)).fillna("")],
        "columns": {c: [_num(v) for v in pd.to_numeric(table[c], errors="coerce")] for c in extras},
        "need_columns": [{"key": c, "label": _column_label(c, language)} for c in extras],
        "programmes": [
            {
                "key": pr["key"],
                "label": programme_label(pr["key"], language),
                "plan": pr["plan"],
                "qualifier": pr["qualifier"],
                "past": [float(v) for v in pr["past"]],
            }
            for pr in programmes
        ],
        "round_to": round_to,
        "unit_digits": max(0, -math.floor(math.log10(unit) + 1e-9)) if unit < 1 else 0,
        "defaults": {
            "rule": DEFAULT_RULE,
            "weights": [[k, float(v)] for k, v in weights.items()],
            "population_weight": p,
            "extra": extra,
            "floor_share": floor,
        },
        "intervals": iv,
        "status": {
            "ledger_simulated": "simulated" in str(inp.statuses.get("ledger", "")),
            "boundaries_approximate": inp.statuses.get("boundaries") == "approximate",
        },
        "rule_labels": {r: rule_label(r, language) for r in (*BASELINES[:-1],)}
        | {"report": tr("explorer.baseline_report", language)},
        "population_csv_header": "town_code,town,population,grade,year,source",
        "population_csv_source": "explorer",
        "text": text(language),
    }


def honesty(inp: Inputs, params: dict, language: str) -> list[str]:
    """The caveats of the static report that apply to the explorer too (simulated, approximate, grades)."""
    t = text(language)
    lines = [t["honest_what_if"]]
    if "simulated" in str(inp.statuses.get("ledger", "")):
        lines.append(t["honest_simulated"])
    grades = inp.towns.get("pop_grade", pd.Series("", index=inp.towns.index)).fillna("")
    counts = grades.replace("", t["grade_none"]).value_counts().sort_index()
    lines.append(t["honest_population"].format(grades=", ".join(f"{g}: {n}" for g, n in counts.items())))
    missing = [
        str(inp.towns.at[c, "town" if language == "zh" else "name_en"])
        for c in grades.index[pd.to_numeric(inp.towns["population"], errors="coerce").isna()]
    ]
    if missing:
        lines.append(t["honest_fallback"].format(towns=", ".join(missing)))
    lines.append(t["honest_weights"].format(c=params.get("weight_concentration", 50.0)))
    lines.append(t["honest_evidence"])
    if inp.statuses.get("boundaries") == "approximate":
        lines.append(t["honest_map"])
    return lines


def render(inp: Inputs, params: dict, res: dict, language: str) -> str:
    """The explorer's HTML block (style, markup, data and script), opened at the report's own setting."""
    data = payload(inp, params, language)
    t = data["text"]
    names = {tw["code"]: tw for tw in data["towns"]}
    alloc = res["total"][DEFAULT_RULE]
    digits = data["unit_digits"]
    pops = data["population"]
    rows = [
        {
            "code": code,
            "name": names[code]["name"],
            "value": f"{alloc[code] / 1e4:.{digits}f}",
            "text": f"{alloc[code] / 1e4:,.{digits}f}",
            "population": f"{pops[i]:,.0f}" if pops[i] is not None else "—",
        }
        for i, code in enumerate(data["towns"] and [tw["code"] for tw in data["towns"]])
    ]
    shapes = (
        xd.map_shapes(inp.boundaries, inp.towns) if inp.boundaries is not None else {"viewbox": "0 0 1 1", "towns": []}
    )
    for s in shapes["towns"]:
        s["name"], s["short"] = names[s["code"]]["name"], names[s["code"]]["short"]
    approximate = data["status"]["boundaries_approximate"]
    shapes["caption"] = t["map_approximate"] if approximate else t["map_official"]
    towns = [
        {"code": tw["code"], "name": tw["name"], "population_input": data["population_input"][i]}
        for i, tw in enumerate(data["towns"])
    ]
    total = float(alloc.sum())
    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["j2"]))
    p = data["defaults"]["population_weight"]
    summary = " · ".join(
        [
            data["rule_labels"][DEFAULT_RULE],
            t["summary_weights"].format(p=f"{p:.2f}", v=f"{1 - p:.2f}"),
            t["summary_floor"].format(f=f"{data['defaults']['floor_share'] * 100:.0f}%"),
            t["summary_total"].format(total=_whole(total / 1e4, digits), unit=t["unit"]),
        ]
    )
    return env.get_template("explorer.html.j2").render(
        lang=language,
        t=t,
        css=_asset("explorer.css"),
        engine=_asset("explorer_engine.js"),
        ui=_asset("explorer_ui.js"),
        payload=json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"),
        honesty=honesty(inp, params, language),
        rules=[{"key": r, "label": data["rule_labels"][r]} for r in RULES],
        baselines=[{"key": r, "label": data["rule_labels"][r]} for r in BASELINES],
        default_rule=DEFAULT_RULE,
        p=p,
        v=round(1 - p, 6),
        floor=data["defaults"]["floor_share"],
        extras=[
            {"key": c["key"], "label": c["label"], "default": data["defaults"]["extra"].get(c["key"], 0)}
            for c in data["need_columns"]
        ],
        programmes=[{**pr, "plan_wan": pr["plan"] / 1e4} for pr in data["programmes"]],
        unit_wan=float(params.get("allocation_unit", 0.1)),
        towns=towns,
        published=data["population_published"] is not None,
        initial_rows=rows,
        initial_summary=summary,
        total_value=f"{total / 1e4:.{digits}f}",
        total_text=f"{total / 1e4:,.{digits}f}",
        map=shapes,
    )


def show(inp: Inputs, params: dict, res: dict, language: str) -> None:
    """Display the explorer in the notebook (the exported HTML keeps it)."""
    from IPython.display import HTML, display

    display(HTML(render(inp, params, res, language)))
