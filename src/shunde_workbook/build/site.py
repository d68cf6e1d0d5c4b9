"""The report site's front page, ``outputs/index.html``, rendered with jinja2."""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from shunde_workbook.narrative.provenance import banner_items
from shunde_workbook.narrative.text import status_label, tr

SITE_KEYS = (
    "site_title",
    "caveat_heading",
    "generated",
    "commit",
    "wall",
    "peak",
    "reports",
    "report",
    "editions",
    "status",
    "built",
    "policy",
    "analyst",
    "status_ok",
    "status_cached",
    "status_failed",
    "inputs",
    "file",
    "provenance",
    "manifest_note",
    "comparisons",
)


def site_text(lang: str) -> dict[str, str]:
    """The index page's words in ``lang``, from the narrative catalogue (``site.*`` keys)."""
    return {k: tr(f"site.{k}", lang) for k in SITE_KEYS}


def caveats(inputs: dict, lang: str) -> list[str]:
    """Plain-language warnings for simulated or approximate inputs (the reports' banner text)."""
    statuses = {}
    for info in inputs.values():
        param = str(info.get("parameter") or "")
        if param in ("ledger_path", "boundaries_path"):
            statuses[param.removesuffix("_path")] = str(info["status"])
    return banner_items(statuses, lang)


def _params_text(params: dict, lang: str) -> str:
    from shunde_workbook.report.presenter import format_param

    return " · ".join(f"{k}: {format_param(k, v)}" for k, v in params.items() if not k.endswith("_path"))


def write_index(outputs: Path, manifest: dict) -> Path:
    """Render ``index.html`` from the manifest (atomically)."""
    lang = manifest["run"]["parameters"].get("language", "zh")
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates" / "site"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    reports = []
    for r in manifest["reports"]:
        files = {k: "reports/" + Path(v).name for k, v in (r.get("files") or {}).items() if k in ("policy", "analyst")}
        reports.append(
            {
                **r,
                "files": files,
                "params_text": _params_text(r.get("parameters", {}), lang) or tr("site.defaults", lang),
            }
        )
    html = env.get_template("index.html.j2").render(
        t=site_text(lang),
        lang=lang,
        run=manifest["run"],
        reports=reports,
        caveats=caveats(manifest["run"]["inputs"], lang),
        status_label=lambda s: status_label(s, lang),
        comparisons=sorted(p.name for p in (outputs / "comparisons").glob("*.policy.html")),  # build/compare.py
    )
    path = outputs / "index.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path
