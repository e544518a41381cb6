"""Presenter mode: larger text and thicker lines for a projector, and less chrome on screen.

A session setting like the others (`opt.presenter`). The CSS is inline and asks for nothing from
the network: the page stays usable offline, in a lecture hall's closed network.
"""

from __future__ import annotations

import streamlit as st

from ui.state import PERSIST, persisted

ROOT_FONT_PX = 20  # Streamlit's default is 16 px; its sizes are in rem, so everything follows

# Hides the toolbar's actions (main menu, deploy button) but not the header itself: the
# "expand sidebar" button lives there, and the sidebar holds the way out of presenter mode.
PRESENTER_CSS = f"""<style>
:root {{ font-size: {ROOT_FONT_PX}px; }}
[data-testid="stToolbarActions"], [data-testid="stMainMenu"],
[data-testid="stAppDeployButton"] {{ display: none; }}
[data-testid="stMainBlockContainer"] {{ padding-top: 3rem; padding-bottom: 2rem; }}
</style>"""


def presenter_on() -> bool:
    """Whether this session shows the app in presenter mode."""
    return bool(st.session_state.get(PERSIST + "presenter", False))


def presenter_toggle() -> bool:
    """The sidebar switch for presenter mode; returns its value."""
    return st.sidebar.toggle(
        "Presenter mode",
        help="For a projector: larger text, thicker lines in the charts, fewer controls on screen.",
        **persisted("presenter", False),
    )


def presenter_css() -> None:
    """In presenter mode, the page's larger root font and hidden toolbar (once per script run)."""
    if presenter_on():
        st.html(PRESENTER_CSS)  # style-only HTML goes to Streamlit's event container: no space
