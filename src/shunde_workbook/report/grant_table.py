"""A searchable grant table (GrantNav-style) for report 01, working offline in the exported HTML.

Filters by town, 村(社区), programme, year, field and organisation, a text search, sorting by any column,
totals of the filtered rows and a CSV download of them, all in the page (``assets/grant_table.js``).

Up to :data:`EMBED_MAX_ROWS` ledger rows are embedded one by one (columns dictionary-encoded, about 60
bytes a row).  A larger ledger (the 100× benchmark has 206,700 rows) is embedded as aggregates by year ×
programme × field × town × 村(社区) (count and amount), and the page says so and names the ledger file that
holds every row.  On a simulated ledger every row carries the "simulated" mark, in the page and the CSV.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from jinja2 import Environment, FileSystemLoader, select_autoescape

from shunde_workbook.analysis.inputs import Inputs
from shunde_workbook.narrative.text import catalogue, field_label, programme_label, town_labels

ASSETS = Path(__file__).parent / "assets"
#: Above this many rows the page embeds aggregates instead of rows (keeps the page under 3 MB).
EMBED_MAX_ROWS = 25_000
KEYS = ("year", "programme", "field", "town", "village", "org", "title")


def text(lang: str) -> dict[str, str]:
    """Every ``grant_table.*`` text of ``lang`` without the prefix."""
    return {k.removeprefix("grant_table."): v for k, v in catalogue(lang).items() if k.startswith("grant_table.")}


def _codes(values: pd.Series) -> tuple[list[int], list[str]]:
    codes, uniques = pd.factorize(values.fillna("").astype(str), sort=True)
    return codes.tolist(), [str(u) for u in uniques]


def _labelled(values: pd.Series, label) -> pd.Series:
    """``values.map(label)``, with ``label`` called once per distinct value."""
    distinct = values.unique()
    return values.map(dict(zip(distinct, map(label, distinct), strict=True)))


def table_data(inp: Inputs, language: str, max_rows: int = EMBED_MAX_ROWS) -> dict:
    """The page's data: dictionary-encoded columns of rows (or aggregates), labels and the simulated marks."""
    led = inp.ledger
    town_names = town_labels(inp.towns["town"], language)
    villages = inp.villages.set_index("code")["name"] if "code" in inp.villages.columns else pd.Series(dtype=str)
    frame = pd.DataFrame(
        {
            "year": led["year"].astype(int),
            "programme": _labelled(led["programme"], lambda p: programme_label(str(p), language)),
            "field": _labelled(led["field"].fillna(""), lambda f: field_label(str(f), language) if f else ""),
            "town": led["town_code"].astype(str).map(town_names).fillna(led["town_code"].astype(str)),
            "village": led["village_code"].fillna("").astype(str).map(villages).fillna(""),
            "org": led["recipient_name"].fillna("").astype(str) if "recipient_name" in led else "",
            "title": led["title"].fillna("").astype(str) if "title" in led else "",
            "amount": led["amount"].astype(float),
            "simulated": led["provenance"].astype(str).eq("simulated")
            if "provenance" in led
            else pd.Series(False, index=led.index),
        }
    )
    aggregated = len(frame) > max_rows
    if aggregated:
        by = ["year", "programme", "field", "town", "village", "simulated"]
        frame = frame.groupby(by, sort=True).agg(amount=("amount", "sum"), grants=("amount", "size")).reset_index()
        frame["org"] = ""
        frame["title"] = ""
    else:
        frame["grants"] = 1
    cols, dicts = {}, {}
    for key in KEYS:
        cols[key], dicts[key] = _codes(frame[key].astype(str)) if key != "year" else (frame[key].tolist(), None)
    cols["amount"] = [round(float(a), 2) for a in frame["amount"]]
    cols["grants"] = frame["grants"].astype(int).tolist()
    cols["simulated"] = frame["simulated"].astype(int).tolist()
    return {
        "lang": language,
        "columns": cols,
        "dicts": {k: v for k, v in dicts.items() if v is not None},
        "aggregated": aggregated,
        "ledger_rows": int(len(led)),
        "rows": int(len(frame)),
        "ledger_file": Path(str(inp.params.get("ledger_path", ""))).name,
        "any_simulated": bool(frame["simulated"].any()),
        "text": text(language),
    }


def render(inp: Inputs, language: str, max_rows: int = EMBED_MAX_ROWS) -> str:
    """The grant table's HTML block (style, markup, data, script)."""
    data = table_data(inp, language, max_rows)
    t = data["text"]
    note = (
        t["aggregated_note"].format(
            rows=f"{data['ledger_rows']:,}", groups=f"{data['rows']:,}", file=data["ledger_file"]
        )
        if data["aggregated"]
        else t["rows_note"].format(rows=f"{data['rows']:,}")
    )
    env = Environment(loader=FileSystemLoader(ASSETS), autoescape=select_autoescape(["j2"]))
    return env.get_template("grant_table.html.j2").render(
        lang=language,
        t=t,
        note=note,
        data=data,
        css=(ASSETS / "grant_table.css").read_text(encoding="utf-8"),
        script=(ASSETS / "grant_table.js").read_text(encoding="utf-8"),
        payload=json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c"),
    )


def show(inp: Inputs, language: str) -> None:
    """Display the grant table in the notebook (the exported HTML keeps it)."""
    from IPython.display import HTML, display

    display(HTML(render(inp, language)))
