"""The explorer's embedded data: the report's own allocations, intervals and draws; an offline page.

The browser tests (``test_explorer_browser.py``) check the page's arithmetic; these check what Python
embeds: that the initial table is ``studies.scenarios``, that the precomputed intervals are the ones the
report's own evidence gives (``evidence.for_params``, bootstrap and all) at the run's setting, that the page
loads nothing from outside, and that it stays small.
"""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest

from shunde_workbook.analysis import evidence, load_inputs, studies
from shunde_workbook.metrics import montecarlo as mc
from shunde_workbook.report import explorer, explorer_data, explorer_links

from helpers import default_params


@pytest.fixture(scope="module")
def run():
    params = default_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inp = load_inputs(params)
        res = studies.scenarios(inp, params["need_weights"], params["floor_share"], params["allocation_unit"])
        page = explorer.render(inp, params, res, "zh")
        ev = evidence.for_params(inp, params)
    data = json.loads(re.search(r'<script type="application/json" id="swx-data">(.*?)</script>', page, re.S)[1])
    return {"params": params, "inp": inp, "res": res, "page": page, "data": data, "ev": ev}


def test_initial_table_is_the_reports_allocation(run):
    cells = dict(re.findall(r'data-town="(\d+)" data-measure="allocation" data-value="([\d.]+)"', run["page"]))
    want = run["res"]["total"]["floor_plus_need"]
    assert cells == {str(t): f"{v / 1e4:.1f}" for t, v in want.items()}
    assert len(cells) == len(run["inp"].towns) == 10


def test_need_intervals_at_the_run_setting_are_the_reports_own(run):
    """Grid point 0.6 (the default weights) against the full evidence of the run (with its grant bootstrap)."""
    d, ev = run["data"]["intervals"], run["ev"]
    k = d["grid"].index(0.6)
    total = run["res"]["plan_total"]
    iv = ev.interval("alloc_need_weighted")
    np.testing.assert_allclose(np.array(d["need_lo"][k]) * total, iv["lo"], rtol=1e-5)
    np.testing.assert_allclose(np.array(d["need_hi"][k]) * total, iv["hi"], rtol=1e-5)
    # the floor rule: an increasing affine map of the need share, so its interval follows exactly
    f, n = run["params"]["floor_share"], len(run["inp"].towns)
    fl = ev.interval("alloc_floor_plus_need")
    np.testing.assert_allclose((f / n + (1 - f) * np.array(d["need_lo"][k])) * total, fl["lo"], rtol=1e-5)
    res = ev.interval("alloc_per_resident")
    np.testing.assert_allclose(np.array(d["resident_hi"]) * total, res["hi"], rtol=1e-5)


def test_historical_draws_give_the_reports_interval(run):
    d, ev = run["data"], run["ev"]
    share = np.array(d["intervals"]["historical"], dtype=float) / 1e6  # (D, P, T)
    plans = np.array([p["plan"] for p in d["programmes"]])
    alloc = np.einsum("p,dpt->dt", plans, share)
    lo, hi = mc.interval(alloc, 0.9)
    iv = ev.interval("alloc_historical")
    np.testing.assert_allclose(lo, iv["lo"], rtol=1e-5)
    np.testing.assert_allclose(hi, iv["hi"], rtol=1e-5)


def test_intervals_move_with_the_weights(run):
    """A check that could fail: the grid is not one interval repeated."""
    lo = np.array(run["data"]["intervals"]["need_lo"])
    assert not np.allclose(lo[0], lo[-1])
    hi = np.array(run["data"]["intervals"]["need_hi"])
    assert (hi >= lo - 1e-12).all()


def test_page_loads_nothing_from_outside_and_is_small(run):
    page = run["page"]
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<script src" not in page and "@import" not in page and "url(" not in page
    assert len(page.encode()) < 500_000  # the report page stays far below 3 MB
    shapes = re.findall(r'<path id="swx-path-\d+" d="([^"]+)"', page)
    assert len(shapes) == 10 and sum(map(len, shapes)) < 20_000


def test_simulated_and_approximate_are_said(run):
    page = run["page"]
    assert "模拟" in page and "近似" in page
    assert run["data"]["status"] == {"ledger_simulated": True, "boundaries_approximate": True}


def test_need_columns_offer_numeric_town_columns_only(run):
    cols = explorer_data.need_columns(run["inp"].towns, run["params"]["need_weights"])
    assert "published_area_km2" in cols
    assert not {"seat_lon", "seat_lat", "town", "name_en", "population", "village_units"} & set(cols)


def test_tool_links_only_for_present_reports():
    links = explorer_links.tool_links({"05_scenarios_2023": "reports/05_scenarios_2023.html"}, "en")
    assert [x["href"] for x in links] == ["reports/05_scenarios_2023.html#swx"]
    assert 'href="05_scenarios_2023.html#swx"' in explorer_links.brief_links_html("zh")


def test_grant_table_embeds_hostile_text_as_data_only(run):
    """Titles and names reach the page only inside the JSON block, with no ``<`` that could end the script."""
    from dataclasses import replace

    from shunde_workbook.report import grant_table

    led = run["inp"].ledger.copy()
    led.loc[led.index[:3], "title"] = "</script><script>alert(1)</script><!--"
    led.loc[led.index[3:6], "recipient_name"] = "<img src=x onerror=alert(1)>"
    page = grant_table.render(replace(run["inp"], ledger=led), "en")
    assert "alert(1)" in page  # the data is there ...
    assert "<script>alert" not in page and "<img" not in page and "<!--" not in page  # ... never as markup
    data = json.loads(re.search(r'<script type="application/json" id="swg-data">(.*?)</script>', page, re.S)[1])
    assert "</script><script>alert(1)</script><!--" in data["dicts"]["title"]
    assert data["rows"] == len(led) and data["any_simulated"]
