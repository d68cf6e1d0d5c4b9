#!/usr/bin/env python
"""Write the SIMULATED grant ledger (default data/raw/grants_simulated.csv).

    .venv/bin/python scripts/simulate.py [--seed 2023] [--out PATH]

Same seed → byte-identical file.  Every row has provenance=simulated.
"""

import sys

from shunde_workbook.data.cli import simulate_main

if __name__ == "__main__":
    sys.exit(simulate_main(sys.argv[1:]))
