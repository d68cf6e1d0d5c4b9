"""Valid input never crashes a report: the study functions on small, odd but valid ledgers (Hypothesis).

Each generated ledger is a sample of the simulated ledger's rows, reshaped into the cases of issue #25: a
blank field column, a single programme, a single year, a single town, and only town-level grants (no
village code), in any combination, with any positive amounts.  Every study must return (saying in
``unavailable`` what it could not compute and why) instead of raising.
"""

from __future__ import annotations

import dataclasses
import math
import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shunde_workbook.analysis import studies
from shunde_workbook.analysis.inputs import load_inputs

from helpers import default_params

pytestmark = pytest.mark.slow  # 200 examples of five studies: about a minute on an idle machine


@pytest.fixture(scope="module")
def base():
    params = default_params()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load_inputs(params, boundaries=False), params


@st.composite
def odd_ledgers(draw, full: pd.DataFrame):
    n = draw(st.integers(10, 40))
    rows = draw(st.lists(st.integers(0, len(full) - 1), min_size=n, max_size=n))
    led = full.iloc[rows].copy().reset_index(drop=True)
    led["identifier"] = [f"H-{i}" for i in range(len(led))]
    if draw(st.booleans()):
        led["field"] = ""  # a blank 资助领域 column
    if draw(st.booleans()):
        led["programme"] = draw(st.sampled_from(sorted(full["programme"].unique())))
    if draw(st.booleans()):
        led["year"] = draw(st.sampled_from(sorted(full["year"].unique())))
    if draw(st.booleans()):
        town = draw(st.sampled_from(sorted(full["town_code"].unique())))
        led["town_code"] = town
        led["village_code"] = led["village_code"].where(led["village_code"].astype(str).str[:9] == town, "")
    if draw(st.booleans()):
        led["village_code"] = ""  # every grant at town level
    amounts = draw(st.lists(st.floats(1, 5e6, allow_nan=False), min_size=n, max_size=n))
    led["amount"] = np.round(amounts, 2)
    return led


def _finite_or_reason(result: dict, study: str) -> None:
    """Every scalar number is finite, or ``unavailable`` says why it is not."""
    unavailable = result.get("unavailable", {})
    assert isinstance(unavailable, dict), study
    for key, value in result.items():
        if isinstance(value, float) and not math.isfinite(value):
            assert key in unavailable or any(key.startswith(k) for k in unavailable), (study, key, value)
    for key, why in unavailable.items():
        assert isinstance(why, str) and why, (study, key)


def test_small_valid_ledgers_never_crash_a_study(base):
    inp0, params = base

    examples = int(os.environ.get("SWK_HYPOTHESIS_EXAMPLES", "200"))

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(odd_ledgers(inp0.full_ledger))
    def check(ledger):
        inp = dataclasses.replace(inp0, ledger=ledger, full_ledger=ledger)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = {
                "overview": studies.overview(inp),
                "distribution": studies.distribution(inp),
                "fairness": studies.fairness(inp, params["need_weights"], params["top_n"]),
                "scenarios": studies.scenarios(inp, params["need_weights"], params["floor_share"]),
                "profile": studies.profile(inp, str(ledger["town_code"].iloc[0])),
            }
        for study, result in out.items():
            _finite_or_reason(result, study)

    check()
