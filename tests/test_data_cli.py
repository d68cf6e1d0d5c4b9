"""validate / simulate command functions."""

import argparse
import csv
import io

from shunde_workbook import paths
from shunde_workbook.cli import main, simulate, validate

from helpers import assert_same_ledger


def test_validate_clean_file_with_reconcile(capsys):
    rc = main(["validate", str(paths.RAW / "grants_simulated.csv"), "--reconcile"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "2067 accepted" in out and "F01" in out and "fail" not in out.split("Reconciliation")[1]


def test_validate_bad_file_exit_1_and_message_format(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["项目编号", "资助金额", "所属镇街", "年度", "计划", "数据来源"])
    w.writerow(["A1", "12.5", "容奇", "2019", "和美", "模拟"])
    w.writerow(["A2", "3", "新会镇", "2019", "和美", "模拟"])
    path.write_bytes(buf.getvalue().encode("gbk"))
    rc = main(["validate", str(path), "--unit", "万元"])
    out = capsys.readouterr().out
    assert rc == 1
    assert (
        f"{path}:3: column '所属镇街': bad value '新会镇' — outside Shunde: not one of its 10 镇街 (1 row(s): 3)" in out
    )
    assert "fixed:" in out and "容桂街道" in out
    assert "1 accepted" in out


def test_missing_file(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nope.csv")]) == 1


def test_subparser_helpers_and_simulate(tmp_path, capsys):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    validate.add_parser(sub)
    simulate.add_parser(sub)
    out = tmp_path / "sim.csv"
    args = parser.parse_args(["simulate", "--seed", "5", "--out", str(out)])
    assert args.func(args) == 0 and out.exists()
    args = parser.parse_args(["validate", str(out)])
    assert args.func(args) == 0
    assert main(["simulate", "--seed", "5", "--out", str(tmp_path / "sim2.csv")]) == 0
    assert_same_ledger(tmp_path / "sim2.csv", out)  # the parsed subcommand and main() write the same ledger
