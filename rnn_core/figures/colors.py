"""The app's colours: Okabe and Ito's palette, which stays distinct for the common forms of
colour blindness and keeps its contrast on a washed-out projector better than Plotly's default
(whose dark and light blues look alike there), and one colour per cell on every page.

    RNN (tanh)  vermillion     LSTM  blue     GRU  bluish green     RNN (relu)  reddish purple
"""

from __future__ import annotations

OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "bluish green": "#009E73",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "sky blue": "#56B4E9",
    "yellow": "#F0E442",
    "black": "#000000",
}
# For series with no meaning of their own (sine series, IMU axes): the palette in an order whose
# neighbours differ in hue and in lightness; the pale yellow comes last.
SERIES_COLORS = tuple(
    OKABE_ITO[name]
    for name in (
        "blue",
        "orange",
        "bluish green",
        "vermillion",
        "reddish purple",
        "sky blue",
        "black",
        "yellow",
    )
)
CELL_COLORS = {
    "RNN (tanh)": OKABE_ITO["vermillion"],
    "RNN (relu)": OKABE_ITO["reddish purple"],
    "LSTM": OKABE_ITO["blue"],
    "GRU": OKABE_ITO["bluish green"],
}
TRAIN_COLOR, VAL_COLOR = OKABE_ITO["blue"], OKABE_ITO["orange"]
TARGET_COLOR, GREY, PREVIOUS_COLOR = "#333333", "#444444", "#999999"


def cell_color(label: str, fallback: int = 0) -> str:
    """The colour of the cell a label names ('LSTM', 'RNN (relu), no clipping', 'GRU layer 1');
    a plain 'RNN' is the tanh one. A label naming no cell gets the `fallback`-th series colour."""
    for name in ("RNN (relu)", "RNN (tanh)", "LSTM", "GRU"):
        if label.startswith(name):
            return CELL_COLORS[name]
    if label.startswith("RNN"):
        return CELL_COLORS["RNN (tanh)"]
    return SERIES_COLORS[fallback % len(SERIES_COLORS)]


def translucent(color: str, alpha: float = 0.18) -> str:
    """A '#RRGGBB' colour as a translucent rgba fill (a band under its line)."""
    red, green, blue = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"
