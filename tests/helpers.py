"""Plain helpers shared by the tests (fixtures live in ``conftest.py``)."""

from __future__ import annotations

import html
import re
import string
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import yaml

from shunde_workbook.analysis import studies
from shunde_workbook.analysis.inputs import load_inputs
from shunde_workbook.narrative import statements
from shunde_workbook.paths import PARAMS
from shunde_workbook.runner.runner import RunOptions, run

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
UTM = "EPSG:32649"  # metres, for distances on the Pearl River Delta
TOWN = "440606005"  # 大良街道 / Daliang: the town profile the report-level tests build
DEFAULT_PARAMS = PARAMS / "default.yaml"


def cli(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the ``shunde-workbook`` command as a user would."""
    exe = Path(sys.executable).with_name("shunde-workbook")
    return subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def assert_same_boundaries(a: gpd.GeoDataFrame, b: gpd.GeoDataFrame, metres: float = 1.0, rel: float = 1e-6) -> None:
    """Assert two boundary layers agree within a stated tolerance, not byte for byte.

    Floating-point geometry differs between machines in its last bits, and a
    polygon may gain or lose a vertex that lies on a straight edge.  So the
    check is geometric: the same attributes (numbers to ``rel``), and each
    pair of shapes within ``metres`` of each other (Hausdorff distance, in UTM)
    with areas equal to ``rel``.
    """
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    left, right = pd.DataFrame(a.drop(columns="geometry")), pd.DataFrame(b.drop(columns="geometry"))
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=rel)
    ga, gb = a.to_crs(UTM).geometry.to_numpy(), b.to_crs(UTM).geometry.to_numpy()
    assert np.all(shapely.hausdorff_distance(ga, gb) <= metres)
    np.testing.assert_allclose(shapely.area(ga), shapely.area(gb), rtol=rel)


# ----------------------------------------------------------------- report-level tests


def default_params() -> dict:
    """The default parameter set, as the runner reads it."""
    return yaml.safe_load(DEFAULT_PARAMS.read_text(encoding="utf-8"))


def compute_results(params: dict | None = None) -> tuple[dict, dict, object]:
    """Every study computed in-process, as 00_policy_brief and 06_town_profile do.

    Returns ``(results, profiles, inputs)``: ``results`` is {study: result dict}
    for the district studies and ``profiles`` is {town_code: profile result}.
    """
    p = params or default_params()
    inp = load_inputs(p)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MissingDataWarning for the town without population: expected
        results = {
            "overview": studies.overview(inp),
            "distribution": studies.distribution(inp),
            "fairness": studies.fairness(inp, p["need_weights"], p["top_n"]),
            "scenarios": studies.scenarios(inp, p["need_weights"], p["floor_share"]),
        }
        profiles = {code: studies.profile(inp, code) for code in inp.towns.index}
    return results, profiles, inp


def brief_findings(results: dict, inp) -> list:
    """The findings of 00_policy_brief, in the order the notebook builds them."""
    return (
        statements.overview_findings(results["overview"], inp.statuses)
        + statements.distribution_findings(results["distribution"], inp.towns, inp.statuses)
        + statements.fairness_findings(results["fairness"], inp.towns, inp.statuses)
        + statements.scenario_findings(results["scenarios"], inp.towns, inp.statuses)
    )


def run_reports(outputs: Path, only: list[str], overrides: list[str]) -> Path:
    """Build ``only`` with the runner on the default parameters plus ``overrides``; return ``outputs``.

    The runner takes about 30 s per build on two cores, so callers are session-scoped fixtures.
    """
    opts = RunOptions(params_file=DEFAULT_PARAMS, overrides=overrides, only=only, outputs=outputs, jobs=2, force=True)
    code = run(opts)
    assert code == 0, f"runner failed for {only} with {overrides} (exit {code}); see the captured output"
    return outputs


def town_slug(inp_towns, code: str = TOWN) -> str:
    """The file-name slug of a town profile (``06_town_profile-<slug>.html``)."""
    return inp_towns.loc[code, "name_en"].lower().replace("'", "")


# A number as written: optional sign, digits with optional thousands separators, optional decimals and %.
# It must not continue an ASCII word or number ("v2" is no number; the 10 of "Top-10" is, without a sign;
# the en dash of "2017–2022" is no minus).  Chinese characters may touch a number ("第2名").
NUMBER = re.compile(r"(?<![0-9A-Za-z.])(?:(?<![0-9A-Za-z])[+\-−])?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?")


def numbers_in(text: str) -> list[str]:
    """Every number written in ``text``, as written (e.g. ``['2,007', '12.3%', '+1.5']``)."""
    return [m.group(0).replace("−", "-") for m in NUMBER.finditer(text)]


def reader_text(page: str) -> str:
    """Visible prose of an exported report: no scripts, styles, tags, URLs, code or source citations."""
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r'(?is)<ul class="sw-sources">.*?</ul>', " ", page)  # citations keep their own language
    page = re.sub(r"(?is)<code\b.*?</code>", " ", page)
    # The citation footer: copyable citations (plain text, BibTeX) and the version, commit and run id are codes.
    page = re.sub(
        r'(?is)<textarea\b.*?</textarea>|<p class="sw-cite-meta">.*?</p>|<sup class="sw-flag">[^<]*</sup>', " ", page
    )
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    page = html.unescape(page)
    page = re.sub(r"https?://\S+", " ", page)
    return re.sub(r"\s+", " ", page)


def assert_same_ledger(a: Path, b: Path, yuan: float = 100.0) -> None:
    """Assert two simulated-ledger CSVs agree, comparing amounts within one rounding step, not byte for byte.

    The simulator is byte-identical run to run on one machine (tested separately); across machines its
    log-normal draws may differ in the last bits, which can move an amount by one 100-元 rounding step.
    Every other cell must be identical.
    """
    x = pd.read_csv(a, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    y = pd.read_csv(b, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(x.columns) == list(y.columns) and len(x) == len(y)
    amount = "Amount Awarded"
    text = [c for c in x.columns if c != amount]
    pd.testing.assert_frame_equal(x[text], y[text])
    np.testing.assert_allclose(x[amount].astype(float), y[amount].astype(float), rtol=0, atol=yuan)


def assert_same_keys_and_placeholders(zh: dict[str, str], en: dict[str, str]) -> None:
    """Assert two text catalogues have the same keys and, for each key, the same ``{placeholders}``."""

    def names(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert set(zh) == set(en), f"only zh: {sorted(set(zh) - set(en))}; only en: {sorted(set(en) - set(zh))}"
    # A ``common.format.*`` entry picks which fields of a record a language shows (a town: {name}, {short} or
    # {name_en}), so its placeholders may differ; every other text fills the same ones.
    differ = {
        k: (zh[k], en[k])
        for k in zh
        if names(zh[k]) != names(en[k]) and not k.startswith(("format.", "common.format."))
    }
    assert not differ, f"placeholders differ between zh and en: {differ}"


def latin_only_fontconfig(folder: Path) -> dict[str, str]:
    """Environment for a browser that sees no CJK font: fontconfig limited to matplotlib's DejaVu Sans.

    The folder holds one Latin family (shipped with matplotlib, so it exists on any machine with the
    pinned packages) and nothing with CJK glyphs: Chinese then shows only if the page embeds its font.
    ``empty_fontconfig`` is the harder case, a fontconfig that knows no font at all.
    """
    import shutil as sh

    import matplotlib

    env = empty_fontconfig(folder)
    for ttf in (Path(matplotlib.get_data_path()) / "fonts" / "ttf").glob("DejaVuSans*.ttf"):
        sh.copy(ttf, folder / "fonts" / ttf.name)
    return env


def empty_fontconfig(folder: Path) -> dict[str, str]:
    """Environment for a browser whose fontconfig knows no font at all (an empty font folder)."""
    import os

    fonts = folder / "fonts"
    fonts.mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><dir>{fonts}</dir><cachedir>{folder / 'cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}
