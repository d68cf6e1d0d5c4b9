"""Every word a report shows comes from the catalogue: the reports rendered in a pseudo-locale.

The test locale ``qps`` is made at test time from the English catalogues, every text wrapped in ``⟦…⟧``
(``format.*`` settings kept as they are), and given to the runner as an extra catalogue folder
(``SHUNDE_WORKBOOK_EXTRA_CATALOGUES``).  Every report is built in it (one town profile, few draws), and the
visible text of each policy edition, once every marked span is removed, may hold only numbers, punctuation,
data values and proper names: the words of the input files (town, programme, field, village and recipient
names, sources) and the towns' names.  Any other word was written by code, not taken from the catalogue.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from shunde_workbook import i18n
from shunde_workbook.geo.names import TOWNS

from helpers import ROOT, TOWN, reader_text

pytestmark = pytest.mark.slow

MARK = re.compile(r"⟦[^⟦⟧]*⟧")
#: Not words: file names and paths (a table's source) and published facts' identifiers (F01).
NOT_WORDS = re.compile(r"[\w./\\-]+\.(?:csv|json|shp|xlsx|yaml|gpkg)\b|\bF\d{2,}\b")
#: Not prose: the copyable citations (plain text and BibTeX, like the source list: a citation format) and
#: the Eurostat cell flags (u, e, b: codes, explained by the catalogue's legend under the table).
CODES = re.compile(r'(?is)<textarea\b.*?</textarea>|<sup class="sw-flag">[^<]*</sup>|<strong>BibTeX</strong>')
WORD = re.compile(r"[A-Za-z\u4e00-\u9fff][\w\u4e00-\u9fff'’\-]*")


def pseudo(catalogue: dict[str, str]) -> dict[str, str]:
    """Every text marked ⟦…⟧; ``common.format.*`` and the validator's ``format.*`` entries (how numbers and
    names are written) unchanged."""
    return {k: v if k.startswith(("format.", "common.format.")) or not v else f"⟦{v}⟧" for k, v in catalogue.items()}


def unmarked(text: str) -> str:
    """``text`` without its marked spans (marks may nest: a marked template filled with marked words),
    file names and fact identifiers."""
    previous = None
    while previous != text:
        previous, text = text, MARK.sub(" ", text)
    return NOT_WORDS.sub(" ", text)


def data_words() -> set[str]:
    """Words that may appear unmarked: the values of the input files and the towns' names."""
    words = {w for t in TOWNS for name in t[1:4] for w in WORD.findall(name)}
    files = [*(ROOT / "data" / "reference").glob("*.csv"), ROOT / "data" / "raw" / "grants_simulated.csv"]
    for path in files:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for col in df.columns:
            for value in df[col].unique():
                words |= set(WORD.findall(value))
    return words


def test_the_marks_are_found_even_when_nested():
    assert unmarked("⟦Gini is ⟦0.12⟧ in ⟦Daliang⟧⟧ 3.4%").strip() == "3.4%"
    assert WORD.findall(unmarked("⟦a⟧ leftover ⟦b⟧ data/reference/towns.csv F07")) == ["leftover"]


@pytest.fixture(scope="module")
def pseudo_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pseudo")
    for part, folder in (("narrative", i18n.NARRATIVE), ("messages", i18n.MESSAGES)):
        (root / "catalogue" / part).mkdir(parents=True)
        text = yaml.safe_dump(pseudo(i18n.load(folder, "en")), allow_unicode=True)
        (root / "catalogue" / part / "qps.yaml").write_text(text, encoding="utf-8")
    env = {**os.environ, i18n.EXTRA_ENV: str(root / "catalogue")}
    exe = Path(sys.executable).with_name("shunde-workbook")
    args = ["run", "--jobs", "1", "--outputs", str(root / "outputs"), "--set", "language=qps"]
    args += ["--set", "draws=100", "--set", f"town={TOWN}"]
    done = subprocess.run([str(exe), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=1800)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return root / "outputs"


def test_every_report_shows_only_catalogue_text_data_values_and_names(pseudo_run):
    allowed = data_words()
    pages = sorted(p for p in (pseudo_run / "reports").glob("*.html") if not p.name.endswith(".analyst.html"))
    assert len(pages) >= 7, [p.name for p in pages]  # the brief, 01–05 and the one town profile
    stray = {}
    for page in pages:
        body = page.read_text(encoding="utf-8")
        body = body[body.find("<body") :]
        text = reader_text(CODES.sub(" ", body))
        assert "⟦" in text, page.name
        words = set(WORD.findall(unmarked(text))) - allowed
        if words:
            stray[page.name] = sorted(words)[:20]
    assert not stray, f"text shown without the catalogue (pseudo-locale run): {stray}"
