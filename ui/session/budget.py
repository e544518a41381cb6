"""The estimate beside Start: memory and time from the settings, a refusal that names the knob
to lower when the memory would pass the machine's limit, a warning when it would take long."""

from __future__ import annotations

import streamlit as st

from rnn_core.live.budget import Estimate, budget_problem, time_warning


def budget_line(found: Estimate, compare: bool = False, where=st) -> bool:
    """Show the estimate in `where`; False (with the sentence) when Start must be refused."""
    where.caption(found.summary() + ".")
    problem = budget_problem(found, compare=compare)
    if problem:
        where.error(problem)
        return False
    slow = time_warning(found)
    if slow:
        where.warning(slow)
    return True
