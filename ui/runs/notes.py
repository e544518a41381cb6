"""What Train says about the session's run before a click changes it: a knob that needs a new
model (Start would not continue the run), and a run that a server restart interrupted."""

from __future__ import annotations

import streamlit as st

from rnn_core.live.run import LiveRun
from rnn_core.live.states import RunState
from rnn_core.models import ModelConfig
from rnn_core.runs.store import RunStore
from ui.runs.opening import OPENED
from ui.session.owner import owner
from ui.session.plain import as_text
from ui.session.spec_link import changed_knobs, model_values


def _shown(value) -> str:
    if isinstance(value, float):
        return format(value, "g")
    return str(value) if value != "" else "none"


def new_model_sentence(run: LiveRun | None, model_config: ModelConfig, seed: int) -> str | None:
    """The sentence that says, before Start drops anything, which knobs differ from the run's
    model so that Start trains a new one from step 0; None when Start continues the run (or
    there is no trained run to drop)."""
    if run is None or run.active or run.steps_done == 0:
        return None
    spec = run.spec
    before = {**model_values(spec.model_config), "seed": spec.seed}
    after = {**model_values(model_config), "seed": int(seed)}
    changes = changed_knobs(before, after)
    if not changes:
        return None
    (label, old, new), *rest = changes
    said = " and ".join(
        [f"{label} changed from {_shown(old)} to {_shown(new)}"]
        + [f"{label} from {_shown(old)} to {_shown(new)}" for label, old, new in rest]
    )
    run_id = getattr(run.listener, "run_id", None)
    if run_id is None:  # the store cannot be used: nothing keeps the model trained so far
        kept = f"the model at step {run.steps_done:,} is dropped (runs are not being kept)"
    elif st.session_state.get(OPENED) == run_id:
        kept = "the opened run stays as it is on Runs"
    else:
        kept = f"the run at step {run.steps_done:,} stays as it is on Runs"
    return f"{said}: Start trains a new model from step 0; {kept}."


def interrupted_run_note(store: RunStore | None, run: LiveRun | None) -> None:
    """When the session has no run and this browser's newest stored run was interrupted by a
    server restart: say so, where it stands, and link to Runs, where Resume continues it."""
    if store is None or run is not None:
        return
    records = store.runs(owner())
    if not records or records[0].state != RunState.INTERRUPTED:
        return
    record = records[0]
    saved = record.checkpoint_step
    where = (
        f"its last save is step {saved:,}: Resume on Runs continues it from there."
        if saved is not None
        else "it had no save yet: start it anew."
    )
    st.warning(
        as_text(
            f"Your last run, “{record.name}”, was interrupted at step {record.steps:,} when "
            f"the server stopped; {where}"
        ),
        icon=":material/restart_alt:",
    )
    st.page_link("app_pages/runs.py", label="Go to Runs", icon=":material/history:")
