#!/usr/bin/env python
"""Time the Monte Carlo evidence for every district metric; print one line.

    .venv/bin/python benchmarks/uncertainty.py            # also run by make bench (run_suite.py)
    .venv/bin/python benchmarks/uncertainty.py --draws 5000 --with-ensemble

Prints one line: ``uncertainty: <draws> draws of all district metrics in <seconds> s; seed ensemble and
counterfactuals: <seconds> s (<n> seeds, <k> settings)``.

Both figures time the work from scratch: every cache the package keeps between calls (the grant
bootstrap, simulated ledgers and columns, aggregated seed ensembles, the simulator's set-up:
``evidence.clear_caches``) is cleared inside the timed loop, before each call.

The first figure times one ``analysis.evidence.evidence`` call on the default inputs
(params/default.yaml) with the default model: the population, need-weight and stratified-bootstrap
draws, and every metric of ``metrics.montecarlo`` (shares, per resident, Gini, Theil, CV, HHI, top-n
share, need, target, distance, the five allocation rules and their shifts) for all draws plus the
central point.  Not timed: loading the ledger, town table and villages from disk (done once before),
and, unless ``--with-ensemble``, the seed ensemble.  The second figure times what grading needs on a
simulated ledger: the seed ensemble (20 in-memory simulator runs) and the counterfactual ensembles of
every setting (10 seeds each, both neutral values for ``town_weight_population``; the rule
``programme_start_dates`` filters the seed ensemble's first 10 ledgers again: 100 simulator runs in
all, each aggregated from the simulator's arrays, ``analysis.ensemble_rows``), as
``Evidence.counterfactual`` computes them, in one process.  A default run computes only the counterfactuals
its built-in candidates need, and a sweep computes each ensemble once per worker process.
Figures are medians of ``--repeats`` calls (default 3; the second figure once).  The machine is shared,
so other work inflates wall times; a second line gives the CPU seconds of the same calls, which do not
depend on what else runs.  Target: under 2 s for 1,000 draws on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import time

from shunde_workbook.analysis import evidence as evi
from shunde_workbook.analysis import load_inputs
from shunde_workbook.analysis import uncertainty as unc
from shunde_workbook.params import load_param_file
from shunde_workbook.paths import PARAMS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--draws", type=int, default=unc.MODEL_DEFAULTS["draws"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--with-ensemble", action="store_true", help="include the (uncached) seed ensemble")
    args = ap.parse_args(argv)

    params = load_param_file(PARAMS / "default.yaml")
    inp = load_inputs(params, boundaries=False)  # file loading: not timed
    ensemble = unc.MODEL_DEFAULTS["seed_ensemble"] if args.with_ensemble else 0
    model = unc.UncertaintyModel(draws=args.draws, seed_ensemble=ensemble)
    times, cpus = [], []
    for _ in range(max(1, args.repeats)):
        evi.clear_caches(inp)  # from scratch every time: a repeat must not read the previous call's draws
        t0, c0 = time.perf_counter(), time.process_time()
        evi.evidence(inp, params["need_weights"], params["floor_share"], model=model, top_n=params["top_n"])
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    from shunde_workbook.analysis.counterfactual import LEDGER_RULES, NEUTRAL

    settings = [*NEUTRAL, *LEDGER_RULES]
    evi.clear_caches(inp)
    t0, c0 = time.perf_counter(), time.process_time()
    ev = evi.evidence(inp, params["need_weights"], params["floor_share"], model=unc.UncertaintyModel(draws=1))
    for setting in settings:
        ev.counterfactual(setting)
    cf_time, cf_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"uncertainty: {args.draws} draws of all district metrics in {statistics.median(times):.2f} s; "
        f"seed ensemble and counterfactuals: {cf_time:.1f} s ({ev.model.seed_ensemble} seeds, "
        f"{len(settings)} settings)"
    )
    print(f"    CPU: {statistics.median(cpus):.2f} s and {cf_cpu:.1f} s (from scratch, caches cleared)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
