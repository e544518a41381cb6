"""How much an analysis that the server runs itself (the gradient race) may add to the server
process at its peak: a setting of the operator's, since the server's memory is everyone's."""

from __future__ import annotations

import math
import os

from rnn_core.bounds import MIB

# Its bound: `RNN_EXPLORER_ANALYSIS_MIB` when set to a positive number.
ANALYSIS_VARIABLE = "RNN_EXPLORER_ANALYSIS_MIB"
ANALYSIS_MIB = 128


def analysis_memory_limit() -> int:
    """Bytes one analysis may add to the server process: `RNN_EXPLORER_ANALYSIS_MIB` when set to
    a positive number, else 128 MiB."""
    text = os.environ.get(ANALYSIS_VARIABLE, "").strip()
    try:
        mib = float(text) if text else 0.0
    except ValueError:
        mib = 0.0
    return int((mib if mib > 0 and math.isfinite(mib) else ANALYSIS_MIB) * MIB)
