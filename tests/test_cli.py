"""The shunde-workbook console command's subcommands, run as a user would."""

import geopandas as gpd
import pytest

from helpers import ROOT, assert_same_boundaries, assert_same_ledger, cli


def test_build_geo_reproduces_the_committed_shapefiles(tmp_path):
    res = cli("build-geo", "--out", str(tmp_path), timeout=120)
    assert res.returncode == 0, res.stderr
    for name in ("shunde_towns_approx", "shunde_district_outline"):
        built = gpd.read_file(tmp_path / f"{name}.shp")
        assert built.crs == "EPSG:4326"
        assert_same_boundaries(built, gpd.read_file(ROOT / f"shapefiles/{name}.shp"))


def test_simulate_reproduces_the_committed_ledger(tmp_path):
    out = tmp_path / "sim.csv"
    res = cli("simulate", "--seed", "2023", "--out", str(out), timeout=120)
    assert res.returncode == 0 and "provenance=simulated" in res.stdout
    assert_same_ledger(out, ROOT / "data/raw/grants_simulated.csv")


def test_validate_accepts_the_default_ledger_and_reconciles():
    res = cli("validate", "data/raw/grants_simulated.csv", "--reconcile", timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "pass" in res.stdout and "fail" not in res.stdout.split("not applicable")[-1].split()


def test_validate_rejects_a_bad_file_with_row_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "项目编号,项目名称,资助金额,所属镇街,村(社区),年度,计划,领域\nA1,测试,-5,大良,,2019,和美社区,教育发展\n",
        encoding="utf-8",
    )
    res = cli("validate", str(bad), "--unit", "元", "--provenance", "official", timeout=60)
    assert res.returncode == 1
    assert "bad.csv" in res.stdout and ":2" in res.stdout and "资助金额" in res.stdout


@pytest.mark.parametrize("args", [["run", "--jobs", "0"], ["nonsense"]])
def test_bad_command_lines_exit_nonzero(args):
    assert cli(*args, timeout=30).returncode != 0
