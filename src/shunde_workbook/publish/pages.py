"""Shared pieces of the comparison and sweep pages: jinja2 rendering, number formats, town names."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shunde_workbook.narrative.text import town_label, tr
from shunde_workbook.paths import REFERENCE

TEMPLATES = Path(__file__).parent / "templates" / "scale"


def num(value, digits: int = 4) -> str:
    """A number for a table cell: thousands separators, ``digits`` significant decimals, ``—`` when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{int(value):,}"
    v = float(value)
    if v != 0 and abs(v) < 1:
        return f"{v:,.{digits}f}"
    return f"{v:,.{max(0, digits - len(str(int(abs(v)))))}f}" if abs(v) < 1e4 else f"{v:,.0f}"


def pct(value) -> str:
    """A relative change as a signed percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value * 100:+,.1f}%"


def render(template: str, **context) -> str:
    """Render a template of ``templates/scale`` with autoescaping and the number filters."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters.update(num=num, pct=pct)
    context.setdefault("html_lang", tr("common.format.html_lang", context.get("lang", "zh")))
    return env.get_template(template).render(**context)


def town_names(lang: str, towns_csv: Path = REFERENCE / "towns.csv") -> dict[str, str]:
    """{town code: name in ``lang``} from the reference table (empty when it cannot be read)."""
    try:
        with open(towns_csv, encoding="utf-8-sig", newline="") as fh:
            return {r["town_code"]: town_label(r["town"], lang) for r in csv.DictReader(fh)}
    except (OSError, KeyError):
        return {}
