"""The students' starter notebook, copied under a runnable name, is picked up and built by the runner."""

import shutil

import pytest

from shunde_workbook.runner.runner import discover, run

from helpers import ROOT

pytestmark = pytest.mark.slow


def test_copied_starter_is_discovered_and_built(tmp_path):
    nbdir = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", nbdir)
    assert "_starter_extend" not in [r.name for r in discover(nbdir)], "templates starting with _ are skipped"
    shutil.copy(nbdir / "_starter_extend.ipynb", nbdir / "07_my_analysis.ipynb")
    assert "07_my_analysis" in [r.name for r in discover(nbdir)]
    out = tmp_path / "out"
    assert run(only=["07_my_analysis"], notebooks_dir=nbdir, outputs=out, jobs=1) == 0
    html = (out / "reports/07_my_analysis.html").read_text("utf-8")
    assert "人均资助最高与最低镇街之比为" in html and 'class="sw-banner"' in html
