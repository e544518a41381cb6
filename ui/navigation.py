"""The app's navigation: st.navigation routes every page, from app_pages/ (a folder that Streamlit
does not discover by itself, so a deep link as a fresh server's first request runs app.py too).
"""

from __future__ import annotations

import streamlit as st

from ui.session import preload
from ui.session.link import apply_link, link_control, link_problems, preset_links, write_link
from ui.session.owner import read_shared_link, remember_owner, shared_in_address
from ui.session.presenter import presenter_css, presenter_in_address, presenter_toggle
from ui.session.status import sidebar_status


def app_pages() -> list[st.Page]:
    """The pages in the order of a lecture; URL paths match the file names."""
    return [
        st.Page("app_pages/home.py", title="Home", icon=":material/home:", default=True),
        st.Page("app_pages/data.py", title="1 · Data", icon=":material/dataset:"),
        st.Page("app_pages/train.py", title="2 · Train", icon=":material/model_training:"),
        st.Page("app_pages/inside.py", title="3 · Inside the cell", icon=":material/grid_on:"),
        st.Page(
            "app_pages/gradients.py",
            title="4 · Gradients through time",
            icon=":material/show_chart:",
        ),
        st.Page("app_pages/textlab.py", title="5 · Text lab", icon=":material/text_fields:"),
        st.Page("app_pages/evaluate.py", title="6 · Evaluate", icon=":material/fact_check:"),
        st.Page("app_pages/compare.py", title="7 · Compare", icon=":material/compare_arrows:"),
        st.Page("app_pages/sweep.py", title="8 · Sweep", icon=":material/grid_view:"),
        st.Page("app_pages/live.py", title="Live from a phone", icon=":material/smartphone:"),
        st.Page("app_pages/runs.py", title="Runs", icon=":material/history:"),
    ]


def run_app() -> None:
    """Page config, navigation and the shared sidebar, then the chosen page."""
    st.set_page_config(page_title="RNN Explorer", page_icon="🔁", layout="wide")
    apply_link()  # before any widget: a link or a preset sets the widgets' values
    read_shared_link()
    page = st.navigation(app_pages())
    remember_owner()
    sidebar_status(page.url_path)
    presenter_toggle()
    presenter_css()
    with st.sidebar.expander("Lecture demos", icon=":material/school:"):
        preset_links(compact=True)
    try:
        link_problems()
        if page.url_path:  # Home (the default page, path "") needs neither torch nor the data
            before_a_page_with_the_core()
        page.run()
    finally:  # after the page is drawn (or stopped), so that it does not slow the first one
        write_link()
        presenter_in_address()  # after the link: it replaces the whole query
        shared_in_address(page.url_path)
        link_control()
        preload.preload_in_background()


STARTING = (
    "The server has just started and is loading the training libraries: this page appears in a "
    "moment."
)


def before_a_page_with_the_core() -> None:
    """Wait for the modules imported in the background (see `ui.session.preload`; begun now if
    this is the server's first page, so that only that thread imports them), then set torch to one
    thread and say if the settings' data cannot be used. Imported here, not at the top: Home
    and the sidebar draw before torch is imported. While a fresh server still imports them
    (half a minute on a busy machine), the page says so instead of staying blank."""
    if preload.imported():
        preload.ready()
    else:
        waiting = st.empty()
        waiting.info(STARTING)
        preload.ready()
        waiting.empty()
    import ui.sources  # noqa: F401 (the kinds of data register with the session)
    from rnn_core.live.run import configure_torch_threads
    from ui.session.source import warn_unusable_source

    configure_torch_threads()
    warn_unusable_source()
