"""Transactions for the outputs folder: stage, commit, stamp, check.

Every job writes its report, notebook, tables and figures into its own
staging folder ``outputs/.work/stage/<report>/``.  The runner then commits
the report under the run lock:

1. the report's stamp ``outputs/.stamps/<report>.json`` is removed, so an
   interruption from here on leaves the report "not built with any key";
2. the staged files are moved into place (renames on one file system);
3. files of the previous build that the new one no longer makes are removed;
4. the new stamp (cache key and the SHA-256 of every file) is written last.

The next run trusts only a stamp whose files are all present with their
recorded hashes, never the previous ``manifest.json``; :func:`check` verifies
a whole folder against its manifest and stamps.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from shunde_workbook.data.cache import file_hash
from shunde_workbook.errors import WorkbookError
from shunde_workbook.paths import inside, remove_tree, safe_name

STAMPS = ".stamps"
PUBLISHED = ("reports", "notebooks", "tables", "figures", "results")  # what a report may publish


def stage_dir(outputs: Path, name: str) -> Path:
    """The staging folder of report ``name`` (inside ``outputs`` so commits are renames).

    ``name`` must be one safe file-name component (:func:`shunde_workbook.paths.safe_name`).
    """
    return Path(outputs) / ".work" / "stage" / safe_name(name, "report name")


def stamp_path(outputs: Path, name: str) -> Path:
    """Where report ``name``'s stamp lives."""
    return Path(outputs) / STAMPS / f"{safe_name(name, 'report name')}.json"


def read_stamp(outputs: Path, name: str) -> dict | None:
    """The stamp of report ``name``, or None when absent or unreadable."""
    path = stamp_path(outputs, name)  # a name that cannot be a file raises ParameterError
    try:
        stamp = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and isinstance(stamp.get("hashes"), dict) else None


def stamp_problems(outputs: Path, stamp: dict) -> list[str]:
    """What is wrong with the files a stamp lists: missing, replaced by a link, or changed."""
    problems = []
    for rel, digest in sorted(stamp.get("hashes", {}).items()):
        path = Path(outputs) / str(rel)
        if (
            not isinstance(rel, str)
            or not Path(rel).parts
            or Path(rel).parts[0] not in PUBLISHED
            or ".." in Path(rel).parts
        ):
            problems.append(f"{rel} is not a file a report may publish")
        elif path.is_symlink():
            problems.append(f"{rel} is a symbolic link")
        elif not path.is_file():
            problems.append(f"{rel} is missing")
        elif file_hash(path) != digest:
            problems.append(f"{rel} differs from the file the run built")
    return problems


def valid_stamp(outputs: Path, name: str) -> dict | None:
    """The stamp of ``name`` if every file it lists is on disk unchanged, else None."""
    try:
        stamp = read_stamp(outputs, name)
    except WorkbookError:  # a name that cannot be a file (from a damaged manifest) has no stamp
        return None
    return stamp if stamp and not stamp_problems(outputs, stamp) else None


def symlinks(outputs: Path) -> list[Path]:
    """Symbolic links anywhere inside ``outputs`` (not followed)."""
    found = []
    for dirpath, dirnames, filenames in os.walk(outputs):
        for entry in dirnames + filenames:
            path = Path(dirpath) / entry
            if path.is_symlink():
                found.append(path)
    return found


def _write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def commit(outputs: Path, name: str, cache_key: str, info: dict) -> dict:
    """Move report ``name``'s staged files into place and write its stamp last; return the stamp.

    ``info`` (editions, built_at, seconds) is stored in the stamp as well.
    """
    outputs = Path(outputs)
    staged = stage_dir(outputs, name)
    rels = sorted(str(p.relative_to(staged)) for p in staged.rglob("*") if p.is_file() and not p.is_symlink())
    stray = [r for r in rels if Path(r).parts[0] not in PUBLISHED]
    if stray:
        raise OSError(f"unexpected files staged for {name}: {', '.join(stray[:5])}")
    hashes = {rel: file_hash(staged / rel) for rel in rels}
    old = read_stamp(outputs, name) or {"hashes": {}}
    stamp_path(outputs, name).unlink(missing_ok=True)
    for rel in rels:
        dest = outputs / rel
        for parent in [dest, *dest.parents]:
            if parent == outputs:
                break
            if parent.is_symlink():
                raise OSError(f"{parent} is a symbolic link; refusing to write through it")
        try:
            inside(outputs, dest)
        except WorkbookError as exc:  # the caller fails the report on OSError
            raise OSError(str(exc)) from None
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged / rel, dest)
    for rel in set(old["hashes"]) - set(hashes):
        stale = outputs / rel
        try:
            inside(outputs, stale)  # a stamp is a file on disk: never trust it to name what to delete
        except WorkbookError:
            continue
        if not stale.is_symlink() and Path(rel).parts[:1] and Path(rel).parts[0] in PUBLISHED:
            stale.unlink(missing_ok=True)
    stamp = {"name": name, "cache_key": cache_key, "hashes": hashes, **info}
    _write_json(stamp_path(outputs, name), stamp)
    remove_tree(staged, outputs)
    return stamp


def check(outputs: Path) -> list[str]:
    """Every inconsistency between ``outputs``, its manifest and its stamps, as readable lines (none: all good)."""
    outputs = Path(outputs)
    if not outputs.is_dir():
        return [f"{outputs} is not a folder"]
    try:
        manifest = json.loads((outputs / "manifest.json").read_text("utf-8"))
        reports = manifest["reports"]
        if not isinstance(reports, list) or not all(isinstance(r, dict) for r in reports):
            raise TypeError("'reports' is not a list of records")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{outputs / 'manifest.json'} cannot be read ({type(exc).__name__}); run the reports again"]
    problems = [f"{p.relative_to(outputs)}: symbolic link inside the outputs folder" for p in symlinks(outputs)]
    for rec in reports:
        name = str(rec.get("name", "?"))
        try:
            stamp = read_stamp(outputs, name)
        except WorkbookError:
            problems.append(f"{name[:60]!r}: the manifest names a report that cannot be a file name")
            continue
        if not rec.get("files"):
            stopped = (rec.get("error") or {}).get("exception") in ("Cancelled", "Unfinished")
            if not stopped:  # a report a stopped run never reached is not built yet, not inconsistent
                problems.append(f"{name}: no built version ({rec.get('status', 'unknown')} in the last run)")
            continue
        if stamp is None:
            problems.append(f"{name}: no stamp; the report may be half-written")
            continue
        if stamp.get("cache_key") != rec.get("cache_key"):
            problems.append(f"{name}: the files on disk were built with another cache key than the manifest says")
        if "parameters" in stamp and stamp["parameters"] != rec.get("parameters"):
            problems.append(f"{name}: the manifest lists other parameters than the files on disk were built with")
        if not isinstance(rec["files"], dict):
            problems.append(f"{name}: the manifest's file list is not a mapping")
            continue
        problems += [f"{name}: {p}" for p in stamp_problems(outputs, stamp)]
        missing = [f for f in rec["files"].values() if f not in stamp["hashes"]]
        problems += [f"{name}: {f} listed in the manifest but not in the stamp" for f in missing]
    return problems
