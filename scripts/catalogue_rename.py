"""One-off: rename the reports' catalogue keys to ``<area>.<name>`` and split the files by area (issue #19).

Kept in the history so the rename can be re-applied if ``main`` gains keys meanwhile:

    python scripts/catalogue_rename.py map      # print old -> new for every key (TSV)
    python scripts/catalogue_rename.py apply    # rewrite catalogue files and every use in the tree

Re-applying it on a renamed tree is safe: keys already in the new style are kept, and so are the area files'
notes for translators; only keys still in an old style (and their uses) are renamed, and appended to the table.
Its rewrite of the uses is textual: review the diff, and run tests/test_catalogue_layout.py.

The mapping is by rule: a dotted prefix moves under an area (``hedge.x`` -> ``common.hedge.x``), a flat key
is renamed by the table ``FLAT`` or by its leading area word (``audit_title`` -> ``audit.title``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CAT = ROOT / "src" / "shunde_workbook" / "narrative" / "catalogue"

#: Old dotted prefix -> new prefix (the first segment of the new one is the area).
PREFIX = {
    "finding": "findings",
    "unavailable": "findings.unavailable",
    "direction": "findings.direction",
    "hedge": "common.hedge",
    "unit": "common.unit",
    "money": "common.money",
    "qualifier_prefix": "common.qualifier_prefix",
    "format": "common.format",
    "programme": "names.programme",
    "field_name": "names.field",
    "rule": "names.rule",
    "village_type": "names.village_type",
    "status": "names.status",
    "input": "names.input",
    "column": "names.column",
    "metric": "names.metric",
    "scheme": "names.scheme",
    "err": "audit.err",
    "recon_col": "audit.recon_col",
    "recon_status": "audit.recon_status",
    "qualifier": "audit.qualifier",
    "fact_unit": "audit.fact_unit",
    "fact_metric": "audit.fact_metric",
    "period": "audit.period",
    "popsum": "audit.popsum",
    "popcol": "audit.popcol",
    "popnote": "audit.popnote",
    "caveat": "brief.caveat",
    "next": "brief.next",
    "grade": "evidence.grade",
    "confidence": "evidence.confidence",
    "legend": "evidence.legend",
    "flags": "evidence.flags",
    "flag": "evidence.flag",
    "quality": "evidence.quality",
    "setting": "evidence.setting",
    "src": "sources",
    "src_kind": "sources.kind",
    "source": "sources.brief",
    "chart": "charts",
    "evidence_chart": "charts.evidence",
    "pblock": "params",
    "measures_sweep": "sweep.measures_only",
    # already an area: explorer, grant_table, site, compare, sweep, starter
}

#: Flat keys (and the few dotted keys that move alone) -> new key.
FLAT = {
    # common: banners, run meta, separators, the words every report shares
    "banner_heading": "common.banner.heading",
    "banner_simulated": "common.banner.simulated",
    "banner_approximate": "common.banner.approximate",
    "banner_mixed": "common.banner.mixed",
    "banner_partial": "common.banner.partial",
    "mix_detail": "common.mix.detail",
    "mix_where_item": "common.mix.where_item",
    "mix_where_all": "common.mix.where_all",
    "run_date": "common.run_date",
    "data_date": "common.data_date",
    "data_date_plan": "common.data_date_plan",
    "unknown": "common.unknown",
    "parameters": "common.parameters",
    "contents": "common.contents",
    "key_findings": "common.key_findings",
    "figure": "common.figure",
    "source": "common.source",
    "methods_title": "common.methods_title",
    "simulated_stamp": "common.simulated_stamp",
    "no_data": "common.no_data",
    "interval": "common.interval",
    "weight_item": "common.weight_item",
    "list_sep": "common.sep.list",
    "name_sep": "common.sep.name",
    "open": "common.sep.open",
    "close": "common.sep.close",
    "pages.zoom": "common.zoom",
    "pages.zoom_close": "common.zoom_close",
    "pages.cite_heading": "common.cite.heading",
    "pages.cite_plain": "common.cite.plain",
    "pages.cite_copy": "common.cite.copy",
    "pages.cite_meta": "common.cite.meta",
    "pages.cite_plain_text": "common.cite.plain_text",
    # columns: table headings shared by several reports
    **{
        k: f"columns.{k}"
        for k in (
            "year programme field town amount grants mean_grant median_grant growth share amount_share pop_share "
            "unit_share per_resident per_unit population pop_grade village_units villages_funded coverage rank "
            "rank_amount rank_per_resident recipient"
        ).split()
    },
    **{
        f"{k}_col": f"columns.{k}"
        for k in (
            "metric value quality need target actual distance boundaries input file status town_code pop_year "
            "pop_source code name type interval_lo interval_hi"
        ).split()
    },
    # report areas
    "undated": "audit.undated",
    "not_census": "audit.not_census",
    "predecessor": "audit.predecessor",
    "quality_population": "fairness.quality_population",
    "quality_villages": "fairness.quality_villages",
    "quality_villages_left_out": "fairness.quality_villages_left_out",
    "need_missing": "fairness.need_missing",
    "plan_part": "scenarios.plan_part",
    "plan_join": "scenarios.plan_join",
    "pages.plan_total_note": "scenarios.plan_total_note",
    "q_brief_simulated": "brief.question_simulated",
    "q_brief_mixed": "brief.question_mixed",
    "sources_compact": "brief.sources_compact",
    "sources_full_link": "brief.sources_full_link",
    "caveats.title": "brief.caveats_title",
    "figures.not_key": "brief.figures_not_key",
    "tornado_population": "brief.tornado.population",
    "tornado_grants": "brief.tornado.grants",
    "tornado_weights": "brief.tornado.weights",
    "tornado_seeds": "brief.tornado.seeds",
    "tornado_metric": "brief.tornado.metric",
    "technical_parameters": "params.technical",
    "grades_note": "evidence.grades_note",
    "key_findings_none": "evidence.key_findings_none",
    "cannot_tell": "evidence.cannot_tell",
    "cannot_tell_intro": "evidence.cannot_tell_intro",
    "source_ledger": "sources.note.ledger",
    "source_ledger_simulated": "sources.note.ledger_simulated",
    "source_ledger_mixed": "sources.note.ledger_mixed",
    "source_ledger_status": "sources.note.ledger_status",
    "source_boundaries_approx": "sources.note.boundaries_approx",
    "src_weak": "sources.weak",
    "map.approx_caption": "charts.map_approx_caption",
    "map_scheme_note": "charts.map_scheme_note",
    "index.title_for_town": "site.title_for_town",
    "pages.site_other": "site.other",
    "pages.compare_one_sided": "compare.one_sided",
    "pages.compare_one_sided_line": "compare.one_sided_line",
    "finding.unavailable": "findings.unavailable.sentence",  # not a leaf where findings.unavailable.* are keys
    # a student's notebook keeps its sentence in its own area (the Finding names it with key=)
    "finding.starter.ratio": "starter.finding.ratio",
}

#: Flat keys named ``<area>_<name>`` or ``q_<area>`` (the report's question).
AREA_WORDS = ("audit", "overview", "towns", "fairness", "scenarios", "profile", "brief")
#: Areas whose keys already have the right prefix.
KEEP = ("explorer", "grant_table", "site", "compare", "sweep", "starter")


#: The areas of the new style: a key that starts with one of them is already renamed (re-application).
NEW_AREAS = {v.split(".")[0] for v in [*PREFIX.values(), *FLAT.values()]} | set(KEEP) | set(AREA_WORDS)


def new_key(old: str) -> str:
    """The new name of the catalogue key ``old``."""
    if "." in old and old.split(".")[0] in NEW_AREAS and old not in FLAT:
        return old
    if old in FLAT:
        return FLAT[old]
    if old.startswith("q_") and old[2:] in AREA_WORDS:
        return f"{old[2:]}.question"
    for area in AREA_WORDS:
        if old.startswith(area + "_"):
            return f"{area}.{old[len(area) + 1 :]}"
    head, dot, rest = old.partition(".")
    if dot and head in KEEP:
        return old
    if dot and head in PREFIX:
        return f"{PREFIX[head]}.{rest}"
    raise SystemExit(f"no rule for the key {old!r}")


# ------------------------------------------------------------------------------------------- the files
def entries(path: Path) -> list[tuple[str, str, list[str]]]:
    """(key, raw value text, comment lines just above it) of a flat one-line-per-key catalogue file."""
    out, notes, head = [], [], True
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            notes, head = [], False
            continue
        if line.startswith("#"):
            notes.append(line)
            continue
        ((key, value),) = yaml.safe_load(line).items()
        raw = line[line.index(": ", len(str(key)) - 1) + 2 :] if ": " in line else ""
        assert yaml.safe_load(f"x: {raw}")["x"] == value, line
        if head:  # the file's own header is replaced by the area's note
            notes, head = [], False
        out.append((str(key), raw, notes))
        notes = []
    return out


def split(lang: str) -> dict[str, list[str]]:
    """The new area files of ``lang``: {area: lines}."""
    areas: dict[str, list[str]] = {}
    sources = [CAT / f"{lang}.yaml", *sorted(CAT.glob(f"*/{lang}.yaml"))]
    for path in [p for p in sources if p.exists()]:
        for key, raw, notes in entries(path):
            new = new_key(key)
            area = new.split(".")[0]
            areas.setdefault(area, []).extend([*notes, f"{new}: {raw}"])
    return areas


def write_files(langs=("zh", "en")) -> None:
    """Replace the catalogue's files with one file per area and language."""
    new = {lang: split(lang) for lang in langs}
    headers = {}  # an area file's notes for translators survive a re-application
    for path in CAT.glob("*/*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        if path.parent.name in NEW_AREAS and lines and lines[0].startswith(f"# {path.parent.name}:"):
            headers[path.parent.name, path.stem] = "\n".join(lines[: lines.index("") if "" in lines else 0]) + "\n\n"
    for path in [*CAT.glob("*.yaml"), *CAT.glob("*/*.yaml")]:
        path.unlink()
    for d in CAT.iterdir():
        if d.is_dir() and not any(d.iterdir()):
            d.rmdir()
    for lang, areas in new.items():
        for area, lines in areas.items():
            (CAT / area).mkdir(exist_ok=True)
            head = headers.get(
                (area, lang), f"# {area}: reader-facing text ({lang}). Translators' note: see docs/translating.md.\n"
            )
            (CAT / area / f"{lang}.yaml").write_text(head + "\n".join(lines) + "\n", encoding="utf-8")


# ------------------------------------------------------------------------------------------- the uses
#: Files left alone: the validator's catalogue and its users (its keys share prefixes with the reports' keys:
#: format., map., ...), and examples written by hand (the loader's docstring, its own test catalogues).
SKIP = (
    "src/shunde_workbook/data/ledger/",
    "src/shunde_workbook/cli/validate.py",
    "tests/test_data_ledger",
    "src/shunde_workbook/i18n/",
    "tests/test_language_layer.py",
)
#: Files where ``metric.<name>`` is a measure's machine name in the results store, not a catalogue key.
MEASURE_IDS = (
    "src/shunde_workbook/experiments/measures.py",
    "src/shunde_workbook/experiments/measures_page.py",
    "src/shunde_workbook/experiments/measure_names.py",
    "tests/test_measures_sweep.py",
    "docs/sweeps.md",
)
#: A file name is not a key: ``"measures_sweep.html.j2"``, ``"src.xlsx"``.
NOT_A_FILE = r"(?!(?:xlsx|xls|csv|html|j2|yaml|json|py|md|png|pdf|parquet|css|js)\b)"
CALL = r"((?:\b(?:tr|has|template|Col|t|_t|tr_)\(|\bkey=)\s*\\?)([\"'])"


def rewrite(text: str, mapping: dict[str, str], path: str) -> str:
    """``text`` with every use of an old key written with its new name."""
    if path.startswith(SKIP):
        return text
    prefixes = {h: p for h, p in PREFIX.items() if not (h == "metric" and path.startswith(MEASURE_IDS))}
    # dotted keys and f-string prefixes: a string literal that starts with "<old prefix>."
    alt = "|".join(sorted(map(re.escape, prefixes), key=len, reverse=True))
    text = re.sub(rf"(?<=[\"'`])({alt})\.{NOT_A_FILE}(?=[\w{{'\u3400-\u9fff])", lambda m: prefixes[m[1]] + ".", text)
    # keys renamed alone: any quoted literal equal to the key (dotted ones) or a call's first argument (flat)
    for old in sorted(mapping, key=len, reverse=True):
        new = mapping[old]
        if old == new or (old.split(".")[0] in PREFIX and old not in FLAT):
            continue
        if "." in old or ("_" in old and not FLAT.get(old, "").startswith("columns.")):
            text = re.sub(rf"(?<=[\"'`]){re.escape(old)}(?=\\?[\"'`])", new, text)
        else:
            text = re.sub(CALL + re.escape(old) + r"(?=\\?\2)", lambda m, new=new: m[1] + m[2] + new, text)
    return text


def apply() -> None:
    """Rename the keys in the catalogue files and in every file that uses them."""
    mapping = {}
    for path in [CAT / "zh.yaml", *sorted(CAT.glob("*/zh.yaml"))]:
        if path.exists():
            mapping.update({k: new_key(k) for k, _, _ in entries(path)})
    news = list(mapping.values())
    twice = {n for n in news if news.count(n) > 1}
    assert not twice, twice
    write_files()
    globs = ["src/**/*.py", "src/**/*.j2", "src/**/*.js", "notebooks/*.ipynb", "tests/**/*.py", "docs/*.md"]
    for pattern in globs:
        for path in ROOT.glob(pattern):
            rel = str(path.relative_to(ROOT))
            if rel.startswith("scripts/"):
                continue
            old = path.read_text(encoding="utf-8")
            new = rewrite(old, mapping, rel)
            if new != old:
                path.write_text(new, encoding="utf-8")
                print("rewrote", rel)
    renamed = {k: v for k, v in mapping.items() if k != v}
    if renamed:  # the table of this application (a re-application on a renamed tree renames nothing)
        with (ROOT / "scripts" / "catalogue_rename.tsv").open("a", encoding="utf-8") as out:
            out.write("".join(f"{k}\t{v}\n" for k, v in renamed.items()))


if __name__ == "__main__":
    if sys.argv[1:] == ["map"]:
        for p in [CAT / "zh.yaml", *sorted(CAT.glob("*/zh.yaml"))]:
            for k, _, _ in entries(p):
                print(f"{k}\t{new_key(k)}")
    elif sys.argv[1:] == ["apply"]:
        apply()
    else:
        raise SystemExit(__doc__)
