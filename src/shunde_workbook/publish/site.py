"""The report site's front page, ``outputs/index.html``, rendered with jinja2.

It works without script: the only one is the embedded font's loader (``report/webfonts.py``), which helps
a browser with no font at all and changes nothing elsewhere.

A reader's landing page: the caveats, a few headline numbers with their evidence grades, "start
here" (the brief and its PDF), the district reports grouped, and the town profiles in the official
order with a clickable town map (inline SVG with links).  Reports present on disk but missing from
the manifest (an earlier run's, after ``--only``) are listed too, marked as from an earlier run.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from shunde_workbook.i18n import LANGUAGES
from shunde_workbook.narrative.provenance import banner_items
from shunde_workbook.narrative.text import has, status_label, town_label, tr
from shunde_workbook.report.explorer_links import tool_links

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
    "status_earlier",
    "inputs",
    "file",
    "provenance",
    "manifest_note",
    "comparisons",
    "headlines",
    "start_here",
    "brief_pdf",
    "district",
    "towns",
    "towns_map",
    "parameters",
)
#: The index page's groups of district reports, in order.  A notebook names its group in its metadata
#: (``shunde_workbook.group``); a new group needs only its title, ``site.group_<name>``, in the catalogue
#: (it follows these).  A report in no group, or in one without a title, is listed under ``other``.
GROUPS = ("data", "money", "fairness")


def district_groups(reports: list[dict], lang: str) -> list[dict]:
    """The district reports (not the brief, not a town profile) by their notebook's index group, in order."""
    by_group: dict[str, list[dict]] = {g: [] for g in GROUPS}
    other = []
    for r in reports:
        if r.get("per_town") or r.get("status") == "earlier" or r["name"].startswith(("00_policy_brief", "06_")):
            continue
        group = str(r.get("group") or "")
        (by_group.setdefault(group, []) if group and has(f"site.group_{group}", lang) else other).append(r)
    by_group["other"] = other
    return [{"label": tr(f"site.group_{g}", lang), "reports": rs} for g, rs in by_group.items() if rs]


def site_text(lang: str) -> dict[str, str]:
    """The index page's words in ``lang``, from the narrative catalogue (``site.*`` keys)."""
    return {k: tr(f"site.{k}", lang) for k in SITE_KEYS}


def manifest_statuses(inputs: dict) -> dict:
    """``{"ledger": status, "boundaries": status}`` from a manifest's ``run.inputs``."""
    statuses = {}
    for info in inputs.values():
        param = str(info.get("parameter") or "")
        if param in ("ledger_path", "boundaries_path"):
            statuses[param.removesuffix("_path")] = str(info["status"])
    return statuses


def caveats(inputs: dict, lang: str) -> list[str]:
    """Plain-language warnings for simulated or approximate inputs (the reports' banner text)."""
    return banner_items(manifest_statuses(inputs), lang)


def _params_text(params: dict, lang: str) -> str:
    from shunde_workbook.narrative.params_text import params_block

    return params_block(params, lang)


def _headlines(outputs: Path) -> list[dict]:
    path = outputs / "tables" / "00_policy_brief__headlines.json"
    try:
        return list(json.loads(path.read_text(encoding="utf-8")).get("findings", []))[:4]
    except (OSError, ValueError, AttributeError):
        return []


def pdf_name(report: str, language: str) -> str:
    """``00_policy_brief.pdf`` in the default language (Chinese), ``00_policy_brief.en.pdf`` in another."""
    return f"{report}.pdf" if language == LANGUAGES[0] else f"{report}.{language}.pdf"


def town_map_svg(outputs: Path, boundaries: str | None, lang: str, present: set[str]) -> str:
    """An inline SVG of the towns, each a link to its profile (when built); "" when it cannot be drawn.

    The outlines are drawn once (:func:`cache_town_shapes`) and kept in ``outputs/.work/site/``; the
    links to the profiles present are added here, so re-rendering the index as profiles finish, or in a
    run where nothing changed, needs no geopandas.
    """
    from html import escape

    shapes = cache_town_shapes(outputs, boundaries, lang)
    if not shapes:
        return ""
    parts = []
    for town in shapes["towns"]:
        shape = f'<path d="{town["d"]}"><title>{escape(town["title"])}</title></path>'
        label = f'<text x="{town["x"]:.1f}" y="{town["y"]:.1f}" text-anchor="middle">{escape(town["name"])}</text>'
        if town["slug"] in present:
            parts.append(f'<a href="reports/06_town_profile-{town["slug"]}.html">{shape}{label}</a>')
        else:
            parts.append(f'<g class="absent">{shape}{label}</g>')
    width, height = shapes["size"]
    return (
        f'<svg class="townmap" viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'role="img" aria-label="{escape(tr("site.towns_map", lang))}">' + "".join(parts) + "</svg>"
    )


def cache_town_shapes(outputs: Path | str, boundaries: str | None, lang: str) -> dict | None:
    """The towns' outlines and labels for the index map, from ``outputs/.work/site/`` or drawn and kept there.

    Keyed by the boundary file's bytes, the language and the package code.  None when they cannot be drawn.
    The runner has its zygote call this before the first index page (``runner.precompute``), so that the
    runner itself never imports geopandas.
    """
    from shunde_workbook.data.cache import code_hash, file_hash
    from shunde_workbook.params import resolve_path

    path = resolve_path(boundaries or "shapefiles/shunde_towns_approx.shp")
    try:
        parts = [file_hash(path), lang, code_hash()]
    except OSError:
        return None
    folder = Path(outputs) / ".work" / "site"
    cached = folder / f"townshapes-{hashlib.sha256('|'.join(parts).encode()).hexdigest()[:24]}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    shapes = _draw_town_shapes(path, lang)
    if shapes:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("townshapes-*.json"):
                old.unlink(missing_ok=True)
            tmp = cached.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(shapes, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, cached)
        except OSError:  # drawn again next time
            pass
    return shapes


def _draw_town_shapes(path: Path, lang: str) -> dict | None:
    from shunde_workbook.geo.names import TOWNS

    try:
        import geopandas as gpd

        gdf = gpd.read_file(path)
    except Exception:  # noqa: BLE001 - the map is a convenience; the list below always links every town
        return None
    if "town_code" not in gdf.columns or gdf.empty:
        return None
    gdf = gdf.to_crs(3857) if gdf.crs is not None and not gdf.crs.is_projected else gdf
    minx, miny, maxx, maxy = gdf.total_bounds
    width, height = 360.0, 360.0 * (maxy - miny) / max(maxx - minx, 1e-9)
    scale = width / max(maxx - minx, 1e-9)

    def ring(coords) -> str:
        pts = [f"{(x - minx) * scale:.1f},{(maxy - y) * scale:.1f}" for x, y, *_ in coords]
        return "M" + " L".join(pts) + " Z"

    by_code = {t.code: t for t in TOWNS}
    towns = []
    for _, row in gdf.iterrows():
        town = by_code.get(str(row["town_code"]))
        geom = row.geometry
        if town is None or geom is None or geom.is_empty:
            continue
        polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        c = geom.representative_point()
        towns.append(
            {
                "slug": profile_slug(town.name_en),
                "d": " ".join(ring(p.exterior.coords) for p in polys),
                "x": (c.x - minx) * scale,
                "y": (maxy - c.y) * scale,
                "name": town_label(town.code, lang, short=True),
                "title": town_label(town.code, lang),
            }
        )
    return {"size": [width, height], "towns": towns}


def profile_slug(name_en: str) -> str:
    """The file-name slug of a town profile (``Jun'an`` → ``junan``)."""
    return name_en.lower().replace("'", "")


def _entries(outputs: Path, manifest: dict, lang: str) -> list[dict]:
    """Every report of the manifest, plus reports present on disk that the manifest no longer lists."""
    reports = []
    listed = set()
    for r in manifest["reports"]:
        files = {k: "reports/" + Path(v).name for k, v in (r.get("files") or {}).items() if k in ("policy", "analyst")}
        listed.add(r["name"])
        reports.append(
            {
                **r,
                "files": files,
                "params_text": _params_text(r.get("parameters", {}), lang) or tr("site.defaults", lang),
            }
        )
    for page in sorted((outputs / "reports").glob("*.html")):
        name = page.name.removesuffix(".html")
        if name.endswith(".analyst") or name in listed:
            continue
        reports.append(
            {
                "name": name,
                "title": _page_title(page) or name,
                "status": "earlier",
                "files": {"policy": f"reports/{page.name}", "analyst": f"reports/{name}.analyst.html"},
                "params_text": "",
                "built_at": _mtime(page),
            }
        )
    return reports


def local_time(stamp: str | None) -> str:
    """An ISO time stamp as the reader's local time, to the minute (``2026-12-07 09:30``); "—" if unknown."""
    from datetime import datetime

    if not stamp:
        return "—"
    try:
        when = datetime.fromisoformat(str(stamp))
    except ValueError:
        return str(stamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%Y-%m-%d %H:%M")


def _page_title(page: Path) -> str:
    """The ``<title>`` of an exported report (read from its first 64 KB)."""
    import html
    import re

    with open(page, encoding="utf-8", errors="replace") as fh:
        head = fh.read(65536)
    m = re.search(r"<title>(.*?)</title>", head, re.S)
    return html.unescape(m.group(1)).strip() if m else ""


def _mtime(page: Path) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(page.stat().st_mtime, tz=UTC).isoformat(timespec="seconds")


def write_index(outputs: Path, manifest: dict) -> Path:
    """Render ``index.html`` from the manifest and the reports on disk (atomically)."""
    from shunde_workbook.geo.names import TOWNS
    from shunde_workbook.report.webfonts import common_characters, embed_fonts

    run_params = manifest["run"]["parameters"]
    lang = run_params.get("language", "zh")
    env = Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates" / "site"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    reports = _entries(outputs, manifest, lang)
    by_name = {r["name"]: r for r in reports}
    groups = district_groups(reports, lang)
    towns = []
    for t in TOWNS:  # official (NBS code) order
        r = by_name.get(f"06_town_profile-{profile_slug(t.name_en)}")
        if r is not None:
            towns.append({**r, "town": town_label(t.code, lang, short=True)})
    present = {r["name"].removeprefix("06_town_profile-") for r in reports}
    pdf = next(
        (f"reports/{n}" for n in (pdf_name("00_policy_brief", lang),) if (outputs / "reports" / n).exists()), None
    )
    inputs = {Path(p).name: info for p, info in manifest["run"]["inputs"].items()}
    grouped = {r["name"] for g in groups for r in g["reports"]} | {"00_policy_brief"}
    others = [r for r in reports if r["name"] not in grouped and not r["name"].startswith("06_town_profile-")]
    for r in reports:
        r["built_local"] = local_time(r.get("built_at"))
    html = env.get_template("index.html.j2").render(
        t=site_text(lang),
        lang=lang,
        html_lang=tr("common.format.html_lang", lang),
        run={**manifest["run"], "inputs": inputs},
        run_params=_params_text(run_params, lang),
        reports=others,  # each report is listed once: the brief, the district groups and the towns above
        generated=local_time(manifest["run"].get("started")),
        other_heading=tr("site.other", lang),
        brief=by_name.get("00_policy_brief"),
        brief_pdf=pdf,
        tools=tool_links({n: r["files"].get("policy", "") for n, r in by_name.items()}, lang),
        groups=groups,
        towns=towns,
        town_map=town_map_svg(outputs, run_params.get("boundaries_path"), lang, present),
        headlines=_headlines(outputs),
        caveats=caveats(manifest["run"]["inputs"], lang),
        status_label=lambda s: status_label(s, lang),
        comparisons=sorted(p.name for p in (outputs / "comparisons").glob("*.policy.html")),  # experiments/compare.py
    )
    path = outputs / "index.html"
    tmp = path.with_suffix(".html.tmp")
    # the index is rewritten by every run, even one where nothing changed: its font subset is kept
    page = embed_fonts(html, also=common_characters(lang), cache=outputs / ".work" / "fonts")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, path)
    return path
