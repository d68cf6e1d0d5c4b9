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

# Weak-input hedges, appended to a finding when its inputs are weak.
HEDGES = {
    "simulated": {"zh": "模拟数据", "en": "simulated data"},
    "approximate": {"zh": "近似边界", "en": "approximate boundaries"},
    "population_weak": {"zh": "人口数据较弱：C级或缺失", "en": "weak population data: grade C or missing"},
    "small_count": {"zh": "样本量小", "en": "small counts"},
}


def fmt_number(value: float, kind: str, lang: str = "zh") -> str:
    """Format a result value for a sentence.

    kinds: ``pct`` (a share 0..1 shown as 12.3%), ``pp`` (percentage points
    from a 0..1 difference), ``wan`` (元 shown in 万元, 1 decimal, thousands
    separators), ``yuan`` (元, whole), ``int``, ``ratio`` (2 decimals),
    ``index`` (3 decimals).
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if kind == "pct":
        return f"{value * 100:,.1f}%"
    if kind == "pp":
        return f"{value * 100:+,.1f}" + ("个百分点" if lang == "zh" else " pp")
    if kind == "wan":
        return f"{value / 1e4:,.1f}"
    if kind == "yuan":
        return f"{value:,.0f}"
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


@dataclass
class Finding:
    """A ranked, hedged, traceable statement."""

    id: str
    severity: int  # 1 (most important) .. 5
    template: dict  # {"zh": "...{share}...", "en": "..."}; placeholders name keys of ``values``
    values: dict = field(default_factory=dict)
    words: dict = field(default_factory=dict)  # non-numeric fillers (names), {"town": {"zh": .., "en": ..}}
    hedges: list = field(default_factory=list)

    def numbers(self, lang: str = "zh") -> dict[str, str]:
        return {k: fmt_number(v.value, v.kind, lang) for k, v in self.values.items()}

    def text(self, lang: str = "zh") -> str:
        words = {k: (w.get(lang, w.get("zh")) if isinstance(w, dict) else str(w)) for k, w in self.words.items()}
        return self.template[lang].format(**self.numbers(lang), **words)

    def hedge_text(self, lang: str = "zh") -> str:
        parts = [HEDGES[h][lang] for h in self.hedges if h in HEDGES]
        if not parts:
            return ""
        return ("（注意：" + "；".join(parts) + "）") if lang == "zh" else ("(Caution: " + "; ".join(parts) + ")")

    def html(self, lang: str = "zh") -> str:
        hedge = self.hedge_text(lang)
        return html.escape(self.text(lang)) + (f' <span class="sw-hedge">{html.escape(hedge)}</span>' if hedge else "")

    def trace(self) -> list[dict]:
        """The numbers of this finding with their result fields and raw values."""
        return [{"placeholder": k, "source": v.source, "value": v.value, "kind": v.kind} for k, v in self.values.items()]


def rank(findings: list[Finding], limit: int | None = None) -> list[Finding]:
    """Most important first (lower severity number), stable for ties."""
    out = sorted(findings, key=lambda f: f.severity)
    return out[:limit] if limit else out
