#!/usr/bin/env python
"""Time the Monte Carlo evidence for every district metric; print one line.

    .venv/bin/python benchmarks/uncertainty.py            # also run by make bench (run_suite.py)
    .venv/bin/python benchmarks/uncertainty.py --draws 5000 --with-ensemble

Prints one line: ``uncertainty: <draws> draws of all district metrics in <seconds> s; seed ensemble and
counterfactuals: <seconds> s (<n> seeds, <k> settings)``.

Timed: one ``analysis.evidence.evidence`` call on the default inputs (params/default.yaml)
with the default model: the population, need-weight and stratified-bootstrap draws, and every
metric of ``metrics.montecarlo`` (shares, per resident, Gini, Theil, CV, HHI, top-n share, need,
target, distance, the five allocation rules and their shifts) for all draws plus the central point.
Not timed in the first figure: loading the ledger, town table and villages from disk (done once before),
and, unless ``--with-ensemble``, the seed ensemble (20 in-memory simulator runs, cached per process after
the first call).  The second figure times, from scratch (simulator cache cleared), what grading needs on
a simulated ledger: the seed ensemble (20 seeds) and the counterfactual ensembles of every setting
(10 seeds each, both neutral values for ``town_weight_population``), as ``Evidence.counterfactual``
computes them.  A default run computes only the counterfactuals its built-in candidates need.
Figures are medians of ``--repeats`` calls (default 3; the second figure once unless --repeats is
given); the machine is shared, so other work inflates them.  Target: under 2 s for 1,000 draws on 2 cores.
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
    times = []
    for _ in range(max(1, args.repeats)):
        unc._SIMULATED.clear()  # an ensemble, when asked for, is timed from scratch every time
        t0 = time.perf_counter()
        evi.evidence(inp, params["need_weights"], params["floor_share"], model=model, top_n=params["top_n"])
        times.append(time.perf_counter() - t0)
    from shunde_workbook.analysis.counterfactual import LEDGER_RULES, NEUTRAL

    settings = [*NEUTRAL, *LEDGER_RULES]
    unc._SIMULATED.clear()
    t0 = time.perf_counter()
    ev = evi.evidence(inp, params["need_weights"], params["floor_share"], model=unc.UncertaintyModel(draws=1))
    for setting in settings:
        ev.counterfactual(setting)
    cf_time = time.perf_counter() - t0
    print(
        f"uncertainty: {args.draws} draws of all district metrics in {statistics.median(times):.2f} s; "
        f"seed ensemble and counterfactuals: {cf_time:.1f} s ({ev.model.seed_ensemble} seeds, "
        f"{len(settings)} settings)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
