"""``python -m shunde_workbook.cli …``: the same as the ``shunde-workbook`` command."""

import sys

from shunde_workbook.cli import main

sys.exit(main())
