"""A pool worker imports what building a report needs, and not the grammars jsonschema would load for nothing."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import ROOT

SCRIPT = """
import json, sys
from shunde_workbook.runner.kernels import _preload
_preload()
import nbformat
nb = nbformat.read(sys.argv[1], as_version=4)
nbformat.validate(nb)  # a real notebook passes
bad = nbformat.from_dict({**nb, "cells": [{"cell_type": "code", "source": 1}]})
try:
    nbformat.validate(bad)
    rejected = False
except nbformat.ValidationError:
    rejected = True
print(json.dumps({"rejected": rejected, "grammar": "rfc3987_syntax" in sys.modules
                  and sys.modules["rfc3987_syntax"] is not None, "papermill": "papermill" in sys.modules}))
"""


def test_a_worker_validates_notebooks_without_loading_the_iri_grammars():
    res = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "notebooks" / "04_fairness_need.ipynb")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got == {"rejected": True, "grammar": False, "papermill": True}
