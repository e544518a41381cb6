"""Upper bounds of every size a setting, a link or a file can ask for (no imports: Home reads
them without torch). Sizes are checked against them before a tensor is allocated, so nothing a
person types, links or uploads can make a model or a dataset that exhausts the server."""

MAX_UNITS = 512  # units per layer and direction (hidden size, each of "units per layer")
MAX_LAYERS = 4  # stacked recurrent layers
MAX_VOCAB = 2000  # distinct characters of a text; also the most values in or out per step
MAX_EMBEDDING = 512  # width of a text model's embedding
MAX_TEXT_CHARS = 5_000_000  # characters of a text to train on (pasted or uploaded)
MAX_RUNS = 8  # trainings one comparison starts: four cells, each with and without clipping
MAX_RUN_NAME = 200  # characters of a run's name (the Rename box allows fewer)
MAX_HISTORY_ROWS = 100_000  # history rows a run may bring in one import: the longest training
# the Train page starts (100,000 steps), one row a step
MAX_STEP = 1_000_000_000  # the highest step number a run's history may hold
MAX_SERIES_BYTES = 64 * 2**20  # a time-series CSV (or zip) a person uploads
MAX_SERIES_ROWS = 2_000_000  # rows of a time series, after the missing steps are put back
MAX_SERIES_COLUMNS = 64  # numeric columns of a time series

MIB = 2**20  # bytes


class BudgetError(ValueError):
    """Settings whose training would pass the memory limit; the message names the knob."""


def mib_text(count: int) -> str:
    """Bytes as a person reads them: '12 MiB', '3.4 GiB'."""
    if count >= 2**30:
        return f"{count / 2**30:.1f} GiB"
    return f"{max(count / MIB, 0.1):.3g} MiB" if count < 10 * MIB else f"{count / MIB:,.0f} MiB"
