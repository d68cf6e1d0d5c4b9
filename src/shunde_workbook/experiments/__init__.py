"""Experiments across runs: compare two runs, sweep a grid of parameter sets.

compare       Two runs side by side: parameters, inputs and every measure of the results stores.
sweep         A YAML grid of parameter sets, each run into its own outputs folder.
sweep_report  The sweep's overview page and table of measures across sets.
backends      Where a sweep's sets run: a local process pool (default).
dask_backend  The same sets as Dask tasks (``--backend dask``).
"""
