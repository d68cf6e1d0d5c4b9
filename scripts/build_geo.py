#!/usr/bin/env python
"""Rebuild the approximate town boundaries in ``shapefiles/``.

Usage::

    .venv/bin/python scripts/build_geo.py                 # from shapefiles/source
    .venv/bin/python scripts/build_geo.py --reference-dir ../shared/reference

No network is used; the inputs are the committed copies in
``shapefiles/source`` unless ``--reference-dir`` points elsewhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from shunde_workbook.geo.build import build_geo

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", type=Path, default=ROOT / "shapefiles")
    ap.add_argument("--reference-dir", type=Path, default=None, help="folder with the inputs (default: OUT_DIR/source)")
    args = ap.parse_args(argv)
    result = build_geo(args.out_dir, args.reference_dir)
    print(f"wrote {result['towns_path']} and {result['outline_path']}")
    print(
        f"outline {result['outline_km2']:.3f} km2; published total {result['published_total_km2']:.2f} km2; "
        f"targets scaled by {result['scale']:.6f}; Newton iterations {result['iterations']}"
    )
    print(f"{'town':<6} {'published':>10} {'target':>10} {'built':>10} {'error %':>9}")
    for row in result["table"]:
        print(
            f"{row['town']:<6} {row['published_km2']:>10.2f} {row['target_km2']:>10.3f} "
            f"{row['built_km2']:>10.3f} {row['error_pct']:>9.4f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
