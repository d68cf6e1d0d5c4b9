"""Shunde funding workbook: shared code behind the notebooks.

Notebooks stay thin; everything they compute, draw or check lives here.
"""

import sys as _sys

__version__ = "0.1.0"


def _stopped_early(signum, _frame):  # pragma: no cover - runs in the command only
    """SIGINT/SIGTERM before a command took over its signals: say so and leave, without a traceback."""
    import os
    import signal

    os.write(2, f"\nStopped by {signal.Signals(signum).name}.\n".encode())
    os._exit(128 + signum)


if _sys.argv and _sys.argv[0].endswith("shunde-workbook"):  # started as the command (not imported): from the start
    import signal as _signal

    for _sig in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(_sig, _stopped_early)
