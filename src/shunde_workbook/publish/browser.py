"""Which reports get a PDF and the browser that prints them (light: the runner imports it after every run)."""

from __future__ import annotations

PDF_REPORTS = ("00_policy_brief",)


def chromium() -> str | None:
    """The headless browser that prints PDFs: ``$SHUNDE_CHROMIUM``, else chromium on the PATH."""
    import os
    import shutil

    return os.environ.get("SHUNDE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def no_chromium_hint() -> str:
    """The one line ``make report`` prints when the brief's PDF could not be printed for want of Chromium."""
    return (
        "No PDF of the brief: Chromium is not installed. Install it (Debian/Ubuntu: sudo apt-get install "
        "chromium) or set SHUNDE_CHROMIUM to a Chrome/Chromium binary, then run "
        "`make report ARGS='--only 00_policy_brief --force'`."
    )
