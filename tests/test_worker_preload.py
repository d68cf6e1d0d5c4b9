"""A pool worker imports what building a report needs, not optional dependencies its work never uses."""

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
from shunde_workbook.runner.memory import release_memory
release_memory()  # after every job, in a worker that never loads pyarrow
loaded = [m for m in ("rfc3987_syntax", "pyarrow") if sys.modules.get(m) is not None]
print(json.dumps({"rejected": rejected, "loaded": loaded, "papermill": "papermill" in sys.modules}))
"""


def test_a_worker_validates_notebooks_without_the_iri_grammars_or_arrow():
    res = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ROOT / "notebooks" / "04_fairness_need.ipynb")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    got = json.loads(res.stdout.strip().splitlines()[-1])
    assert got == {"rejected": True, "loaded": [], "papermill": True}
