"""One way to draw a view of work that runs elsewhere (a training, a comparison, a sweep): drawn
in place, redrawn every so often while the work goes on, and the whole page drawn once more when
it ends, so that its buttons and results follow.

Streamlit reruns an `st.fragment(run_every=...)` by itself while the page is open; a flag in the
session (`<key>.polling`) remembers that this view was polling, so that the run in which the work
is found ended reruns the page once, and only once.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

# what a view draws once: whether its work still runs, and the redraw interval that fits now
# (None: keep the one it has)
Drawn = tuple[bool, float | None]


def polled_view(key: str, active: bool, interval: float | None, draw: Callable[[], Drawn]) -> None:
    """Draw `draw()` in a fragment, redrawn every `interval` seconds while `active`. When a
    redraw finds the work ended, the whole page is drawn again; when it finds that another
    interval fits (trainings began, ended or wait elsewhere), the page polls at that one."""
    flag = f"{key}.polling"
    st.session_state[flag] = active

    @st.fragment(run_every=interval if active else None)
    def view() -> None:
        busy, fits = draw()
        if not busy and st.session_state.get(flag):
            st.session_state[flag] = False
            st.rerun()  # ended: the page's buttons and results follow, and polling stops
        elif busy and fits is not None and fits != interval:
            st.rerun()  # the rate that fits changed: poll at it

    view()
