"""Presenter mode: larger text and thicker lines for a projector, and less chrome on screen;
and the few style rules every page needs so that nothing is cut.

A session setting (`opt.presenter`), kept in the address bar as `?present=1` so that a reload
(or a link) keeps it; it is a way of showing, not part of the experiment, so `ui.session.link`
leaves it out of the experiment's parameters. The CSS is inline and asks for nothing from the
network: the page stays usable offline, in a lecture hall's closed network.
"""

from __future__ import annotations

import streamlit as st

from ui.session.state import PERSIST, persisted

PRESENT = "present"  # the query parameter: ?present=1
ROOT_FONT_PX = 20  # Streamlit's default is 16 px; its sizes are in rem, so everything follows

# Hides the toolbar's actions (main menu, deploy button) but not the header itself: the
# "expand sidebar" button lives there, and the sidebar holds the way out of presenter mode.
PRESENTER_CSS = f"""<style>
:root {{ font-size: {ROOT_FONT_PX}px; }}
[data-testid="stToolbarActions"], [data-testid="stMainMenu"],
[data-testid="stAppDeployButton"] {{ display: none; }}
[data-testid="stHeader"] {{ height: 2.4rem; min-height: 2.4rem; background: transparent; }}
[data-testid="stMainBlockContainer"] {{
  padding: 2.4rem 1.2rem 2rem 1.2rem; max-width: 100%;
}}
[data-testid="stMain"] h1 {{ font-size: 1.6rem; padding: 0 0 0.2rem 0; }}
[data-testid="stMain"] [data-testid="stAlertContainer"] {{ padding: 0.45rem 0.9rem; }}
[data-testid="stMain"] [data-testid="stExpander"] summary {{ padding-top: 0.45rem;
  padding-bottom: 0.45rem; }}
[data-testid="stMetricValue"] {{ font-size: clamp(1.2rem, 2.4vw, 1.9rem); }}
</style>"""

# On every page: metric labels and the sidebar's page and demo names wrap instead of ending in
# "…", metric values take a size that fits three to a row of a narrow window, Home's page links
# wrap their text; columns too narrow for a label (Train's buttons, knobs side by side inside a
# column) and Train's two charts when each would be under 300 px go onto the next row instead
# of squeezing.
BASE_CSS = """<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricValue"] { font-size: clamp(1.2rem, 2.2vw, 1.75rem); }
[data-testid="stMetricValue"] > div { overflow: visible !important; }
[data-testid="stSidebarNav"] a, [data-testid="stSidebarNav"] a *,
[data-testid="stSidebar"] [data-testid="stPageLink"] span,
[data-testid="stPageLink"] p, [data-testid="stPageLink"] span {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stPageLink"] a, [data-testid="stSidebarNav"] a { height: auto !important; }
[data-testid="stTable"] { overflow-x: auto; }
[data-testid="stTable"] table { font-size: 0.9em; table-layout: auto; width: 100%; }
[data-testid="stTable"] th, [data-testid="stTable"] td,
[data-testid="stTable"] th *, [data-testid="stTable"] td * {
  white-space: normal !important; overflow-wrap: normal !important;
  word-break: normal !important; hyphens: none !important;
}
[data-testid="stTable"] th, [data-testid="stTable"] td { padding: 0.3rem 0.4rem; }
[data-testid="stColumn"] [data-testid="stColumn"],
.st-key-train-buttons [data-testid="stColumn"] { min-width: min(6rem, 100%); }
.st-key-train-charts [data-testid="stColumn"] { min-width: min(520px, 100%); }
[data-testid="stButton"] button p { white-space: normal; }
[data-baseweb="tag"] { max-width: none !important; }
[data-baseweb="tag"] span { overflow: visible !important; text-overflow: clip !important; }
[data-testid="stWidgetLabel"] p, [data-testid="stCheckbox"] label p {
  white-space: normal !important; text-overflow: clip !important;
}
</style>"""


def presenter_on() -> bool:
    """Whether this session shows the app in presenter mode."""
    return bool(st.session_state.get(PERSIST + "presenter", False))


def presenter_toggle() -> bool:
    """The sidebar switch for presenter mode, started from the address (`?present=1`) when a
    session opens; returns its value."""
    if PERSIST + "presenter" not in st.session_state:  # a new session: a reload, a link
        st.session_state[PERSIST + "presenter"] = st.query_params.get(PRESENT) == "1"
    return st.sidebar.toggle(
        "Presenter mode",
        help="For a projector: larger text, thicker lines in the charts, fewer controls on screen.",
        **persisted("presenter", False),
    )


def presenter_css() -> None:
    """The style every page needs, and in presenter mode the larger root font, hidden toolbar
    and a sidebar that starts collapsed (once per script run)."""
    # style-only HTML goes to Streamlit's event container: no space
    st.html(BASE_CSS + (PRESENTER_CSS if presenter_on() else ""))
    # Additive to the app's page config. The browser applies a new initial state when it
    # changes (turning the mode on folds the sidebar away); a sidebar opened or closed by hand
    # keeps the person's choice, which the browser remembers.
    st.set_page_config(initial_sidebar_state="collapsed" if presenter_on() else "auto")


def presenter_in_address() -> None:
    """Put the mode in the address bar (`?present=1`), or take it out; call after the
    experiment's parameters are written (`ui.session.link.write_link` replaces the whole query)."""
    if presenter_on():
        if st.query_params.get(PRESENT) != "1":
            st.query_params[PRESENT] = "1"
    elif PRESENT in st.query_params:
        del st.query_params[PRESENT]


def knobs_and_view(folded: str):
    """(knobs, view, buttons) containers of a page with knobs on the left and charts on the
    right; in presenter mode the charts come first and take the width, the buttons under them,
    and the knobs fold into an expander called `folded` below."""
    if presenter_on():
        view, buttons = st.container(), st.container()
        return st.expander(folded, expanded=False), view, buttons
    # a third of the width for the knobs: at 1024 px a selectbox shows "Learning rate" whole,
    # and at 1440 px the three default cells stand in one row of chips
    knobs, view = st.columns([1, 2], gap="large")
    return knobs, view, knobs
