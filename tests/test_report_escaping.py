"""Text from the data is escaped in every exported HTML file (policy, analyst, index).

A copy of the simulated ledger gets HTML payloads in Title and Recipient Org:Name (in particular for the
organisations that reach the top-10 recipients table of the 大良 profile); the runner builds 00_policy_brief,
04_fairness_need and the 大良 profile from it.  No payload may come out as markup.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from shunde_workbook.paths import ROOT

from helpers import TOWN, run_reports

pytestmark = pytest.mark.slow

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
PAYLOADS = (SCRIPT, IMG)
ESCAPED = ("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;")
REPORTS = ["00_policy_brief", "04_fairness_need", "06_town_profile"]


def _hostile_ledger(dest: Path) -> Path:
    """The default simulated ledger with HTML payloads in titles and recipient names; still a valid ledger."""
    src = ROOT / "data" / "raw" / "grants_simulated.csv"
    led = pd.read_csv(src, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    amount = pd.to_numeric(led["Amount Awarded"])
    town = led["town_code"] == TOWN
    # Organisations that reach the top-10 tables: the town profile's and the district's (plus a margin).
    top_town = amount[town].groupby(led.loc[town, "Recipient Org:Name"]).sum().nlargest(15).index
    top_all = amount.groupby(led["Recipient Org:Name"]).sum().nlargest(15).index
    hostile = list(dict.fromkeys([*top_town, *top_all]))
    # Keep organisations distinct (payload + original name), so the ranking stays the same.
    rename = {name: f"{PAYLOADS[i % 2]} {name}" for i, name in enumerate(hostile)}
    led["Recipient Org:Name"] = led["Recipient Org:Name"].map(lambda n: rename.get(n, n))
    every_third = led.index % 3 == 0
    led.loc[every_third, "Title"] = [f"{PAYLOADS[i % 2]} {t}" for i, t in enumerate(led.loc[every_third, "Title"])]
    assert led["Recipient Org:Name"].str.contains(SCRIPT, regex=False).any()
    assert led["Recipient Org:Name"].str.contains(IMG, regex=False).any()
    led.to_csv(dest, index=False, encoding="utf-8-sig")
    return dest


@pytest.fixture(scope="session")
def hostile_reports(tmp_path_factory) -> Path:
    ledger = _hostile_ledger(tmp_path_factory.mktemp("hostile_ledger") / "grants_hostile.csv")
    outputs = tmp_path_factory.mktemp("hostile_reports") / "outputs"
    return run_reports(outputs, REPORTS, [f"ledger_path={ledger}", f"town={TOWN}"])


class _Markup(HTMLParser):
    """Script bodies and event-handler attributes of a document."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.onerror: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "onerror":
                self.onerror.append(f"<{tag} {name}={value!r}>")
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "script":
            self._in_script = False

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _html_files(out: Path) -> list[Path]:
    return sorted((out / "reports").glob("*.html")) + [out / "index.html"]


def test_every_report_was_built_in_both_editions(hostile_reports):
    names = {p.name for p in _html_files(hostile_reports)}
    slug = "06_town_profile-daliang"
    for stem in ["00_policy_brief", "04_fairness_need", slug]:
        assert {f"{stem}.html", f"{stem}.analyst.html"} <= names, f"{stem}: an edition is missing"
    assert "index.html" in names


def test_payloads_never_appear_as_markup(hostile_reports):
    problems = []
    for path in _html_files(hostile_reports):
        text = path.read_text(encoding="utf-8")
        for raw in PAYLOADS:
            if raw in text:
                i = text.index(raw)
                problems.append(f"{path.name}: raw {raw!r} at {i}: …{text[max(0, i - 120) : i + 60]!r}…")
        doc = _Markup()
        doc.feed(text)
        doc.close()
        problems += [f"{path.name}: <script> contains alert(1)" for s in doc.scripts if "alert(1)" in s]
        problems += [f"{path.name}: element with onerror: {h}" for h in doc.onerror]
        problems += [f"{path.name}: event handler attribute: {h}" for h in doc.handlers if "alert" in h]
    assert not problems, "\n".join(problems)


def test_payloads_are_shown_escaped_in_the_town_profile(hostile_reports):
    """Not vacuous: the hostile names reach the recipients table and are shown as text."""
    policy = (hostile_reports / "reports" / "06_town_profile-daliang.html").read_text(encoding="utf-8")
    for escaped in ESCAPED:
        assert escaped in policy, f"{escaped!r} not in the town profile: the payload did not reach the report"
    # ... inside the recipients table (table.sw-table), not only somewhere
    start = policy.index('id="recipients"')
    table = policy[policy.index('<table class="sw-table"', start) :]
    table = table[: table.index("</table>")]
    assert all(e in table for e in ESCAPED), "the hostile organisations are not in the top-10 recipients table"
