"""Regenerate environment.yml (for conda users) from requirements.lock.

Run after changing requirements.lock:  .venv/bin/python scripts/sync_environment.py
tests/test_environment.py checks that the two agree.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def render(lock_lines: list[str]) -> str:
    pins = [line.strip() for line in lock_lines if line.strip() and not line.startswith("#")]
    body = "\n".join(f"      - {pin}" for pin in pins)
    return (
        "# Generated from requirements.lock by scripts/sync_environment.py; do not edit by hand.\n"
        "# conda env create -f environment.yml && conda activate shunde-workbook && pip install --no-deps -e .\n"
        "name: shunde-workbook\n"
        "channels:\n  - conda-forge\n"
        "dependencies:\n  - python=3.11\n  - pip\n  - pip:\n"
        f"{body}\n"
    )


if __name__ == "__main__":
    lock = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    (ROOT / "environment.yml").write_text(render(lock), encoding="utf-8")
    print("environment.yml written from requirements.lock")
