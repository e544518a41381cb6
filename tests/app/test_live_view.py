"""The one live view: a view of running work polls while it runs, draws the whole page once more
when a redraw finds the work ended (and only once), and polls at a new rate when another fits."""

from streamlit.testing.v1 import AppTest


def script() -> None:
    import streamlit as st

    from ui.session.live_view import polled_view

    state = st.session_state
    state["page runs"] = state.get("page runs", 0) + 1
    busy = state.get("busy", True)  # the work, as the page finds it when it is drawn
    interval = state.get("fits", 0.5)  # the rate that fits when the page is drawn

    def draw():
        """A redraw: it finds the work as it is now (which the next page run then sees too)."""
        state["busy"] = state.get("busy_now", busy)
        state["fits"] = state.get("fits_now", interval)
        return state["busy"], state["fits"]

    polled_view("work", busy, interval, draw)


def test_the_end_of_the_work_draws_the_page_once_more_and_only_once():
    at = AppTest.from_function(script).run()
    assert at.session_state["work.polling"] and at.session_state["page runs"] == 1
    at.session_state["busy_now"] = False  # the work ends: the next redraw finds it
    at.run()  # under AppTest a redraw is a run of the page: it finds the end, and reruns it
    assert not at.exception
    assert at.session_state["page runs"] == 3 and at.session_state["work.polling"] is False
    at.run()
    assert at.session_state["page runs"] == 4  # no rerun of its own any more


def test_another_rate_that_fits_redraws_the_page_to_poll_at_it():
    at = AppTest.from_function(script).run()
    at.session_state["fits_now"] = 0.25  # trainings began elsewhere: a slower rate fits
    at.run()
    assert not at.exception and at.session_state["page runs"] == 3
    at.run()
    assert at.session_state["page runs"] == 4 and at.session_state["work.polling"]
