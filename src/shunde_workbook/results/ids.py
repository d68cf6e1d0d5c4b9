"""Which run wrote an outputs folder (no pandas: the pool workers cite it on every page they export)."""

from __future__ import annotations

from pathlib import Path


def run_id(outputs: Path, manifest: dict) -> str:
    """The run that wrote an outputs folder: ``<folder name>@<start time>``."""
    return f"{Path(outputs).resolve().name}@{manifest.get('run', {}).get('started', 'unknown')}"
