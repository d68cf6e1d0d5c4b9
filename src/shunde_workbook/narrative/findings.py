"""Narrative findings whose every number is formatted from a result value.

A :class:`Finding` holds a sentence template per language and the values
that fill it.  Each value names the result field it comes from, so a test can
extract the numbers of every sentence and check them against the results.
No number is ever typed into a template.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

from shunde_workbook.narrative.text import has, tr
from shunde_workbook.units import WAN

# Weak-input hedges, appended to a finding when its inputs are weak; their words are ``hedge.<name>`` in the catalogue.
HEDGES = ("simulated", "partly_simulated", "approximate", "population_weak", "small_count")


MINUS = "\u2212"  # the typographic minus sign readers expect in place of a hyphen


def plain_number(value: float, decimals: int) -> str:
    """``value`` with thousands separators, at most ``decimals`` decimals, no trailing zeros, a true minus."""
    text = f"{abs(value):,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (MINUS if value < 0 and text.strip("0.,") else "") + text


def fmt_money(yuan: float, lang: str = "zh", qualifier: str = "") -> str:
    """An amount of money in 元 as a reader writes it, with its unit.

    Chinese: 亿元 from 1亿 (up to 2 decimals), 万元 from 1万 (up to 1 decimal), else 元, never a trailing
    ".0" (3.5亿元, 281万元); English: "CNY 350 million", "CNY 1.2 billion", "CNY 94".  Negative amounts
    carry a true minus sign.  ``qualifier`` (a published-facts qualifier: approx, exact, lower_bound)
    adds its word (约 / about, 超过 / over).
    """
    if yuan is None or (isinstance(yuan, float) and math.isnan(yuan)):
        return "—"
    v = abs(yuan)
    big, mid = (
        float(tr("common.format.money_big", lang)),
        float(tr("common.format.money_mid", lang)),
    )  # 亿, 万 / billion, million
    key, n = (
        ("common.money.yi", plain_number(yuan / big, 2))
        if v >= big
        else ("common.money.wan", plain_number(yuan / mid, 1))
        if v >= mid
        else ("common.money.yuan", plain_number(yuan, 0))
    )
    prefix = tr(f"common.qualifier_prefix.{qualifier}", lang) if qualifier else ""
    return prefix + tr(key, lang, n=n)


def fmt_number(value: float, kind: str, lang: str = "zh") -> str:
    """Format a result value for a sentence.

    kinds: ``pct`` (a share 0..1 shown as 12.3%), ``pp`` (percentage points
    from a 0..1 difference), ``wan`` (元 shown in 万元, 1 decimal, thousands
    separators, no trailing ".0"), ``money`` (元 with its unit, see :func:`fmt_money`), ``yuan`` (whole 元), ``int``,
    ``ratio`` (2 decimals), ``index`` (3 decimals).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "pct":
        return f"{value * 100:,.1f}%"
    if kind == "pp":
        return f"{value * 100:+,.1f}" + tr("common.unit.pp", lang)
    if kind == "wan":
        return plain_number(value / WAN, 1)
    if kind == "money":
        return fmt_money(value, lang)
    if kind == "yuan":
        return plain_number(value, 0)
    if kind == "int":
        return f"{value:,.0f}"
    if kind == "ratio":
        return f"{value:,.2f}"
    if kind == "index":
        return f"{value:,.3f}"
    raise ValueError(f"unknown number format {kind!r}")


@dataclass
class Value:
    """One number in a sentence and where it comes from."""

    value: float
    kind: str
    source: str  # the result field, e.g. "town_summary[440606005].amount_share"
    qualifier: str = ""  # approx / exact / lower_bound for a published figure (money only): 约 / about
    lo: float | None = None  # 90 % interval under the uncertainty model (narrative.assess), if any
    hi: float | None = None
    interval_source: str = ""  # where lo/hi come from, e.g. "evidence.fairness.gini.gini"

    def formatted(self, lang: str) -> str:
        """The value as written in a sentence, followed by its 90 % interval when it has one."""
        main = (
            fmt_money(self.value, lang, self.qualifier)
            if self.kind == "money" and self.qualifier
            else fmt_number(self.value, self.kind, lang)
        )
        if self.lo is None or self.hi is None:
            return main
        return main + tr(
            "common.interval", lang, lo=fmt_number(self.lo, self.kind, lang), hi=fmt_number(self.hi, self.kind, lang)
        )


@dataclass
class Finding:
    """A ranked, hedged, traceable statement."""

    id: str
    severity: int  # 1 (most important) .. 5
    template: dict  # {"zh": "...{share}...", "en": "..."} (from the catalogue); placeholders name keys of ``values``
    values: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)  # non-numeric fillers (names), {"town": {"zh": .., "en": ..}}
    hedges: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # what the statement is about (e.g. rule, town), for grading
    grade: object = None  # narrative.grades.Grade, set by narrative.assess
    key: str = ""  # the sentence's catalogue key (its declaration in narrative.claims); default finding.<id>
    confidence: str = ""  # high / medium / low: how much the inputs deserve (narrative.assess)
    flags: list = field(default_factory=list)  # Eurostat-style flags: b (break in series), e, u

    def __post_init__(self):
        if not self.key:
            self.key = f"findings.{self.id}"

    def numbers(self, lang: str = "zh") -> dict[str, str]:
        """Each value formatted for a sentence in ``lang`` (with its interval, if any)."""
        return {k: v.formatted(lang) for k, v in self.values.items()}

    def text(self, lang: str = "zh") -> str:
        """The sentence in ``lang``, its placeholders filled."""
        words = {k: (w.get(lang, w.get("zh")) if isinstance(w, dict) else str(w)) for k, w in self.words.items()}
        return self.template[lang].format(**self.numbers(lang), **words)

    def hedge_text(self, lang: str = "zh") -> str:
        """The weak-input note in ``lang`` ("" when the inputs are not weak)."""
        parts = [tr(f"common.hedge.{h}", lang) for h in self.hedges]
        if not parts:
            return ""
        return tr("common.hedge.wrap", lang, items=tr("common.sep.list", lang).join(parts))

    def badge_html(self, lang: str = "zh") -> str:
        """The evidence badge (grade label; for a built-in pattern, the simulator setting behind it)."""
        if self.grade is None:
            return ""
        g = self.grade
        setting = (
            tr(f"evidence.setting.{g.setting}", lang)
            if g.setting and has(f"evidence.setting.{g.setting}", lang)
            else g.setting
        )
        if g.basis == "exact":
            title = tr("evidence.grade.exact.help", lang)
        elif g.name == "noise" and g.share >= 0.95:  # holds in the seeds, but no tested setting makes it so
            title = tr("evidence.grade.noise.unexplained", lang, share=f"{g.share:.0%}")
        elif g.counterfactual_share is not None:
            cf = f"{g.counterfactual_share:.0%}"
            title = tr("evidence.grade.built-in.proof", lang, share=f"{g.share:.0%}", cf=cf, setting=setting or "")
        else:
            title = tr(f"evidence.grade.{g.name}.help", lang, share=f"{g.share:.0%}", n=g.n, setting=setting or "")
        if g.capped:
            title += tr("common.sep.list", lang) + tr(f"evidence.grade.capped.{g.capped}", lang)
        out = (
            f'<span class="sw-badge sw-badge-{html.escape(g.name)}" title="{html.escape(title)}">'
            f"{html.escape(tr(f'evidence.grade.{g.name}', lang))}</span> "
        )
        if self.confidence:
            c = html.escape(self.confidence)
            help_text = html.escape(tr(f"evidence.confidence.{c}.help", lang))
            out += (
                f'<span class="sw-badge sw-conf sw-conf-{c}" title="{help_text}">'
                f"{html.escape(tr(f'evidence.confidence.{c}', lang))}</span> "
            )
        return out

    def html(self, lang: str = "zh") -> str:
        """Badge, sentence and hedge as escaped HTML."""
        hedge = self.hedge_text(lang)
        return (
            self.badge_html(lang)
            + html.escape(self.text(lang))
            + (f' <span class="sw-hedge">{html.escape(hedge)}</span>' if hedge else "")
        )


def rank(findings: list[Finding], limit: int | None = None) -> list[Finding]:
    """Strongest evidence first (grade order, ungraded last), then most important (severity); stable for ties."""
    out = sorted(findings, key=lambda f: (f.grade.rank if f.grade is not None else 9, f.severity))
    return out[:limit] if limit else out
