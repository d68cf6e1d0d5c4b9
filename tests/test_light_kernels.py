"""Kernels start light: a report loads the libraries it uses, and the warm-up loads only what every report uses."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import numpy as np
import pytest

from shunde_workbook.runner import kernels
from shunde_workbook.runner.runner import run

from helpers import ROOT, TOWN

#: Libraries that cost a kernel most of its import time and that only some reports need.
OPTIONAL = ("seaborn", "scipy", "mapclassify", "sklearn")

PROBE = """\
import json as _json, pathlib as _pathlib, sys as _sys
_out = _pathlib.Path(output_dir) / "tables"
_out.mkdir(parents=True, exist_ok=True)
(_out / f"{report_name}__modules.json").write_text(_json.dumps(sorted(_sys.modules)), encoding="utf-8")
"""


def _third_party(modules) -> set[str]:
    roots = {m.split(".")[0] for m in modules}
    return {m for m in roots if m not in sys.stdlib_module_names and not m.startswith("_")} - {"shunde_workbook"}


def _warm_up_modules() -> set[str]:
    """Third-party top-level packages loaded by the warm-up cell's imports alone, in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "before = set(sys.modules)\n"
        f"for m in {kernels.WARM_IMPORTS!r}: __import__(m)\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return _third_party(json.loads(out.stdout))


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> dict[str, set[str]]:
    """The modules in each report's kernel after its last cell, built by the runner (warm kernels, one worker)."""
    tmp = tmp_path_factory.mktemp("light")
    nbdir = tmp / "nbs"
    nbdir.mkdir()
    names = ("00_policy_brief", "01_data_audit", "03_town_distribution", "04_fairness_need", "06_town_profile")
    for name in names:
        nb = nbformat.read(str(ROOT / "notebooks" / f"{name}.ipynb"), as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(PROBE))
        nbformat.write(nb, str(nbdir / f"{name}.ipynb"))
    out = tmp / "out"
    assert run(notebooks_dir=nbdir, outputs=out, overrides=[f"town={TOWN}"], jobs=1, force=True) == 0
    found = {}
    for path in (out / "tables").glob("*__modules.json"):
        found[path.name.split("__")[0].split("-")[0]] = set(json.loads(path.read_text(encoding="utf-8")))
    assert sorted(found) == sorted(names)
    return found


@pytest.mark.slow
def test_reports_load_the_optional_libraries_only_when_they_draw_with_them(loaded):
    # the data audit draws no chart and no map
    assert not {m for m in loaded["01_data_audit"] if m.split(".")[0] in OPTIONAL}
    # the fairness report draws its charts with matplotlib alone, and no map
    assert not {m for m in loaded["04_fairness_need"] if m.split(".")[0] in OPTIONAL}
    # the town profile draws its bars with matplotlib alone, and a locator map with fixed classes
    assert not {m for m in loaded["06_town_profile"] if m.split(".")[0] in OPTIONAL}
    # the town distribution report draws seaborn charts and quantile maps (numpy alone): the probe sees seaborn
    assert {"seaborn", "scipy.stats"} <= loaded["03_town_distribution"]
    assert not {m for m in loaded["03_town_distribution"] if m.split(".")[0] in ("mapclassify", "sklearn")}
    # the brief's quantile map needs none of them
    assert not {m for m in loaded["00_policy_brief"] if m.split(".")[0] in ("mapclassify", "sklearn")}


@pytest.mark.slow
def test_the_warm_up_loads_what_every_report_loads_and_nothing_else(loaded):
    warm = _warm_up_modules()
    assert {"numpy", "pandas", "geopandas", "matplotlib"} <= warm
    every = set.intersection(*(_third_party(mods) for mods in loaded.values()))
    assert warm - every == set(), "the warm-up loads libraries some reports never use"
    # what every report loads and the warm-up does not: each of these costs every report on its critical path
    assert every - warm - _third_party(_kernel_baseline()) == set()


def _kernel_baseline() -> set[str]:
    """Modules an idle kernel has loaded before any cell runs."""
    from jupyter_client import BlockingKernelClient

    from shunde_workbook.runner.execute import kernel_name

    sockets = Path(__import__("tempfile").mkdtemp(prefix="swk-test-"))
    km = kernels.launch(kernel_name(), str(sockets))
    kc = BlockingKernelClient()
    kc.load_connection_info(km.get_connection_info())
    kc.start_channels(hb=False)
    try:
        kc.wait_for_ready(timeout=120)
        code = "import sys, json; print(json.dumps(sorted(sys.modules)))"
        lines = []
        kc.execute_interactive(code, output_hook=lambda m: lines.append(m["content"].get("text", "")), timeout=60)
        return set(json.loads("".join(lines)))
    finally:
        kc.stop_channels()
        kernels.stop(km, str(sockets))


def test_the_warm_up_leaves_the_optional_libraries_out():
    assert not _warm_up_modules() & set(OPTIONAL)


def test_fixed_classes_are_mapclassifys_user_defined_classes():
    import mapclassify

    from shunde_workbook.report.maps import user_defined

    rng = np.random.default_rng(7)
    cases = [(np.array([0.0, 1.0, 0.0, 0.0]), [0.5, 1]), (np.array([0.0, 0.5, 1.0]), [0.5, 1])]
    cases += [(rng.normal(50, 30, 40).round(1), sorted(rng.uniform(0, 100, 3).round(1))) for _ in range(20)]
    cases += [(rng.integers(0, 10, 30).astype(float), [2, 2, 5])]  # ties on the bounds, a repeated bound
    for y, breaks in cases:
        ref = mapclassify.UserDefined(y, bins=sorted(float(b) for b in breaks))
        yb, bins = user_defined(y, breaks)
        np.testing.assert_array_equal(yb, ref.yb)
        np.testing.assert_array_equal(bins, np.asarray(ref.bins, float))


def test_quantile_classes_are_mapclassifys_quantiles():
    import mapclassify

    from shunde_workbook.report.maps import quantiles

    rng = np.random.default_rng(11)
    cases = [rng.normal(50, 30, n).round(r) for n in (2, 3, 5, 10, 11, 40, 205) for r in (0, 1, 3)]
    cases += [rng.integers(0, 4, 30).astype(float), rng.lognormal(3, 1, 97), np.arange(10.0), np.array([1.0, 2.0])]
    cases += [rng.uniform(0, 1e7, 10) for _ in range(10)]
    for y in cases:
        for k in range(2, 9):
            k_used = min(k, len(np.unique(y)))
            if k_used < 2:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                ref = mapclassify.classify(y, "quantiles", k=k_used)
            yb, bins = quantiles(y, k_used)
            np.testing.assert_array_equal(bins, np.asarray(ref.bins, float))  # exactly, not approximately
            np.testing.assert_array_equal(yb, ref.yb)


HOUSE_STYLE = """\
import json, sys
import matplotlib as mpl
mpl.use("Agg")
def state():
    rc = {k: repr(v) for k, v in mpl.rcParams.items() if k != "image.cmap"}
    codes = {c: mpl.colors.to_rgb(c) for c in "bgrmyck"}
    return rc, codes
mpl.rcParams.update({"axes.grid": False, "font.size": 3, "text.color": "red", "patch.edgecolor": "blue"})
from shunde_workbook.report.charts import style
style()
ours, seaborn_free = state(), "seaborn" not in sys.modules
import seaborn as sns
mpl.rcParams.update({"axes.grid": False, "font.size": 3, "text.color": "red", "patch.edgecolor": "blue"})
sns.set_theme(style="whitegrid", context="notebook")
from shunde_workbook.report.fonts import use_cjk_font
use_cjk_font()
mpl.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150})
print(json.dumps({"same": ours == state(), "seaborn_free": seaborn_free,
                  "diff": sorted(k for k in ours[0] if ours[0][k] != state()[0].get(k))}))
"""


def test_the_house_style_is_seaborns_whitegrid_theme_without_seaborn():
    out = subprocess.run([sys.executable, "-c", HOUSE_STYLE], capture_output=True, text=True, cwd=ROOT, check=True)
    got = json.loads(out.stdout)
    assert got["seaborn_free"], "style() imported seaborn"
    assert got["diff"] == [] and got["same"], f"settings that differ from seaborn's theme: {got['diff']}"
