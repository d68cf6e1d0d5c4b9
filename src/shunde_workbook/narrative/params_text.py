"""Run parameters as a reader reads them: a short block in the report's language.

``年份 2017–2022 · 两项计划 · 金额单位 万元 · 需求指数权重 常住人口 60%、村(社区)数 40%``.  Technical
parameter names (``population_basis: best_available``) appear only in the analyst edition
(:func:`technical_text`); the policy edition and the index show :func:`params_block`.
"""

from __future__ import annotations

from pathlib import Path

from shunde_workbook.narrative.labels import weights_text
from shunde_workbook.narrative.text import (
    field_label,
    has,
    join_names,
    pct,
    programme_label,
    town_label,
    tr,
    unit_label,
)

PROGRAMME_COUNT = 2  # both programmes selected reads "两项计划 / both programmes"
HIDDEN = ("project_root", "output_dir", "report_name")


def params_items(params: dict, lang: str) -> list[str]:
    """The parameters a reader needs, each as a short phrase in ``lang`` (no technical names)."""
    items = []
    start, end = params.get("year_start"), params.get("year_end")
    if start is not None and end is not None:
        items.append(tr("params.years", lang, start=start, end=end) if start != end else tr("params.year", lang, y=end))
    progs = list(params.get("programmes") or [])
    if progs:
        items.append(
            tr("params.programmes_all", lang)
            if len(progs) >= PROGRAMME_COUNT
            else tr("params.programmes", lang, names=join_names([programme_label(p, lang) for p in progs], lang))
        )
    if "fields" in params:
        fields = list(params.get("fields") or [])
        items.append(
            tr("params.fields", lang, names=join_names([field_label(f, lang) for f in fields], lang))
            if fields
            else tr("params.fields_all", lang)
        )
    if params.get("amount_unit") in ("元", "万元"):
        items.append(tr("params.unit", lang, unit=unit_label(params["amount_unit"], lang)))
    basis = params.get("population_basis")
    if basis and has(f"params.population.{basis}", lang):
        items.append(tr(f"params.population.{basis}", lang))
    weights = params.get("need_weights")
    if isinstance(weights, dict) and weights and sum(float(w) for w in weights.values()) > 0:
        total = sum(float(w) for w in weights.values())
        items.append(tr("params.weights", lang, weights=weights_text({k: v / total for k, v in weights.items()}, lang)))
    scheme = params.get("scheme")
    if scheme and has(f"names.scheme.{scheme}", lang):
        items.append(tr("params.map", lang, scheme=tr(f"names.scheme.{scheme}", lang), k=params.get("k", "")))
    if params.get("floor_share") is not None:
        items.append(tr("params.floor", lang, pct=pct(params["floor_share"])))
    if params.get("top_n") is not None:
        items.append(tr("params.top_n", lang, n=params["top_n"]))
    if params.get("town"):
        items.append(tr("params.town", lang, town=town_label(params["town"], lang, short=True)))
    return items


def params_block(params: dict, lang: str) -> str:
    """All of :func:`params_items` on one line, joined by " · "."""
    return " · ".join(params_items(params, lang))


def technical_text(params: dict) -> str:
    """``name: value`` pairs for the analyst edition; paths shortened to their file name."""
    return " · ".join(f"{k}: {param_value(k, v)}" for k, v in params.items() if k not in HIDDEN)


def param_value(name: str, value) -> str:
    """A parameter value without Python syntax; a path as its file name only (never an absolute path)."""
    if name.endswith("_path"):
        return Path(str(value)).name
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) if value else "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)
