"""The allocation explorer in headless Chromium: the page's numbers are the Python engine's, to the unit.

The explorer block (``report/explorer.py``) is rendered for the default inputs in both languages and opened
from disk (``file://``) with Playwright, every non-file request refused and recorded.  For a table of URL
fragments and for controls moved the way a reader moves them (keyboard and touch), the allocation cells
(``data-town``, ``data-measure="allocation"``, value in 万元) must equal ``studies.scenarios`` for the same
setting, the total must equal the plan exactly, there must be no console error and no network request.
The engine is also compared on random settings (budgets, own populations, extra need columns).  Screenshots
go to ``$SHUNDE_SCREENSHOTS`` when set, else to the test's temporary folder.  Skipped without Chromium.
"""

from __future__ import annotations

import os
import random
import shlex
import shutil
import time
import warnings
from dataclasses import replace
from pathlib import Path
from unittest import mock

import numpy as np
import pytest

from shunde_workbook.analysis import evidence, load_inputs, studies
from shunde_workbook.analysis.inputs import town_table
from shunde_workbook.params import parse_set
from shunde_workbook.report import explorer

from helpers import default_params

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("SHUNDE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip(
        "no Chromium found (apt-get install chromium): the explorer's browser tests are skipped",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PAGE = (
    '<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
    '<meta name="viewport" content="width=device-width, initial-scale=1"><title>explorer</title></head>'
    "<body>{body}</body></html>"
)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    params = default_params()
    inp = load_inputs(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = studies.scenarios(inp, params["need_weights"], params["floor_share"], params["allocation_unit"])
        folder = tmp_path_factory.mktemp("explorer")
        pages = {}
        for lang in ("zh", "en"):
            page = folder / f"05_scenarios_2023_{lang}.html"
            page.write_text(PAGE.format(lang=lang, body=explorer.render(inp, params, res, lang)), "utf-8")
            pages[lang] = page
    # the published figures as they are: the run's own loader on population_basis=best_available
    published = load_inputs({**params, "population_basis": "best_available"})
    return {"params": params, "inp": inp, "pages": pages, "published": published}


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page whose console errors, page errors and non-file requests are recorded."""

    def __init__(self, browser, **context):
        self.context = browser.new_context(**context)
        self.blocked: list[str] = []
        self.errors: list[str] = []

        def route(r):
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, url: str):
        self.page.goto(url)
        self.page.wait_for_selector("#swx[data-ready='1']")
        return self.page

    def close(self):
        self.context.close()
        assert not self.blocked, f"network requests: {self.blocked}"
        assert not self.errors, f"console errors: {self.errors}"


def cells(page) -> dict[str, float]:
    got = page.eval_on_selector_all(
        "[data-measure=allocation]", "els => els.map(e => [e.dataset.town, e.dataset.value])"
    )
    return {t: float(v) for t, v in got}


def python_alloc(inp, weights, floor, rule="floor_plus_need", budgets=None, population=None, show=None):
    """``studies.scenarios`` for one setting (budgets in 元 replace the published plan), 万元 per town."""
    if population is not None:
        inp = replace(inp, towns=inp.towns.assign(population=population))
    plan = studies.planned_funding(studies.PLAN_YEAR)
    if budgets:
        plan = {p: {**v, "amount": float(budgets.get(p, v["amount"]))} for p, v in plan.items()}
    with mock.patch.object(studies, "planned_funding", lambda year: plan), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = studies.scenarios(inp, weights, floor, 0.1)
    table = res["by_programme"][show] if show else res["total"]
    return {str(t): round(v / 1e4, 1) for t, v in table[rule].items()}, sum(
        plan[p]["amount"] for p in res["programmes"]
    )


FRAGMENTS = [
    (
        "rule=floor_plus_need&need_weights.population=1&floor_share=0",
        {"population": 1, "village_units": 0},
        0.0,
        "floor_plus_need",
    ),
    ("need_weights.population=0&floor_share=0.5", {"population": 0, "village_units": 1}, 0.5, "floor_plus_need"),
    (
        "rule=floor_plus_need&need_weights.population=0.6&floor_share=0.2",
        {"population": 0.6, "village_units": 0.4},
        0.2,
        "floor_plus_need",
    ),
    (
        "rule=need_weighted&need_weights.population=0.35&need_weights.village_units=0.65",
        {"population": 0.35, "village_units": 0.65},
        0.3,
        "need_weighted",
    ),
    ("rule=per_resident", {"population": 0.6, "village_units": 0.4}, 0.3, "per_resident"),
    ("rule=per_resident&basis=published", {"population": 0.6, "village_units": 0.4}, 0.3, "per_resident"),
    (
        "rule=floor_plus_need&basis=published&need_weights.population=0.8",
        {"population": 0.8, "village_units": 0.2},
        0.3,
        "floor_plus_need",
    ),
    ("rule=equal_per_unit&floor_share=1", {"population": 0.6, "village_units": 0.4}, 1.0, "equal_per_unit"),
    (
        "rule=floor_plus_need&need_weights.population=0.6&need_weights.village_units=0.4&need_weights.published_area_km2=0.5&floor_share=0.1",
        {"population": 0.6, "village_units": 0.4, "published_area_km2": 0.5},
        0.1,
        "floor_plus_need",
    ),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_fragments_give_the_python_engine_numbers(setup, browser, lang):
    w = Watched(browser)
    for frag, weights, floor, rule in FRAGMENTS:
        page = w.open(setup["pages"][lang].as_uri() + "#" + frag)
        inputs = setup["published"] if "basis=published" in frag else setup["inp"]
        want, plan = python_alloc(inputs, weights, floor, rule)
        got = cells(page)
        assert got == want, (frag, got, want)
        total = float(page.get_attribute("#swx-total", "data-value"))
        assert total == round(plan / 1e4, 1) == round(sum(got.values()), 1)
    w.close()


def test_the_reproduce_command_rebuilds_the_same_numbers(setup, browser):
    w = Watched(browser)
    page = w.open(setup["pages"]["en"].as_uri() + "#rule=floor_plus_need&need_weights.population=1&floor_share=0")
    cmd = page.text_content("#swx-cmd")
    assert cmd == "shunde-workbook run --set 'need_weights={population: 1, village_units: 0}' --set floor_share=0"
    words = shlex.split(cmd)
    sets = parse_set([words[i + 1] for i, x in enumerate(words) if x == "--set"])
    want, _ = python_alloc(setup["inp"], sets["need_weights"], sets["floor_share"])
    assert cells(page) == want
    w.close()


def test_keyboard_moves_the_controls_and_the_url(setup, browser):
    w = Watched(browser)
    page = w.open(setup["pages"]["zh"].as_uri())
    inp = setup["inp"]
    assert cells(page) == python_alloc(inp, {"population": 0.6, "village_units": 0.4}, 0.3)[0]
    page.focus("#swx-p")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # 0.6 -> 0.7 in steps of 0.05
    page.focus("#swx-floor")
    page.keyboard.press("ArrowLeft")  # 0.3 -> 0.25
    assert cells(page) == python_alloc(inp, {"population": 0.7, "village_units": 0.3}, 0.25)[0]
    assert "need_weights.population=0.7" in page.evaluate("location.hash")
    assert "floor_share=0.25" in page.evaluate("location.hash")
    page.focus("input[name=swx-rule][value=floor_plus_need]")
    page.keyboard.press("ArrowUp")  # radio group: the previous rule
    assert page.evaluate("SWExplorer.state().rule") == "need_weighted"
    assert cells(page) == python_alloc(inp, {"population": 0.7, "village_units": 0.3}, 0.25, "need_weighted")[0]
    page.focus("#swx-budget-0")
    page.keyboard.press("Control+a")
    page.keyboard.type("3000")
    page.keyboard.press("Tab")
    prog = setup["inp"].ledger["programme"].unique()
    key = page.evaluate("SWExplorer.data.programmes[0].key")
    assert key in prog
    want, plan = python_alloc(inp, {"population": 0.7, "village_units": 0.3}, 0.25, "need_weighted", {key: 3000e4})
    assert cells(page) == want
    assert float(page.get_attribute("#swx-total", "data-value")) == round(plan / 1e4, 1)
    # the link restores the setting in a fresh page
    frag = page.evaluate("location.hash")
    again = w.open(setup["pages"]["zh"].as_uri() + frag)
    assert cells(again) == want
    w.close()


def test_touch_at_phone_width_and_own_populations(setup, browser, tmp_path):
    w = Watched(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = w.open(setup["pages"]["zh"].as_uri())
    page.tap("input[name=swx-rule][value=per_resident]")
    page.tap("input[name=swx-basis][value=custom]")
    inp = setup["inp"]
    pops = {c: float(page.input_value(f"#swx-pop-{c}")) for c in inp.towns.index}
    assert all(v > 0 for v in pops.values())  # a town without a figure starts at the median per 村(社区)
    first = inp.towns.index[0]
    page.fill(f"#swx-pop-{first}", "300000")
    page.press(f"#swx-pop-{first}", "Enter")
    page.dispatch_event(f"#swx-pop-{first}", "change")
    pops[first] = 300000.0
    want, _ = python_alloc(
        inp,
        {"population": 0.6, "village_units": 0.4},
        0.3,
        "per_resident",
        population=[pops[c] for c in inp.towns.index],
    )
    assert cells(page) == want
    # the reproduce box's population file, read by the workbook's own loader, gives the same numbers
    notes = page.text_content("#swx-repro-notes")
    csv_text = notes[notes.index("town_code,") :].split("\n\n")[0]
    pop_file = tmp_path / "my_population.csv"
    pop_file.write_text(csv_text + "\n", encoding="utf-8")
    mine = town_table(setup["params"]["towns_path"], pop_file, "best_available")  # the basis the box sets
    assert mine["population"].tolist() == [pops[c] for c in inp.towns.index]
    cmd = page.text_content("#swx-cmd")
    assert "--set population_basis=best_available --set population_path=my_population.csv" in cmd
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 391, f"the page is {overflow}px wide at 390px"
    w.close()


def test_engine_equals_python_on_random_settings(setup, browser):
    """The JavaScript engine against ``studies.scenarios`` on settings a reader could reach (and odd ones)."""
    w = Watched(browser)
    page = w.open(setup["pages"]["en"].as_uri())
    inp = setup["inp"]
    rnd = random.Random(7)
    codes = list(inp.towns.index)
    progs = page.evaluate("SWExplorer.data.programmes.map(p => p.key)")
    for k in range(60):
        p = rnd.choice([0, 1, round(rnd.random(), 2), round(rnd.random(), 6)])
        weights = {"population": p, "village_units": round(1 - p, 6)}
        if k % 5 == 0:
            weights["published_area_km2"] = round(rnd.random(), 3)
        floor = rnd.choice([0, 1, round(rnd.random(), 2)])
        budgets = {q: rnd.randint(0, 60_000) * 1000.0 for q in progs} if k % 3 == 0 else None
        pop = None
        if k % 4 == 0:
            pop = [float(rnd.randint(50_000, 700_000)) for _ in codes]
        if k % 7 == 0 and pop is not None:
            pop[rnd.randrange(len(pop))] = float("nan")
        if budgets and sum(budgets.values()) == 0:
            continue
        js = page.evaluate(
            """([w, f, b, pop]) => { const D = SWExplorer.data;
                 const budgets = b || Object.fromEntries(D.programmes.map(p => [p.key, p.plan]));
                 const r = SWEngine.allocate(D, {weights: w, floor_share: f, budgets: budgets,
                                                 population: pop ? pop.map(x => x === null ? NaN : x) : D.population});
                 return r.rules; }""",
            [
                list(map(list, weights.items())),
                floor,
                budgets,
                None if pop is None else [None if np.isnan(x) else x for x in pop],
            ],
        )
        for rule in ("historical", "equal_per_unit", "per_resident", "need_weighted", "floor_plus_need"):
            want, _ = python_alloc(inp, weights, floor, rule, budgets, pop)
            got = {c: round(v / 1e4, 1) for c, v in zip(codes, js[rule], strict=True)}
            assert got == want, (k, rule, weights, floor, budgets, pop)
    w.close()


def test_intervals_at_a_grid_point_are_the_reports_own(setup, browser):
    w = Watched(browser)
    page = w.open(setup["pages"]["en"].as_uri() + "#rule=floor_plus_need&need_weights.population=0.6&floor_share=0.3")
    inp, params = setup["inp"], setup["params"]
    ev = evidence.for_params(inp, params)
    iv = ev.interval("alloc_floor_plus_need")
    lo, hi = iv["lo"], iv["hi"]
    shown = page.eval_on_selector_all("[data-measure=interval]", "els => els.map(e => [e.dataset.town, e.textContent])")
    for (town, text), a, b in zip(shown, lo, hi, strict=True):
        got = [float(x.replace(",", "")) for x in text.split(" – ")]
        assert got == pytest.approx([a / 1e4, b / 1e4], abs=0.11), town
    assert "precomputed" in page.text_content("#swx-iv-note")
    page.goto(setup["pages"]["en"].as_uri() + "#need_weights.population=0.63")
    page.wait_for_selector("#swx[data-ready='1']")
    assert "interpolated" in page.text_content("#swx-iv-note")
    w.close()


def test_print_shows_a_static_table_and_screenshots(setup, browser, tmp_path):
    shots = Path(os.environ.get("SHUNDE_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    w = Watched(browser, viewport={"width": 1200, "height": 900})
    for lang in ("zh", "en"):
        for name, frag in (
            ("default", ""),
            ("pop1_floor0", "#rule=floor_plus_need&need_weights.population=1&floor_share=0&map=change"),
        ):
            start = time.perf_counter()
            page = w.open(setup["pages"][lang].as_uri() + frag)
            print(
                f"{lang} {name}: interactive after {time.perf_counter() - start:.2f} s "
                f"(page {setup['pages'][lang].stat().st_size / 1e6:.2f} MB)"
            )
            page.screenshot(path=str(shots / f"explorer_{lang}_{name}.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.is_visible("#swx-controls")
    assert page.is_visible(".swx-table")
    assert page.is_visible("#swx-print-settings")
    w.close()
    assert setup["pages"]["zh"].stat().st_size < 3e6


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_exported_reports_carry_the_tools(browser, request, lang, setup):
    """Report 05's policy and analyst editions work from disk with a fragment; the index and brief link the tools."""
    out = request.getfixturevalue(f"full_run_{lang}")
    w = Watched(browser)
    frag = "#need_weights.population=0&floor_share=0.5"
    want, _ = python_alloc(setup["inp"], {"population": 0, "village_units": 1}, 0.5)
    for name in ("05_scenarios_2023.html", "05_scenarios_2023.analyst.html"):
        path = out / "reports" / name
        assert path.stat().st_size < 3e6, f"{name}: {path.stat().st_size / 1e6:.2f} MB"
        page = w.open(path.as_uri() + frag)
        assert cells(page) == want, name
    w.close()
    # on a phone, inside the report's own styles: no cell spills into the next, the page does not scroll sideways
    w = Watched(browser, viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    page = w.open((out / "reports" / "05_scenarios_2023.html").as_uri() + frag)
    spilled = page.eval_on_selector_all(
        "#swx td, #swx th", "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"
    )
    assert not spilled, spilled
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.goto((out / "reports" / "01_data_audit.html").as_uri())
    page.wait_for_selector("#swg[data-ready='1']")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="reports/05_scenarios_2023.html#swx"' in index
    assert 'href="reports/01_data_audit.html#swg"' in index
    assert 'href="05_scenarios_2023.html#swx"' in (out / "reports" / "00_policy_brief.html").read_text(encoding="utf-8")
    w.close()


def test_a_run_on_another_population_basis_reproduces_with_it(setup, browser, tmp_path):
    params = {**setup["params"], "population_basis": "best_available"}
    inp = setup["published"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = studies.scenarios(inp, params["need_weights"], params["floor_share"], params["allocation_unit"])
        page_file = tmp_path / "best_available.html"
        page_file.write_text(PAGE.format(lang="en", body=explorer.render(inp, params, res, "en")), "utf-8")
    w = Watched(browser)
    page = w.open(page_file.as_uri() + "#need_weights.population=0.8&floor_share=0.1")
    assert cells(page) == python_alloc(inp, {"population": 0.8, "village_units": 0.2}, 0.1)[0]
    assert page.text_content("#swx-cmd").endswith("--set floor_share=0.1 --set population_basis=best_available")
    assert not page.is_visible("input[name=swx-basis][value=published]")  # the run's figures already are these
    w.close()
