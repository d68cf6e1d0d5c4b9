"""Parameter parsing and validation (no kernel involved)."""

import time

import pytest

from shunde_workbook.params import ParameterError, cross_check, declared_parameters, parse_set, validate

from helpers import ROOT, cli


def test_set_values_are_read_as_yaml():
    got = parse_set(["k=7", "language=en", "programmes=[和美社区]", "need_weights={population: 1}"])
    assert got == {"k": 7, "language": "en", "programmes": ["和美社区"], "need_weights": {"population": 1}}


def test_set_without_equals_sign_is_refused():
    with pytest.raises(ParameterError, match="NAME=VALUE"):
        parse_set(["language"])


def test_declared_parameters_read_from_tagged_cell():
    found = declared_parameters(ROOT / "tests/fixtures/notebooks/fixture_ok.ipynb")
    assert found["k"]["default"] == 5 and found["k"]["inferred_type_name"] == "int"
    assert found["language"]["default"] == "zh"


DECLARED = {
    "language": {"inferred_type_name": "str"},
    "k": {"inferred_type_name": "int"},
    "year_start": {"inferred_type_name": "int"},
    "ledger_path": {"inferred_type_name": "str"},
    "message": {"inferred_type_name": "str"},
    "output_dir": {"inferred_type_name": "str"},
}


def test_unknown_name_gets_closest_valid_name_and_list():
    (msg,) = validate({"langauge": "en"}, DECLARED)
    assert "unknown parameter 'langauge'" in msg and "Did you mean 'language'" in msg
    assert "Valid parameters:" in msg and "output_dir" not in msg  # runner-only names are not offered


@pytest.mark.parametrize(
    "name,value,fragment",
    [
        ("language", "fr", "one of zh, en"),
        ("k", "seven", "an integer from 2 to 9"),
        ("k", 12, "an integer from 2 to 9"),
        ("year_start", 2016, "from 2017 to 2023"),
        ("ledger_path", "no/such/file.csv", "existing, readable file"),
        ("message", 3, "text"),
    ],
)
def test_bad_values_name_parameter_value_and_allowed(name, value, fragment):
    (msg,) = validate({name: value}, DECLARED)
    assert f"'{name}'" in msg and repr(value) in msg and fragment in msg


def test_good_values_pass():
    assert (
        validate(
            {"language": "en", "k": 4, "year_start": 2018, "ledger_path": "data/raw/grants_simulated.csv"}, DECLARED
        )
        == []
    )


def test_runner_owned_parameter_cannot_be_set():
    (msg,) = validate({"output_dir": "/tmp"}, DECLARED)
    assert "set by the runner" in msg


def test_cross_checks():
    assert "after year_end" in cross_check({"year_start": 2022, "year_end": 2018})[0]
    assert "needs breaks" in cross_check({"scheme": "user_defined", "breaks": []})[0]


@pytest.mark.parametrize(
    "setting,expect",
    [
        ("no_such_param=1", ["unknown parameter 'no_such_param'", "Valid parameters:"]),
        ("language=fr", ["'language'", "'fr'", "one of zh, en"]),
    ],
)
def test_cli_rejects_bad_parameters_fast_without_a_kernel(tmp_path, setting, expect):
    outputs = tmp_path / "out"
    t0 = time.perf_counter()
    res = cli("run", "--set", setting, "--outputs", str(outputs), timeout=30)
    elapsed = time.perf_counter() - t0
    assert res.returncode != 0
    for fragment in expect:
        assert fragment in res.stdout
    assert "nothing was run" in res.stdout
    assert not outputs.exists(), "the run must stop before touching outputs or starting a kernel"
    assert elapsed < 5, f"validation took {elapsed:.1f} s"


def test_need_weights_must_name_town_table_columns(tmp_path):
    towns = tmp_path / "towns.csv"
    towns.write_text("town_code,town,elderly_share\n440606005,大良街道,0.1\n", encoding="utf-8")
    assert cross_check({"need_weights": {"population": 1, "elderly_share": 1}, "towns_path": str(towns)}) == []
    (msg,) = cross_check({"need_weights": {"elderly_shares": 1}, "towns_path": str(towns)})
    assert "'elderly_shares' is not a column" in msg and "did you mean 'elderly_share'" in msg
