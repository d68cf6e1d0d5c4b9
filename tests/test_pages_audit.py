"""The data audit runs on any ledger: a clean 3-row ledger gets its audit; other reports keep their refusal."""

from __future__ import annotations

import pandas as pd
import pytest

from shunde_workbook.analysis.inputs import MIN_GRANTS, load_inputs
from shunde_workbook.errors import InputError

from helpers import ROOT, default_params, reader_text, run_reports


def _small_ledger(folder, n=3):
    led = pd.read_csv(ROOT / "data" / "raw" / "grants_simulated.csv", dtype=str, keep_default_na=False).head(n)
    path = folder / "three_rows.csv"
    led.to_csv(path, index=False, encoding="utf-8")
    return path


def test_other_reports_still_refuse_a_ledger_too_small_for_distribution_measures(tmp_path):
    params = {**default_params(), "ledger_path": str(_small_ledger(tmp_path))}
    with pytest.raises(InputError, match=f"at least {MIN_GRANTS} are needed"):
        load_inputs(params, boundaries=False)
    assert len(load_inputs(params, boundaries=False, min_grants=1).ledger) == 3


@pytest.mark.slow
def test_the_audit_runs_on_a_three_row_clean_ledger(tmp_path):
    ledger = _small_ledger(tmp_path)
    out = run_reports(tmp_path / "outputs", ["01_data_audit"], [f"ledger_path={ledger}"])
    page = reader_text((out / "reports" / "01_data_audit.html").read_text(encoding="utf-8"))
    assert "3" in page and ("校验" in page or "validation" in page.lower())
