"""Publishing: turn executed notebooks and run folders into pages a reader opens.

export    nbconvert HTML in two editions (policy: no code; analyst: with code) and the brief's PDF.
site      ``outputs/index.html``, the landing page listing every report, with its town map.
pages     Shared page helpers (jinja2 rendering, number formatting, town names) for the index,
          comparisons and sweeps.
templates The nbconvert template (``shunde``), the index (``site``) and the comparison/sweep pages (``scale``).
"""
