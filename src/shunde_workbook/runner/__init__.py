"""Build: run the notebooks with papermill and publish the reports.

runner    Plan, validate and run every report; write the manifest and the index.
session   The run's lock, its state (published after every report), commits and stopping on a signal.
commit    Outputs transactions: staging, per-report stamps written last, ``check``.
hygiene   Signals, the workers' parent-death watchdog, killing kernels by process group, clean terminal text.
execute   Run one notebook job into its staging folder (timeouts, partial notebook kept, full disk).
export    nbconvert HTML in two editions (policy: no code; analyst: with code).
manifest  Input hashes and provenance, package versions, git commit, cache keys.
site      ``outputs/index.html``, the landing page listing every report.
"""
