"""The engine: run the notebooks with papermill, one report at a time, and commit what they make.

runner    Plan, validate and run every report; write the manifest and the index.
session   The run's lock, its state (published after every report), commits and stopping on a signal.
commit    Outputs transactions: staging, per-report stamps written last, ``check``.
hygiene   Signals, the workers' parent-death watchdog, killing kernels by process group, clean terminal text.
execute   Run one notebook job into its staging folder (timeouts, partial notebook kept, full disk).
kernels   Warm kernels: a pool worker starts its next kernel while the current report exports.
memory    Peak memory of a process tree (the runner and the benchmarks).
manifest  Input hashes and provenance, package versions, git commit, cache keys.
"""
