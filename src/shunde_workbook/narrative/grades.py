"""How strong the evidence behind a finding is: a grade on every finding.

Grades, strongest first (:data:`GRADE_ORDER`)::

    published  公开数据  the finding restates a published fact that reconciliation matches
    robust     稳健      it holds in at least 95 % of the uncertainty draws
    uncertain  不确定    it holds in fewer
    built-in   模型设定  simulated ledger only: it holds across the simulator-seed ensemble because of a
                         simulator setting (named in ``Grade.setting``)
    noise      随机噪声  simulated ledger only: the pattern changes across simulator seeds

Rules (:func:`grade`)
---------------------
1. ``published=True`` wins: the caller passes it only when :func:`published_matches` says the
   reconciliation table has every fact the finding restates as ``pass``.  A published fact is true
   whatever the ledger, simulated or not.
2. A statement that does not depend on the ledger (``depends_on_ledger=False``, e.g. a 2023 allocation
   under the per-resident rule, which depends only on population and the plan) is graded on its
   uncertainty draws, even when the ledger is simulated.
3. A ledger-dependent statement on a simulated ledger is graded on the simulator-seed ensemble.  It is
   ``built-in`` only if it holds in at least 95 % of seeds *and* a counterfactual proves the cause: on
   the same seeds with one candidate setting neutralised (``analysis.counterfactual``) it holds in fewer
   than 95 % of seeds and in at least :data:`MATERIAL` fewer than before; the first such setting is named.
   Totals and counts calibrated to published figures are ``built-in`` by construction
   (:data:`BY_CONSTRUCTION`).  Anything else is ``noise``: it changes with the seed, or no tested setting
   makes it so.
4. Otherwise (a real ledger) the statement is graded on its draws: ``robust`` at 95 % or more, else
   ``uncertain``; a statement on a series with a break (a programme entering within the period) is never
   ``robust``.

Only ``published``, ``robust`` and ``uncertain`` findings may be key findings
(:func:`key_finding_allowed`); built-in patterns and noise describe the simulator, not Shunde.
Reader labels are the catalogue's ``grade.<name>`` entries (:meth:`Grade.label`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from shunde_workbook.data.simulate import DEFAULTS as SIMULATOR_DEFAULTS
from shunde_workbook.errors import closest

__all__ = [
    "BY_CONSTRUCTION",
    "GRADE_ORDER",
    "MATERIAL",
    "ROBUST_SHARE",
    "SEED_SHARE",
    "SIMULATOR_RULES",
    "STATEMENT_SETTINGS",
    "Grade",
    "grade",
    "key_finding_allowed",
    "published_matches",
    "rank_graded",
    "setting_for",
]

#: Grades from strongest to weakest; findings are ranked in this order.
GRADE_ORDER = ("published", "robust", "uncertain", "built-in", "noise")
#: Share of uncertainty draws a statement must hold in to be ``robust``.
ROBUST_SHARE = 0.95
#: Share of simulator seeds a statement must hold in to be ``built-in`` (else ``noise``).
SEED_SHARE = 0.95
#: How much less often a pattern must hold once a setting is neutralised for that setting to be its cause.
MATERIAL = 0.25
_NOT_KEY = frozenset({"built-in", "noise"})

_TOWN = "town_weight_population"
#: Fixed rules of the simulator that are not knobs but still make patterns (named like settings).
SIMULATOR_RULES = {
    "every_2021_village_funded": "every 2021 村(社区) gets at least one grant in 2017–2022",
    "calibrated_totals": "yearly totals and project counts are calibrated to the published figures",
    "programme_start_dates": "和美社区 begins in 2018, 众创共善 in 2017",
}
#: Rules that make a pattern by construction (no counterfactual: the simulator is fitted to these numbers).
BY_CONSTRUCTION = frozenset({"calibrated_totals"})
#: Which simulator setting (a key of ``data.simulate.DEFAULTS`` or :data:`SIMULATOR_RULES`) sets each kind
#: of statement about a simulated ledger.  The simulator spreads money across towns by
#: ``town_weight_population`` × population share + (1 − that) × village-unit share, so every town-level
#: pattern is set by that one knob.  Overall totals and counts are calibrated to published facts
#: (``None``: they are graded ``published`` when reconciliation matches, never as a simulator pattern).
STATEMENT_SETTINGS: dict[str, str | None] = {
    "town_share": _TOWN,
    "town_ranking": _TOWN,
    "per_resident_ranking": _TOWN,
    "per_resident_ratio": _TOWN,
    "per_resident_equality": _TOWN,
    "population_gap": _TOWN,
    "distance_from_need": _TOWN,
    "gini": _TOWN,
    "theil_between_towns": _TOWN,
    "cv_per_resident": _TOWN,
    "historical_allocation": _TOWN,
    "scenario_shift": _TOWN,
    "theil_villages": _TOWN,
    "village_coverage": "zc_cover_every_village",
    "org_concentration": "org_concentration",
    "grant_size": "amount_sigma",
    "field_mix": "field_amount_multipliers",
    "yearly_trend": "programme_start_dates",
    "yearly_trend_zc": "zc_year_weights",
    "yearly_trend_hm": "hm_year_weights",
    "total_amount": "calibrated_totals",
    "total_grants": "calibrated_totals",
    "file_counts": None,
}
#: Every setting whose counterfactual is tried for a kind of statement, in order (the first is
#: :data:`STATEMENT_SETTINGS`'s); a pattern none of them removes is ``noise``.
STATEMENT_CAUSES: dict[str, tuple[str, ...]] = {
    "yearly_trend": ("programme_start_dates", "zc_year_weights", "hm_year_weights"),
    "village_coverage": ("zc_cover_every_village", "town_weight_population"),
    "field_mix": ("field_amount_multipliers", "amount_sigma"),
    "org_concentration": ("org_concentration", "amount_sigma"),
}


def causes_for(kind: str) -> tuple[str, ...]:
    """The settings whose counterfactuals are tried for a kind of statement (see :data:`STATEMENT_CAUSES`)."""
    first = setting_for(kind)
    return STATEMENT_CAUSES.get(kind, (first,) if first else ())


def setting_for(kind: str) -> str | None:
    """The simulator setting that drives a kind of statement about a simulated ledger.

    Parameters
    ----------
    kind : str
        A key of :data:`STATEMENT_SETTINGS`, e.g. ``"per_resident_ranking"``.

    Returns
    -------
    str or None
        A key of ``data.simulate.DEFAULTS`` (or of :data:`SIMULATOR_RULES`), or ``None`` for totals and
        counts, which are calibrated to published facts rather than set by a knob.

    Raises
    ------
    ValueError
        Unknown kind (with the closest known one).
    """
    if kind not in STATEMENT_SETTINGS:
        hint = closest(kind, list(STATEMENT_SETTINGS), cutoff=0.6)
        raise ValueError(
            f"setting_for: unknown statement kind {kind!r}"
            + (f" (did you mean {hint!r}?)" if hint else "")
            + f"; known kinds: {sorted(STATEMENT_SETTINGS)}"
        )
    return STATEMENT_SETTINGS[kind]


@dataclass(frozen=True)
class Grade:
    """The grade of one finding.

    Attributes
    ----------
    name : str
        One of :data:`GRADE_ORDER`.
    share : float
        Share of draws (``robust``/``uncertain``) or seeds (``built-in``/``noise``) in which the
        statement holds; 1.0 for ``published``.
    n : int
        Number of draws or seeds behind ``share`` (0 for ``published``).
    basis : str
        ``"published"``, ``"draws"``, ``"seeds"`` or ``"exact"`` (counts of the file in hand).
    setting : str or None
        The simulator setting behind a ``built-in`` pattern (``None`` otherwise).
    counterfactual_share : float or None
        For ``built-in``: share of seeds in which the pattern holds once ``setting`` is neutralised.
    capped : str
        Why a grade was lowered (``"break_in_series"``), else ``""``.
    """

    name: str
    share: float
    n: int = 0
    basis: str = "draws"
    setting: str | None = None
    counterfactual_share: float | None = None
    capped: str = ""

    def __post_init__(self):
        if self.name not in GRADE_ORDER:
            raise ValueError(f"Grade: unknown grade {self.name!r}; one of {GRADE_ORDER}")

    @property
    def rank(self) -> int:
        """Position in :data:`GRADE_ORDER` (0 = strongest)."""
        return GRADE_ORDER.index(self.name)

    def label(self, lang: str = "zh") -> str:
        """The reader label, e.g. 稳健 / robust."""
        from shunde_workbook.narrative.text import tr

        return tr(f"evidence.grade.{self.name}", lang)


def _share(holds, what: str) -> tuple[float, int]:
    arr = np.asarray(holds)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"grade: {what} must be a non-empty 1-D array of booleans, got shape {arr.shape}")
    if arr.dtype != bool:
        if not np.issubdtype(arr.dtype, np.number) or not np.isin(arr, (0, 1)).all():
            raise ValueError(f"grade: {what} must hold booleans (or 0/1), got dtype {arr.dtype}")
        arr = arr.astype(bool)
    return float(arr.mean()), int(arr.size)


def grade(
    *,
    published: bool = False,
    holds=None,
    ledger_simulated: bool = False,
    holds_by_seed=None,
    depends_on_ledger: bool = True,
    setting: str | None = None,
    counterfactuals=None,
    break_in_series: bool = False,
) -> Grade:
    """Grade one statement (rules in the module docstring).

    Parameters
    ----------
    published : bool
        The statement restates published facts that reconciliation matches (see
        :func:`published_matches`).
    holds : array-like of bool, optional
        Whether the statement holds in each uncertainty draw.  Needed unless ``published`` or the
        statement is ledger-dependent on a simulated ledger.
    ledger_simulated : bool
        The ledger is simulated.
    holds_by_seed : array-like of bool, optional
        Whether the statement holds on the ledger simulated with each seed of an ensemble.  Needed for a
        ledger-dependent statement on a simulated ledger.
    depends_on_ledger : bool, default True
        False for statements computed from population, the town table and the plan only.
    setting : str, optional
        A rule of :data:`BY_CONSTRUCTION` that makes the pattern hold by construction (no counterfactual).
    counterfactuals : mapping of setting to array-like of bool, optional
        Whether the statement holds on each seed with that setting neutralised; needed for a pattern that
        holds across seeds (see rule 3).  Tried in order; the first that removes the pattern is named.
    break_in_series : bool
        The statement rests on a series with a break: never ``robust``.

    Returns
    -------
    Grade
    """
    if published:
        return Grade("published", 1.0, 0, "published")
    if ledger_simulated and depends_on_ledger:
        if holds_by_seed is None:
            raise ValueError(
                "grade: a ledger-dependent statement on a simulated ledger is graded on the "
                "simulator-seed ensemble; pass holds_by_seed"
            )
        share, n = _share(holds_by_seed, "holds_by_seed")
        if share >= SEED_SHARE:
            if setting in BY_CONSTRUCTION:
                return Grade("built-in", share, n, "seeds", setting)
            if counterfactuals is None:
                raise ValueError(
                    "grade: the pattern holds across simulator seeds; pass counterfactuals= (setting -> holds "
                    "with that setting neutralised) to find the setting that makes it so"
                )
            for name, cf_holds in counterfactuals.items():
                _check_setting(name)
                cf_share, _ = _share(cf_holds, f"counterfactuals[{name!r}]")
                if cf_share < SEED_SHARE and share - cf_share >= MATERIAL:
                    return Grade("built-in", share, n, "seeds", name, cf_share)
        return Grade("noise", share, n, "seeds")
    if holds is None:
        raise ValueError(
            "grade: pass holds (one boolean per uncertainty draw)"
            + (
                " — this statement does not depend on the ledger, so it is graded on its draws"
                if ledger_simulated
                else ""
            )
        )
    share, n = _share(holds, "holds")
    if break_in_series:
        return Grade("uncertain", share, n, "draws", capped="break_in_series")
    return Grade("robust" if share >= ROBUST_SHARE else "uncertain", share, n, "draws")


def _check_setting(setting: str) -> None:
    if setting not in SIMULATOR_DEFAULTS and setting not in SIMULATOR_RULES:
        hint = closest(setting, [*SIMULATOR_DEFAULTS, *SIMULATOR_RULES], cutoff=0.6)
        raise ValueError(
            f"grade: {setting!r} is not a simulator setting" + (f" (did you mean {hint!r}?)" if hint else "")
        )


def key_finding_allowed(g: Grade | str) -> bool:
    """False for ``built-in`` and ``noise``: they describe the simulator, not Shunde."""
    name = g.name if isinstance(g, Grade) else str(g)
    if name not in GRADE_ORDER:
        raise ValueError(f"key_finding_allowed: unknown grade {name!r}; one of {GRADE_ORDER}")
    return name not in _NOT_KEY


def published_matches(table: pd.DataFrame, fact_ids: str | Iterable[str]) -> bool:
    """True when every named fact has status ``pass`` in a :func:`data.reconcile.reconcile` table.

    A fact that is missing, ``fail`` or ``not applicable`` means the finding does not restate a matched
    published figure.
    """
    ids = [fact_ids] if isinstance(fact_ids, str) else list(fact_ids)
    if not ids:
        raise ValueError("published_matches: name at least one fact_id")
    status = table.set_index("fact_id")["status"]
    return all(f in status.index and status[f] == "pass" for f in ids)


def rank_graded(items: Sequence[tuple[object, Grade]], limit: int | None = None) -> list[tuple[object, Grade]]:
    """Order ``(finding, grade)`` pairs by grade, then by the finding's ``severity`` (if any); stable."""
    out = sorted(items, key=lambda fg: (fg[1].rank, getattr(fg[0], "severity", 0)))
    return out[:limit] if limit else out
