"""The experiment in the page's address: every run writes the session's settings into the query
parameters, so the address bar always holds a link that reproduces the experiment; a link that
comes from outside (pasted, bookmarked, or a preset's) sets them before any widget is drawn. And
the lecture demos' links. Every page runs this, Home included: nothing here imports torch."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ui.session.demos import PRESETS
from ui.session.owner import SHARE_PARAMETERS
from ui.session.plain import as_text
from ui.session.settings import SETTINGS, default, link_of, settings_from_link, shortened
from ui.session.state import PERSIST, chosen, existing_experiment, setting, stop_compare_runs

WRITTEN = "link.written"  # the query parameters this session's last run wrote
PROBLEMS = "link.problems"  # sentences about the last link that came from outside
ACTIVE_PRESET = "preset.active"  # the preset the session's settings still are
PENDING = "preset.pending"  # what the active preset still has to start: "train" or "compare"
MAX_PASTED = 1000  # characters of pasted text a link carries; longer text stays out
PRESET_ICONS = {
    "lstm-sine": ":material/ssid_chart:",
    "vanishing": ":material/trending_down:",
    "exploding": ":material/warning:",
    "adding": ":material/add_circle:",
    "brackets": ":material/data_object:",
    "imu": ":material/explore:",
    "correct-vqf": ":material/tune:",
}


def _query() -> dict[str, list[str]]:
    """The address's experiment parameters (presenter mode's `present` is a way of showing, a
    shared run's `run` and `share` open that run: neither is part of the experiment)."""
    shown = ("present", *SHARE_PARAMETERS)
    return {key: st.query_params.get_all(key) for key in st.query_params if key not in shown}


def session_values() -> dict:
    """The session's settings as a link carries them (pasted text too long for one left out)."""
    values = {key: setting(key) for key in SETTINGS}
    if len(values["text.pasted"]) > MAX_PASTED:
        values["text.pasted"] = default("text.pasted")
    return values


def session_link() -> dict[str, list[str]]:
    """The query parameters of a link to the session's experiment."""
    return link_of(session_values())


def preset_link(key: str) -> dict[str, list[str]]:
    """The query parameters the preset's settings make once applied."""
    return link_of({**{k: default(k) for k in SETTINGS}, **PRESETS[key].settings})


def apply_link() -> None:
    """Set the session's settings from a link that came from outside; call before any widget.

    A link comes from outside when it opens a session (pasted, bookmarked, reloaded) or names a
    preset (a demo's link, clicked in the session). Any other query is one this session wrote:
    it may lag a run behind, as the browser sends the address it had when a widget changed, so
    it is never read back. A link from outside stops the session's trainings and sets every
    setting: from the preset it names, else from its parameters (defaults for the rest); a
    parameter that cannot be used gets a sentence on the page."""
    query = _query()
    named = query.pop("preset", [""])[-1]
    preset = PRESETS.get(named)
    opens_session = WRITTEN not in st.session_state
    if preset is None and not (opens_session and (query or named)):
        return
    values, problems = (preset.settings, []) if preset else settings_from_link(query)
    if named and preset is None:
        named = shortened(named)
        problems.insert(0, f"The link names a demo, “{named}”, that this app does not have.")
    use_settings(values)
    st.session_state[PROBLEMS] = problems
    st.session_state[ACTIVE_PRESET] = preset.key if preset else None
    st.session_state[PENDING] = preset.action if preset else None
    write_link()  # now: a rerun asked during this run must not apply the same link again


def use_settings(values: dict) -> None:
    """Set every setting from `values` (defaults for the rest), stopping the session's trainings
    and forgetting its data and model: the settings make new ones."""
    for key in SETTINGS:
        st.session_state[PERSIST + key] = values.get(key, default(key))
    _stop_everything()


def _stop_everything() -> None:
    """Stop the session's trainings and forget its data choice and model: the link makes new
    ones from its settings."""
    experiment = existing_experiment()
    if experiment is not None:
        experiment.stop()
    stop_compare_runs()
    for key in ("experiment", "source", "source.problem", "compare.runs"):
        st.session_state.pop(key, None)


def write_link() -> None:
    """Put the session's settings in the address bar (after the page has run), and forget the
    preset once a setting has moved away from it."""
    link = session_link()
    if link != _query():
        st.query_params.from_dict(link)
    st.session_state[WRITTEN] = link
    active = st.session_state.get(ACTIVE_PRESET)
    if active and link != preset_link(active):
        st.session_state[ACTIVE_PRESET] = None


def link_problems() -> None:
    """What could not be used from the last link, said once."""
    for problem in st.session_state.pop(PROBLEMS, []):
        st.warning(as_text(problem))


def link_control() -> None:
    """A sidebar popover with the link to this experiment, ready to copy."""
    link = session_link()
    address = f"{st.context.url or ''}?{urlencode(link, doseq=True)}"
    with st.sidebar.popover("Link to this experiment", icon=":material/link:", width="stretch"):
        st.code(address, language=None, wrap_lines=True)
        st.caption(
            "Copy it with the button at the corner. Opening it sets up the same data, model, "
            "training knobs and seed on any machine; an uploaded file is not part of a link"
            + (", nor is pasted text this long." if _pasted_too_long() else ".")
        )


def _pasted_too_long() -> bool:
    return chosen("source_kind") == "text" and len(setting("text.pasted")) > MAX_PASTED


def preset_links(compact: bool = False) -> None:
    """One link per lecture demo; a click opens its page with its settings (and starts it)."""
    for preset in PRESETS.values():
        label = preset.title if compact else f"**{preset.title}**: {preset.summary}"
        st.page_link(
            preset.page,
            label=label,
            icon=PRESET_ICONS[preset.key],
            query_params={"preset": preset.key},
        )
