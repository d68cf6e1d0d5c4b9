"""The data audit's findings: what the validator accepted and how the ledger reconciles with published facts."""

from __future__ import annotations

import pandas as pd

from shunde_workbook.narrative.findings import Finding, Value
from shunde_workbook.narrative.statements import ledger_hedges
from shunde_workbook.narrative.text import template


def audit_findings(check, recon: pd.DataFrame, statuses: dict) -> list[Finding]:
    """Two findings: rows read, accepted and in error (``check``, a validation), and facts that pass or fail.

    Parameters
    ----------
    check : the run's ledger validation (``n_rows``, ``n_accepted``, ``errors``).
    recon : the reconciliation with published facts (its ``status`` column: pass, fail, not applicable).
    statuses : provenance of the inputs (hedges the reconciliation when the ledger is simulated).
    """
    counts = recon["status"].value_counts()
    return [
        Finding(
            "audit.validation",
            1,
            template("findings.audit.validation"),
            {
                "rows": Value(check.n_rows, "int", "audit.n_rows"),
                "accepted": Value(check.n_accepted, "int", "audit.n_accepted"),
                "errors": Value(len(check.errors), "int", "audit.n_errors"),
            },
        ),
        Finding(
            "audit.reconciliation",
            1,
            template("findings.audit.reconciliation"),
            {
                "passed": Value(counts.get("pass", 0), "int", "audit.pass"),
                "failed": Value(counts.get("fail", 0), "int", "audit.fail"),
                "na": Value(counts.get("not applicable", 0), "int", "audit.not_applicable"),
            },
            hedges=ledger_hedges(statuses),
        ),
    ]
