"""One table of results across runs: ``shunde_workbook.results.load(paths...)``.

Each report writes the values its findings and exported tables cite to
``<outputs>/results/<report>.csv`` (:mod:`shunde_workbook.results.writer`; schema in
``docs/results.md``; ``source`` tells finding rows from table rows).  :func:`load`
reads any mix of outputs folders, ``results/`` folders and single results files, and
fills ``run_id`` and ``param_hash`` from the outputs folder's ``manifest.json``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from shunde_workbook.errors import InputError
from shunde_workbook.results.ids import run_id
from shunde_workbook.results.writer import COLUMNS, read

__all__ = ["COLUMNS", "load", "param_hash", "read_measures", "run_id", "stamp"]


def param_hash(parameters: dict) -> str:
    """A short hash of a report's parameters (as listed in manifest.json), stable across runs."""
    payload = json.dumps(parameters or {}, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:12]


def _manifest(outputs: Path) -> dict:
    try:
        data = json.loads((Path(outputs) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _folder(path: Path) -> Path | None:
    """The outputs folder a results file or folder belongs to (None when there is no manifest)."""
    for cand in (path, path.parent, path.parent.parent):
        if (cand / "manifest.json").exists():
            return cand
    return None


def _stamped(df: pd.DataFrame, outputs: Path | None) -> pd.DataFrame:
    if outputs is None or df.empty:
        return df
    manifest = _manifest(outputs)
    if not manifest:
        return df
    recs = _records(manifest)
    # A report's rows belong to the build on disk: its parameters and the run that built it, which is
    # an earlier run when this one failed or skipped the report (manifest ``run_started``).
    hashes = {n: param_hash(r.get("parameters", {})) for n, r in recs.items()}
    runs = {n: run_id(outputs, {"run": {"started": r["run_started"]}}) for n, r in recs.items() if r.get("run_started")}
    df = df.copy()
    df["run_id"] = df["report"].map(runs).astype(object).fillna(run_id(outputs, manifest))
    df["param_hash"] = df["report"].map(hashes).fillna(df["param_hash"])
    run = manifest.get("run", {})
    df["commit"] = str(run.get("git_commit") or "")
    df["provenance"] = next(
        (str(i.get("status")) for i in run.get("inputs", {}).values() if i.get("parameter") == "ledger_path"), ""
    )
    return df


def _records(manifest: dict) -> dict[str, dict]:
    """The manifest's report records by name (a damaged manifest lists none)."""
    reports = manifest.get("reports") if isinstance(manifest, dict) else None
    if not isinstance(reports, list):
        return {}
    return {str(r["name"]): r for r in reports if isinstance(r, dict) and "name" in r}


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if (path / "results").is_dir():
        return sorted((path / "results").glob("*.csv"))
    if (path / "manifest.json").exists():
        return []  # an outputs folder whose reports wrote no results
    return sorted(path.glob("*.csv"))


def _read(path: Path) -> pd.DataFrame:
    """One results file, or an InputError naming it when it is not one (damaged, cut off, other columns)."""
    try:
        return read(path)
    except (OSError, ValueError, KeyError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(
            f"{path} is not a readable results file ({type(exc).__name__}: {str(exc)[:120]}); "
            "rebuild the report that wrote it, or remove the file."
        ) from None


def load(*paths: str | Path) -> pd.DataFrame:
    """Every results row under ``paths`` (outputs folders, results folders or files) as one DataFrame.

    Parameters
    ----------
    *paths : outputs folders (``outputs/``), their ``results/`` folders, or single results CSV files;
        also a measures-only sweep's ``measures.parquet`` or its folder (``docs/sweeps.md``).

    Returns
    -------
    DataFrame with the columns of :data:`COLUMNS`; only reports the folder's manifest lists
    are kept when there is a manifest (files of reports no longer built are left out).
    """
    frames = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise FileNotFoundError(f"No results at {p}: give an outputs folder, its results/ folder or a CSV.")
        if p.suffix == ".parquet" or (p / "measures.parquet").is_file():  # a measures-only sweep
            frames.append(read_measures(p if p.suffix == ".parquet" else p / "measures.parquet"))
            continue
        outputs = _folder(p)
        listed = set(_records(_manifest(outputs))) if outputs else None
        for f in _files(p):
            df = _read(f)
            if listed is not None and not df.empty and df["report"].iloc[0] not in listed:
                continue
            frames.append(_stamped(df, outputs))
    if not frames:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(frames, ignore_index=True)


def read_measures(path: str | Path) -> pd.DataFrame:
    """A measures-only sweep's ``measures.parquet`` (``docs/sweeps.md``) as :func:`load` returns it.

    Its own columns plus the store's ``report`` (``measures``), ``run_id`` (``<sweep folder>/<set id>``)
    and ``param_hash`` (the set id).
    """
    path = Path(path)
    df = pd.read_parquet(path, engine="pyarrow")
    df["report"] = "measures"
    df["run_id"] = path.parent.name + "/" + df["set_id"].astype(str)
    df["param_hash"] = df["set_id"]
    return df


def stamp(outputs: str | Path) -> int:
    """Write ``run_id`` and ``param_hash`` into every results file of an outputs folder; return files stamped."""
    outputs = Path(outputs)
    n = 0
    for f in _files(outputs / "results") if (outputs / "results").is_dir() else []:
        df = _stamped(_read(f), outputs)
        tmp = f.with_suffix(".csv.tmp")
        df.to_csv(tmp, index=False, encoding="utf-8")
        tmp.replace(f)
        n += 1
    return n
