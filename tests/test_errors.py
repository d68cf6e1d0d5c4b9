"""The error family: user-fixable problems are told from bugs by class (and, across the kernel, by class name)."""

from __future__ import annotations

from shunde_workbook import cli
from shunde_workbook.errors import (
    BoundaryError,
    InputError,
    LedgerError,
    ParameterError,
    RunError,
    WorkbookError,
    user_error_names,
)
from shunde_workbook.runner.runner import _failure_summary


def test_every_user_error_is_a_workbook_error():
    for cls in (ParameterError, InputError, LedgerError, BoundaryError, RunError):
        assert issubclass(cls, WorkbookError)
    assert issubclass(ParameterError, ValueError) and issubclass(LedgerError, InputError)
    assert {"ParameterError", "InputError", "LedgerError", "BoundaryError", "RunError"} <= user_error_names()
    assert not {"KeyError", "ValueError", "ZeroDivisionError"} & user_error_names()


def _record(exception: str) -> dict:
    return {
        "name": "04_fairness_need",
        "notebook": "notebooks/04_fairness_need.ipynb",
        "error": {"exception": exception, "message": "boom", "exec_count": 3},
    }


def test_failure_summary_tells_an_input_problem_from_a_bug():
    assert "problem with the inputs" in _failure_summary(_record("InputError"))
    assert "bug in the workbook" in _failure_summary(_record("KeyError"))


def test_cli_reports_a_workbook_error_as_a_message(monkeypatch, capsys):
    def fail(args):
        raise InputError("the ledger x.csv has no grant rows; check the export")

    parser = cli.build_parser()
    args = parser.parse_args(["check"])
    monkeypatch.setattr(cli, "build_parser", lambda: type("P", (), {"parse_args": lambda self, a: args})())
    monkeypatch.setattr(args, "func", fail)
    assert cli.main(["check"]) == 2
    assert "error: the ledger x.csv has no grant rows" in capsys.readouterr().err


def test_replay_arguments_set_every_recorded_parameter(tmp_path):
    import json

    from helpers import cli as run_cli

    recorded = {"language": "en", "programmes": ["和美社区"], "need_weights": {"population": 1.0}, "k": 4}
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {"run": {"parameters": recorded}, "reports": [{"notebook": "notebooks/04_fairness_need.ipynb"}]},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    sets, notebooks = cli.replay_arguments(manifest)
    assert notebooks == ["04_fairness_need"]
    from shunde_workbook.params import parse_set

    assert parse_set(sets) == recorded
    bad = tmp_path / "not_a_manifest.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    res = run_cli("run", "--replay", str(bad), timeout=60)
    assert res.returncode == 2 and "not a readable manifest.json" in res.stderr
