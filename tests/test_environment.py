"""The conda environment.yml and the pip lock file pin the same versions."""

import re

import yaml

from helpers import ROOT


def _pins(lines):
    return {
        line.split("==", 1)[0].lower().replace("_", "-"): line.split("==", 1)[1]
        for line in lines
        if line.strip() and not line.startswith("#")
    }


def test_environment_yml_agrees_with_lock():
    lock = _pins((ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines())
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "python=3.11" in env["dependencies"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip_section) == lock, "run scripts/sync_environment.py after changing requirements.lock"


def test_lock_pins_every_package_exactly():
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[^=\s]+", line.strip()), line


def test_lock_covers_the_design_card_and_font():
    lock = _pins((ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines())
    for name in ("jupyterlab", "pandas", "seaborn", "geopandas", "papermill", "nbconvert", "noto-cjk-sans-otc"):
        assert name in lock, name
    assert "mplfonts" not in lock
