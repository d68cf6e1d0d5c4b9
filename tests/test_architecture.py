"""The package's import graph: imports point down the data flow only, with no cycle; files stay short.

Every module under ``src/shunde_workbook/`` is parsed with :mod:`ast` (nothing is imported), and every
``import shunde_workbook...`` / ``from shunde_workbook... import`` / relative import is collected, including
imports inside functions.  Each module belongs to a stage (its first name under ``shunde_workbook``) and a module
may import only from its own stage or a lower one.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import ROOT

PKG = "shunde_workbook"
SRC = ROOT / "src"
PKG_DIR = SRC / PKG
MAX_LINES = 500

# Position of each stage in the data flow; an import may only point to the same or a lower rank.
STAGES = {
    "errors": 0,
    "paths": 0,
    "units": 0,
    "metrics": 1,  # pure computations (rounding, checked numbers included): they import only errors
    "data": 2,  # inputs: the ledger, reference tables, the simulator (which apportions with metrics.rounding)
    "geo": 2,
    "params": 3,
    "analysis": 4,
    "narrative": 5,
    "report": 6,
    "results": 6,  # written by report.presenter; the writer names columns with report.exports (same rank)
    "publish": 7,  # exported pages, the index, the comparison and sweep pages
    "runner": 8,  # the engine: runs notebooks, commits outputs, asks publish for pages
    "experiments": 9,  # compare and sweep: run the runner, read the results
    "cli": 10,
}


@dataclass(frozen=True)
class Edge:
    """One import of a package module by another."""

    source: str  # importing module, e.g. shunde_workbook.data.ledger
    target: str  # imported module, e.g. shunde_workbook.data.schema
    file: str  # relative to the folder that holds src/
    line: int

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def module_name(path: Path, src: Path = SRC) -> str:
    """Dotted module name of a file under ``src`` (a package's ``__init__.py`` is the package)."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(src: Path = SRC, pkg: str = PKG) -> dict[str, Path]:
    """{module name: file} for every module of the package."""
    return {module_name(p, src): p for p in sorted((src / pkg).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str:
    """The longest known module that ``name`` is, or lies inside (``pkg.mod.func`` -> ``pkg.mod``)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name


def imports(path: Path, known: dict[str, Path], src: Path = SRC, pkg: str = PKG) -> list[Edge]:
    """Every import of a package module in ``path``, at any depth (functions, classes, ``if`` blocks)."""
    source = module_name(path, src)
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = path.relative_to(src.parent).as_posix()
    edges = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the containing package, one level up per extra dot
                base = source.split(".") if is_package else source.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            # `from pkg.sub import mod` imports the module pkg.sub.mod when it is one; otherwise pkg.sub.
            names = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module for alias in node.names]
        else:
            continue
        for name in names:
            if name == pkg or name.startswith(pkg + "."):
                target = _resolve(name, known)
                if target and target != source:
                    edges.append(Edge(source, target, rel, node.lineno))
    return edges


def stage(module: str) -> str | None:
    """The stage of a package module: its first name under the package (the package itself has none)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def upward(edges: list[Edge]) -> list[str]:
    """A message for each import that points up the data flow or into a module with no stage."""
    bad = []
    for e in edges:
        s, t = stage(e.source), stage(e.target)
        if s is None:
            bad.append(f"{e.where()}: the package root imports {e.target}; it must import nothing")
        elif t is None:
            continue  # the package root itself (``__version__``) imports nothing
        elif s not in STAGES or t not in STAGES:
            missing = s if s not in STAGES else t
            bad.append(f"{e.where()}: {e.source} imports {e.target}, but stage {missing!r} has no rank in STAGES")
        elif STAGES[t] > STAGES[s]:
            bad.append(
                f"{e.where()}: {e.source} ({s}, rank {STAGES[s]}) imports {e.target} "
                f"({t}, rank {STAGES[t]}): upward in the data flow"
            )
    return bad


def cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One cycle (as its list of edges) per strongly connected group of modules that import each other."""
    graph: dict[str, dict[str, Edge]] = {}
    for e in edges:
        graph.setdefault(e.source, {}).setdefault(e.target, e)
    found, done = [], set()
    for start in sorted(graph):
        if start in done:
            continue
        # Depth-first search for a path that comes back to `start`.
        stack = [(start, iter(sorted(graph.get(start, {}))))]
        path: list[Edge] = []
        seen = {start}
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if path:
                    path.pop()
                continue
            edge = graph[node][child]
            if child == start:
                found.append([*path, edge])
                done.update(e.source for e in found[-1])
                break
            if child not in seen:
                seen.add(child)
                path.append(edge)
                stack.append((child, iter(sorted(graph.get(child, {})))))
    return found


def all_edges() -> list[Edge]:
    known = modules()
    return [e for path in known.values() for e in imports(path, known)]


# ----------------------------------------------------------------- the checker itself


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / PKG / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_checker_finds_imports_of_every_form(tmp_path):
    _write(
        tmp_path,
        {
            "__init__.py": "",
            "errors.py": "",
            "data/__init__.py": "from .ledger import load\n",
            "data/ledger.py": "import shunde_workbook.errors\nfrom . import schema\nfrom ..geo.names import X\n",
            "data/schema.py": "def f():\n    from shunde_workbook.metrics import gini\n",
            "geo/__init__.py": "",
            "geo/names.py": "",
            "metrics/__init__.py": "",
        },
    )
    known = modules(tmp_path)
    found = {(e.source, e.target, e.line) for p in known.values() for e in imports(p, known, tmp_path)}
    assert found == {
        ("shunde_workbook.data", "shunde_workbook.data.ledger", 1),
        ("shunde_workbook.data.ledger", "shunde_workbook.errors", 1),
        ("shunde_workbook.data.ledger", "shunde_workbook.data.schema", 2),
        ("shunde_workbook.data.ledger", "shunde_workbook.geo.names", 3),
        ("shunde_workbook.data.schema", "shunde_workbook.metrics", 2),  # inside a function
    }


def test_checker_reports_upward_imports_and_cycles(tmp_path):
    _write(
        tmp_path,
        {
            "__init__.py": "",
            "data/__init__.py": "",
            "data/a.py": "from shunde_workbook.data import b\n",
            "data/b.py": "from shunde_workbook.data.c import x\n",
            "data/c.py": "def f():\n    from shunde_workbook.data.a import y\n",
            "data/d.py": "\n\nfrom shunde_workbook.report.charts import bar\n",
            "report/__init__.py": "",
            "report/charts.py": "from shunde_workbook.data.d import z\n",
        },
    )
    known = modules(tmp_path)
    edges = [e for p in known.values() for e in imports(p, known, tmp_path)]
    bad = upward(edges)
    assert len(bad) == 1 and "shunde_workbook/data/d.py:3" in bad[0] and "shunde_workbook.report.charts" in bad[0]
    loops = [{e.source for e in c} for c in cycles(edges)]
    assert {"shunde_workbook.data.a", "shunde_workbook.data.b", "shunde_workbook.data.c"} in loops
    assert {"shunde_workbook.data.d", "shunde_workbook.report.charts"} in loops


# ----------------------------------------------------------------- the package


def test_every_module_has_a_stage():
    stages = {stage(m) for m in modules()} - {None}
    assert stages <= set(STAGES), f"modules in stages with no rank: {sorted(stages - set(STAGES))}"


def test_imports_point_down_the_data_flow():
    bad = upward(all_edges())
    flow = " < ".join(sorted(STAGES, key=STAGES.get))
    assert not bad, f"imports against the data flow ({flow}):\n" + "\n".join(bad)


def test_no_import_cycles():
    found = cycles(all_edges())
    text = ["  " + " -> ".join([c[0].source, *(f"{e.target} ({e.where()})" for e in c)]) for c in found]
    assert not found, "modules that import each other:\n" + "\n".join(text)


def _long_files() -> dict[str, int]:
    counts = {
        p.relative_to(ROOT).as_posix(): len(p.read_text(encoding="utf-8").splitlines())
        for p in sorted(SRC.rglob("*.py"))
    }
    return {path: n for path, n in counts.items() if n > MAX_LINES}


def _in_ledger(path: str) -> bool:
    return path.startswith("src/shunde_workbook/data/ledger")  # ledger.py, or the package it is split into


def _over(files: dict[str, int]) -> str:
    return f"files over {MAX_LINES} lines: " + ", ".join(f"{p} ({n})" for p, n in files.items())


def test_no_source_file_over_500_lines():
    long = {p: n for p, n in _long_files().items() if not _in_ledger(p)}
    assert not long, _over(long)


# data/ledger.py (781 lines) is being split into smaller modules; until that lands this one is expected to fail.
@pytest.mark.xfail(
    any(_in_ledger(p) for p in _long_files()),
    reason="data/ledger.py is over 500 lines and is being split into smaller modules",
    strict=False,
)
def test_ledger_files_under_500_lines():
    long = {p: n for p, n in _long_files().items() if _in_ledger(p)}
    assert not long, _over(long)


def test_at_most_six_top_level_modules():
    top = sorted(p.name for p in PKG_DIR.glob("*.py") if p.name != "__init__.py")
    assert len(top) <= 6, f"top-level modules (at most 6; the rest belong to a stage's package): {top}"


def test_no_package_named_build():
    assert not [p for p in PKG_DIR.rglob("build") if p.is_dir()], "a folder named build/ is ignored by many tools"
