"""Build: run the notebooks with papermill and publish the reports.

runner    Plan, validate and run every report; write the manifest and the index.
execute   Run one notebook job and export it (atomic writes, failures kept aside).
export    nbconvert HTML in two editions (policy: no code; analyst: with code).
manifest  Input hashes and provenance, package versions, git commit, cache keys.
site      ``outputs/index.html``, the landing page listing every report.
"""
