"""Docs that run: every code block in README.md, params/README.md, docs/*.md and data/README.md is executed
here, or by the test named in a ``<!-- run by tests/….py -->`` line just before it, or marked in the Markdown
as an illustration (an ``<!-- illustration: why -->`` line just before it).

* ``python`` blocks run in a fresh interpreter, from the folder that holds a default run's ``outputs/``;
* ``yaml`` blocks are parsed, and a sweep file is checked by the sweep's own loader;
* shell blocks run line by line from a temporary folder holding a clean ``台账.xlsx``; ``shunde-workbook run``
  lines get ``--only 01_data_audit --jobs 1 --outputs <tmp>`` appended (one report, not the sixteen).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers import ROOT

pytestmark = pytest.mark.slow

DOCS = [
    ROOT / "README.md",
    ROOT / "params" / "README.md",
    ROOT / "data" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
ILLUSTRATION = re.compile(r"<!--\s*illustration\b[^>]*-->\s*$")
RUN_BY = re.compile(r"<!--\s*run by (tests/\S+\.py)\s*-->\s*$")  # a block another test runs as written


def blocks() -> list[tuple[str, int, str, str, bool]]:
    """(file, line, language, code, illustration) for every fenced block of the docs."""
    out = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            before = text[: m.start()].rstrip("\n").splitlines()[-1:] or [""]
            body = "\n".join(line.removeprefix(m.group("indent")) for line in m.group("body").splitlines())
            line = text.count("\n", 0, m.start()) + 1
            lang = m.group("info").strip().split(" ")[0] or "text"
            by = RUN_BY.search(before[0])
            if by:  # run elsewhere: that test must exist and read this file
                assert path.name in (ROOT / by.group(1)).read_text(encoding="utf-8"), f"{path}:{line}: {by.group(1)}"
            skip = bool(ILLUSTRATION.search(before[0]) or by)
            out.append((str(path.relative_to(ROOT)), line, lang, body, skip))
    return out


BLOCKS = blocks()


def test_every_block_is_run_or_marked():
    assert len(BLOCKS) >= 8, "the docs' code blocks were not found"
    unknown = [
        (f, n, lang)
        for f, n, lang, _, ill in BLOCKS
        if not ill and lang not in ("python", "yaml", "sh", "bash", "text")
    ]
    assert not unknown, f"blocks this test cannot run and that are not marked as illustrations: {unknown}"


def _run(cmd: list[str], cwd: Path, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.parametrize(
    "where,lang,code", [(f"{f}:{n}", lang, code) for f, n, lang, code, ill in BLOCKS if not ill and lang == "python"]
)
def test_python_blocks_run(where, lang, code, full_run_zh):
    done = _run([sys.executable, "-c", code], cwd=full_run_zh.parent)
    assert done.returncode == 0, f"{where} failed:\n{done.stderr[-3000:]}"


@pytest.mark.parametrize(
    "where,code", [(f"{f}:{n}", code) for f, n, lang, code, ill in BLOCKS if not ill and lang == "yaml"]
)
def test_yaml_blocks_parse_and_sweeps_validate(where, code, tmp_path):
    spec = yaml.safe_load(code)
    assert isinstance(spec, dict), f"{where}: not a mapping"
    if "measures" in spec:  # a sweep file: the sweep's own loader checks it (every set, every measure)
        from shunde_workbook.experiments.sweep import load_sweep, validate_sweep

        path = tmp_path / "sweep.yaml"
        path.write_text(code, encoding="utf-8")
        assert validate_sweep(load_sweep(path)), f"{where}: the sweep has no parameter sets"


def _here(arg: str, folder: Path) -> str:
    """``name_path=file`` with ``file`` made absolute when the block wrote it in ``folder``."""
    name, sep, value = arg.partition("=")
    return f"{name}={folder / value}" if sep and name.endswith("_path") and (folder / value).is_file() else arg


def _clean_ledger(folder: Path) -> None:
    """A small clean ledger as 台账.xlsx (the first 40 rows of the simulated one)."""
    led = pd.read_csv(ROOT / "data" / "raw" / "grants_simulated.csv", dtype=str, keep_default_na=False).head(40)
    led.to_excel(folder / "台账.xlsx", index=False)


@pytest.mark.parametrize(
    "where,code",
    [(f"{f}:{n}", code) for f, n, lang, code, ill in BLOCKS if not ill and lang in ("sh", "bash", "text")],
)
def test_shell_blocks_run(where, code, tmp_path):
    _clean_ledger(tmp_path)
    for raw in code.splitlines():
        line = raw.split("  #")[0].strip()
        if not line or line.startswith("#"):
            continue
        args = shlex.split(line)
        exe = args[0].removeprefix(".venv/bin/")
        assert exe == "shunde-workbook", (
            f"{where}: '{line}' is not a shunde-workbook command; mark it as an illustration"
        )
        args = [str(Path(sys.executable).parent / "shunde-workbook"), *args[1:]]
        if args[1] == "run":
            # run reads relative paths from the project folder: files the block wrote here are given absolutely
            args = [
                re.sub(r"^(\w+_path)=(.+)$", lambda m: f"{m[1]}={tmp_path / m[2]}", a)
                if (tmp_path / a.partition("=")[2]).is_file()
                else a
                for a in args
            ]
            args += ["--only", "01_data_audit", "--jobs", "1", "--outputs", str(tmp_path / "outputs")]
        done = _run(args, cwd=tmp_path)
        assert done.returncode == 0, (
            f"{where}: '{line}' exited {done.returncode}:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}"
        )
