"""What every Evaluate section does alike: which weights it scores, scoring them once, and a
verdict's colour."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

import streamlit as st

from rnn_core.evaluation.intervals import BEATS, WORSE

T = TypeVar("T")


def scored_once(key: str, token: Hashable, words: str, score: Callable[[], T]) -> T:
    """`score()` once per `token` (the weights it scores), kept in the session under `key`: a
    rerun with the same weights shows it again at once. `words`: what the spinner says."""
    kept = st.session_state.get(key)
    if kept is None or kept[0] != token:
        with st.spinner(words):
            kept = (token, score())
        st.session_state[key] = kept
    return kept[1]


def weights_to_score(runner) -> tuple[int, dict]:
    """(step, weights) of the run's latest weights; while it trains, a warning that the scores
    are for these and are not redrawn as it goes on."""
    step, weights = runner.current_weights()
    if runner.active:
        st.warning(
            f"Training is still running: these scores are for the weights at step {step:,}, "
            "when this page was drawn, not the latest; open the page again for newer ones."
        )
    return step, weights


def say_verdict(sentence: str, verdict: str) -> None:
    """A verdict's sentence in its colour: green when the model beats, amber when worse, blue
    when it cannot be told apart or compared."""
    if verdict == BEATS:
        st.success(sentence)
    elif verdict == WORSE:
        st.warning(sentence)
    else:
        st.info(sentence)
