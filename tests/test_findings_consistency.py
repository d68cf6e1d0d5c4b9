"""Every number in a finding comes from a result value, in both languages and in the exported HTML.

The in-process part computes every study on the default inputs (as 00_policy_brief and 06_town_profile do,
profiles for every town) and checks each finding's sentence against ``statements.lookup``.  The slow part runs
the runner for the brief and one town profile and reads the numbers back out of the key-findings box.
"""

from __future__ import annotations

import math
from collections import Counter
from html.parser import HTMLParser

import pytest

from shunde_workbook.narrative import grade_findings, statements, tr
from shunde_workbook.narrative.findings import HEDGES, Finding, Value, fmt_number, rank
from shunde_workbook.narrative.grades import key_finding_allowed

from helpers import TOWN, brief_findings, default_params, numbers_in, town_slug

LANGS = ("zh", "en")

# Unit names that contain digits; they are labels, not numbers, and are removed before extracting numbers.
UNIT_PHRASES = ("10k yuan",)

# Numbers typed into a template (outside any placeholder): none are allowed.  A definition or label that
# needs a number must take it from the results or from `words`.
TEMPLATE_LITERALS: dict = {}

# Only these `words` may contain digits (years of the data or plan and category names such as '3861'妇女儿童).
# "weights" restates the user's need-weight parameters (e.g. 常住人口 60%), not a computed result.
WORD_KEYS_WITH_DIGITS = {"first", "last", "field", "year", "weights"}


def _strip_units(text: str) -> str:
    for phrase in UNIT_PHRASES:
        text = text.replace(phrase, " ")
    return text


def _word_text(word, lang: str) -> str:
    return word.get(lang, word.get("zh")) if isinstance(word, dict) else str(word)


def _literal_numbers(f: Finding, lang: str) -> list[str]:
    """Numbers typed into the template itself, outside the placeholders."""
    import string

    literal = "".join(part for part, *_ in string.Formatter().parse(f.template[lang]))
    return numbers_in(_strip_units(literal))


# ------------------------------------------------------------------ fmt_number known answers
@pytest.mark.parametrize(
    "value, kind, lang, expected",
    [
        (0.1234, "pct", "zh", "12.3%"),
        (0.1234, "pct", "en", "12.3%"),
        (1.0, "pct", "zh", "100.0%"),
        (12.3456, "pct", "zh", "1,234.6%"),
        (-0.0881, "pct", "zh", "-8.8%"),
        (0.0, "pct", "en", "0.0%"),
        (0.034, "pp", "zh", "+3.4个百分点"),
        (-0.034, "pp", "en", "-3.4 pp"),
        (0.0, "pp", "en", "+0.0 pp"),
        (1_234_567, "wan", "zh", "123.5"),
        (350_000_000, "wan", "zh", "35,000"),
        (174_389.64, "wan", "en", "17.4"),
        (12_345_678, "wan", "zh", "1,234.6"),
        (999, "wan", "zh", "0.1"),
        (1234.6, "yuan", "zh", "1,235"),
        (94.499, "yuan", "en", "94"),
        (1_000_000, "yuan", "zh", "1,000,000"),
        (2007, "int", "zh", "2,007"),
        (0, "int", "en", "0"),
        (63.43, "int", "zh", "63"),
        (2.10634, "ratio", "zh", "2.11"),
        (1234.5678, "ratio", "en", "1,234.57"),
        (0.12069744, "index", "zh", "0.121"),
        (0.1023645, "index", "en", "0.102"),
    ],
)
def test_fmt_number_known_answers(value, kind, lang, expected):
    assert fmt_number(value, kind, lang) == expected


@pytest.mark.parametrize("kind", ["pct", "pp", "wan", "yuan", "int", "ratio", "index"])
def test_fmt_number_missing_is_a_dash(kind):
    assert fmt_number(float("nan"), kind) == "—"
    assert fmt_number(None, kind) == "—"


def test_fmt_number_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown number format"):
        fmt_number(1.0, "percent")


def test_number_extraction_known_answers():
    assert numbers_in("2017–2022年共资助 2,007 个项目，金额 35,000.0 万元") == ["2017", "2022", "2,007", "35,000.0"]
    assert numbers_in("低 -8.8%，高 +1.2个百分点；第2名，1,234,567.5 元") == ["-8.8%", "+1.2", "2", "1,234,567.5"]
    assert numbers_in("Top-10 share, a ratio of 2.11.") == ["10", "2.11"]
    assert numbers_in("v2 x1 no numbers") == []


# ------------------------------------------------------------------ in-process findings
@pytest.fixture(scope="module")
def all_findings(computed):
    """[(label, finding, results for lookup)] for the brief (graded, with intervals) and every town profile."""
    results, profiles, inp = computed
    results = dict(results)
    graded = grade_findings(brief_findings(results, inp), results, inp, default_params())
    assert sum(v.lo is not None for f in graded for v in f.values.values()) >= 3
    out = [("00_policy_brief", f, results) for f in graded]
    for code, prof in profiles.items():
        scope = {**results, "profile": prof}
        out += [
            (f"06_town_profile[{code}]", f, scope) for f in statements.profile_findings(prof, inp.towns, inp.statuses)
        ]
    return out


def test_findings_cover_every_study_and_town(all_findings, computed):
    _, profiles, inp = computed
    ids = Counter(f.id.split(".")[0] for _, f, _ in all_findings)
    assert {"overview", "distribution", "fairness", "scenarios", "profile"} <= set(ids)
    assert set(profiles) == set(inp.towns.index) and len(profiles) == 10
    # three per town, plus the population-and-villages finding for each town with a population figure
    with_pop = sum(prof["pop_share"] == prof["pop_share"] for prof in profiles.values())
    assert ids["profile"] == 3 * len(profiles) + with_pop
    for _, f, _ in all_findings:
        assert set(f.hedges) <= set(HEDGES), f"{f.id}: unknown hedge"


def test_every_value_equals_its_source(all_findings):
    for label, f, res in all_findings:
        for key, v in f.values.items():
            got = statements.lookup(res, v.source)
            if math.isnan(float(v.value)):  # shown as "—"; see test_no_finding_quotes_a_missing_value
                assert math.isnan(got), f"{label} {f.id}.{key}: lookup({v.source!r}) = {got!r}, finding has NaN"
                continue
            assert got == pytest.approx(float(v.value), rel=1e-9, abs=0), (
                f"{label} {f.id}.{key}: lookup({v.source!r}) = {got!r} but the finding says {v.value!r}"
            )


# A town without a population figure (均安) must get a "no population" finding, not "人均资助 — 元/人".


def test_no_finding_quotes_a_missing_value(all_findings):
    """A key finding must not print "—" for a number: leave the finding out or say the figure is missing."""
    missing = {
        (label, f.id) for label, f, _ in all_findings for v in f.values.values() if not math.isfinite(float(v.value))
    }
    assert not missing, f"findings quote a missing value as '—': {sorted(missing)}"


def _sentence_problems(label: str, f: Finding, res: dict) -> list[str]:
    """Why the numbers of ``f``'s sentences (both languages, with hedges) do not match the results."""
    problems = []
    for lang in LANGS:
        text = f.text(lang) + " " + f.hedge_text(lang)
        found = Counter(numbers_in(_strip_units(text)))
        where = f"{label} {f.id} [{lang}] {text!r}"
        # 1. each value, re-derived from its source, is in the sentence
        for key, v in f.values.items():
            expected = fmt_number(statements.lookup(res, v.source), v.kind, lang)
            if expected not in text:
                problems.append(f"{where}: {key} from {v.source} should read {expected!r}")
            found.subtract(numbers_in(expected))
            if v.lo is not None:  # the 90 % interval: both ends from the evidence results, and the "90%" label
                for end in ("lo", "hi"):
                    bound = fmt_number(statements.lookup(res, f"{v.interval_source}.{end}"), v.kind, lang)
                    if bound not in text:
                        problems.append(f"{where}: {key}.{end} from {v.interval_source} should read {bound!r}")
                    found.subtract(numbers_in(bound))
                found.subtract(numbers_in(_strip_units(tr("common.interval", lang, lo="", hi=""))))
        # 2. numbers that come from the non-numeric words (years, category names)
        for key, w in f.words.items():
            wt = _word_text(w, lang)
            if numbers_in(wt):
                if key not in WORD_KEYS_WITH_DIGITS:
                    problems.append(f"{where}: word {key!r}={wt!r} carries a number; numbers must be Values")
                if wt not in text:
                    problems.append(f"{where}: word {key!r}={wt!r} not in the sentence")
                found.subtract(numbers_in(wt))
        # 3. reviewed literals typed into the template
        found.subtract(TEMPLATE_LITERALS.get(f.id, {}).get(lang, []))
        extra = {n: c for n, c in found.items() if c > 0}
        missing = {n: -c for n, c in found.items() if c < 0}
        if extra:
            problems.append(f"{where}: numbers not accounted for by any Value or word: {extra}")
        if missing:
            problems.append(f"{where}: expected numbers missing from the sentence: {missing}")
    return problems


def test_every_number_in_every_sentence_is_accounted_for(all_findings):
    problems = [p for label, f, res in all_findings for p in _sentence_problems(label, f, res)]
    assert not problems, "\n".join(problems)


def test_checker_catches_wrong_and_unaccounted_numbers(computed):
    """The checker is not vacuous: a stale value, a typed-in number and a number hidden in words all fail."""
    results, _, inp = computed
    f = next(f for f in brief_findings(results, inp) if f.id == "overview.growth")
    assert _sentence_problems("ok", f, results) == []
    v = f.values["cagr"]
    stale = Finding(f.id, f.severity, f.template, {"cagr": Value(v.value + 0.01, v.kind, v.source)})
    assert any("should read" in p for p in _sentence_problems("stale", stale, results))
    typed = Finding(f.id, f.severity, {k: t + " (+3 towns)" for k, t in f.template.items()}, f.values)
    assert any("not accounted for" in p and "'+3'" in p for p in _sentence_problems("typed", typed, results))
    smuggled = Finding(f.id, f.severity, {k: t + " {n}" for k, t in f.template.items()}, f.values, words={"n": "12.5%"})
    assert any("carries a number" in p for p in _sentence_problems("words", smuggled, results))


def test_template_literal_numbers_are_reviewed(all_findings):
    """Numbers typed into a template are exactly the reviewed TEMPLATE_LITERALS (none new, none stale)."""
    seen = {}
    for _, f, _ in all_findings:
        for lang in LANGS:
            seen[(f.id, lang)] = sorted(_literal_numbers(f, lang))
    for (fid, lang), lits in seen.items():
        assert lits == sorted(TEMPLATE_LITERALS.get(fid, {}).get(lang, [])), (
            f"{fid} [{lang}]: numbers typed into the template: {lits}; a number in a finding must be a Value"
        )
    stale = [fid for fid in TEMPLATE_LITERALS if not any(k[0] == fid for k in seen)]
    assert not stale, f"TEMPLATE_LITERALS names findings that no longer exist: {stale}"


def test_year_words_are_the_data_years(computed):
    results, _, inp = computed
    total = next(f for f in brief_findings(results, inp) if f.id == "overview.total")
    assert total.words["first"] == str(results["overview"]["first_year"])
    assert total.words["last"] == str(results["overview"]["last_year"])


# ------------------------------------------------------------------ exported HTML
class _FindingsBox(HTMLParser):
    """Text of each <li> of div.sw-findings (the key-findings box)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # div depth inside the box, 0 = outside
        self.boxes = 0
        self.items: list[str] = []
        self._li = None

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        if tag == "div" and (self.depth or "sw-findings" in cls):
            if not self.depth:
                self.boxes += 1
            self.depth += 1
        elif tag == "li" and self.depth:
            self._li = []

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1
        elif tag == "li" and self._li is not None:
            self.items.append("".join(self._li))
            self._li = None

    def handle_data(self, data):
        if self._li is not None:
            self._li.append(data)


def _box(path) -> list[str]:
    p = _FindingsBox()
    p.feed(path.read_text(encoding="utf-8"))
    assert p.boxes == 1, f"{path.name}: expected one key-findings box, found {p.boxes}"
    return p.items


def _check_box(items: list[str], findings: list[Finding], res: dict, lang: str, name: str):
    assert len(items) == len(findings) > 0, f"{name}: {len(items)} findings in the box, {len(findings)} expected"
    for li, f in zip(items, findings, strict=False):
        assert numbers_in(_strip_units(li)) == numbers_in(_strip_units(f.text(lang) + " " + f.hedge_text(lang))), (
            f"{name}: box item {li!r} does not carry the numbers of {f.id}: {f.text(lang)!r}"
        )
        for key, v in f.values.items():
            expected = fmt_number(statements.lookup(res, v.source), v.kind, lang)
            assert expected in li, f"{name}: {f.id}.{key} should read {expected!r} in {li!r}"


@pytest.mark.slow
def test_exported_findings_boxes_match_in_process_findings(default_reports, computed):
    results, profiles, inp = computed
    lang = default_params().get("language", "zh")
    reports = default_reports / "reports"
    params = default_params()

    def key(findings, res, limit):  # what Report.findings puts in the box: graded, key-allowed, ranked, limited
        graded = grade_findings(findings, res, inp, params)
        return rank([f for f in graded if f.grade is not None and key_finding_allowed(f.grade)], limit)

    results = dict(results)
    brief = key(brief_findings(results, inp), results, 6)  # 00_policy_brief: rep.findings(..., limit=6)
    _check_box(_box(reports / "00_policy_brief.html"), brief, results, lang, "00_policy_brief.html")
    scope = {**results, "profile": profiles[TOWN]}
    prof = key(statements.profile_findings(profiles[TOWN], inp.towns, inp.statuses), scope, 6)  # default limit
    name = f"06_town_profile-{town_slug(inp.towns)}.html"
    _check_box(_box(reports / name), prof, scope, lang, name)


def test_checker_catches_a_wrong_interval(all_findings):
    """A 90 % interval bound that differs from the evidence results is reported."""
    label, f, res = next((lab, f, r) for lab, f, r in all_findings if any(v.lo is not None for v in f.values.values()))
    assert _sentence_problems(label, f, res) == []
    key, v = next((k, v) for k, v in f.values.items() if v.lo is not None)
    wrong = Finding(
        f.id,
        f.severity,
        f.template,
        {
            **f.values,
            key: Value(
                v.value, v.kind, v.source, v.qualifier, lo=v.lo * 0.5, hi=v.hi, interval_source=v.interval_source
            ),
        },
        f.words,
        f.hedges,
        f.meta,
    )
    assert any(f"{key}.lo" in p for p in _sentence_problems(label, wrong, res))
