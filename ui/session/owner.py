"""Whose runs: a secret per browser, and links that share one run read-only.

Each browser holds a secret token in a cookie (`rnn_explorer_owner`, set by a script the first
time a session finds none); the store keeps only its SHA-256, as the runs' owner. A reload, or
the same address opened again in that browser, sends the cookie back: the same owner. Another
browser (or a private window) has another token and sees none of these runs. A link
`?run=<id>&share=<token>` opens that one run read-only, until its owner revokes it on the Runs
page (the link then says so). Nothing here imports the core: every page, Home included, runs it.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import streamlit as st

COOKIE = "rnn_explorer_owner"
TOKEN = "runs.owner_token"  # session key: this browser's secret
MINTED = "runs.minted"  # session key: the token was made here, the cookie is still to be set
SHARED = "runs.shared"  # session key: (run id, share token) of a shared link opened
SHARE_PARAMETERS = ("run", "share")  # a shared link's query parameters, not the experiment's
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{24,64}")
_ID_SHAPE = re.compile(r"[0-9a-f]{32}")


def owner() -> str:
    """This browser's owner key: the hash of the token its cookie holds (made on first use)."""
    token = st.session_state.get(TOKEN)
    if token is None:
        sent = st.context.cookies.get(COOKIE, "")
        token = sent if isinstance(sent, str) and _TOKEN_SHAPE.fullmatch(sent) else None
        if token is None:
            token, st.session_state[MINTED] = secrets.token_urlsafe(32), True
        st.session_state[TOKEN] = token
    return hashlib.sha256(token.encode()).hexdigest()


def remember_owner() -> None:
    """Set the cookie in the browser once, when this session made the token (a script in the
    sidebar; it keeps a token the browser already holds, e.g. from a second tab)."""
    owner()
    if not st.session_state.pop(MINTED, False):
        return
    secure = "; Secure" if (st.context.url or "").startswith("https:") else ""
    cookie = f"{COOKIE}={st.session_state[TOKEN]}; path=/; max-age=34560000; SameSite=Strict"
    st.sidebar.html(
        f"<script>if (!document.cookie.split('; ').some(c => c.startsWith('{COOKIE}=')))"
        f" document.cookie = '{cookie}{secure}';</script>",
        unsafe_allow_javascript=True,
    )


def read_shared_link() -> None:
    """Keep a shared link's run id and token from the address (ids and tokens of the right
    shape only) for the Runs page."""
    run, token = (st.query_params.get(key, "") for key in SHARE_PARAMETERS)
    if run or token:
        fits = _ID_SHAPE.fullmatch(run) and re.fullmatch(r"[A-Za-z0-9_-]{1,64}", token)
        st.session_state[SHARED] = (run, token) if fits else ("", "")


def shared_link() -> tuple[str, str] | None:
    """(run id, token) of the shared link this session opened, None when there is none."""
    return st.session_state.get(SHARED)


def forget_shared_link() -> None:
    """Back to the browser's own runs."""
    st.session_state.pop(SHARED, None)


def shared_in_address(page_path: str) -> None:
    """On the Runs page, keep the shared link in the address (the experiment's link replaces
    the whole query), so that a reload opens the same run."""
    shared = shared_link()
    if page_path == "runs" and shared and shared[0]:
        for key, value in zip(SHARE_PARAMETERS, shared, strict=True):
            if st.query_params.get(key) != value:
                st.query_params[key] = value
