"""The export of a trained model: a button that builds it in the background, its progress while
the .pt2 compiles, then the zip to download and how long it took."""

from __future__ import annotations

from collections.abc import Hashable

import streamlit as st

from rnn_core.checkpoint import save_checkpoint
from rnn_core.datasets.prepare import PreparedData
from rnn_core.export.build import STAGES, ExportJob
from rnn_core.export.bundle import checkpoint_extra, export_zip, run_settings
from rnn_core.export.graph import ExportGraph
from rnn_core.export.samples import sample_stream
from ui.session.plain import as_text

EXPORT = "export."  # session key prefix: {"version": ..., "job": ExportJob, "zip": bytes | None}
FILE_NAME = "rnn-export.zip"
PROGRESS_REFRESH_S = 1.0


def export_section(key: str, version: Hashable, model, data: PreparedData, run, table=None) -> None:
    """Offer the export of `model` (trained on `data` by `run`, a LiveRun) under a page's
    `key`; `version` names the weights (a new one offers a new export). `table`: an IMU
    recording's table, whose samples and settings go in the zip."""
    state = st.session_state.get(EXPORT + key)
    if state is not None and state["version"] != version:
        state = None  # newer weights than the export's
    if state is None:
        clicked = st.button(
            "Export for C++ and ONNX (.zip)",
            key=f"{key}.export",
            help="model.onnx and model.pt2 with the z-scores inside, model.json, the settings, "
            "the loss history and the checkpoint; the .pt2 compiles in the background",
        )
        if clicked:
            try:
                _start(key, version, model, data, run, table)
            except ValueError as err:  # e.g. no stretch of the test part without holes
                st.error(as_text(f"This model cannot be exported: {err}"))
                return
            st.rerun()
        return
    job: ExportJob = state["job"]
    if not job.done:
        _progress(job)
    elif job.error is not None:
        st.error(as_text(job.error + " Try the export again; a smaller model compiles faster."))
        if st.button("Try again", key=f"{key}.export_again"):
            del st.session_state[EXPORT + key]
            st.rerun()
    else:
        _download(key, state, job)


def export_after_training(exp, source) -> None:
    """Train's export: offered once a run has stopped with at least one step, for any source."""
    run = exp.run
    if run is None or run.active or run.steps_done == 0:
        return
    table = None
    if source.recording() is not None:
        if exp.key[0] != source.key:
            return  # the recording changed since: its table is not the one the model read
        table = source.recording()[1]
    export_section("train", (run.id, run.steps_done), exp.model, exp.data, run, table)


def _start(key: str, version: Hashable, model, data, run, table) -> None:
    """Build the graph and the samples here (quick), the files in a background process."""
    graph = ExportGraph(model, data)
    job = ExportJob(graph, sample_stream(data, graph.spec, table)).start()
    checkpoint = save_checkpoint(graph.model, data.standardizer, checkpoint_extra(data, table))
    rest = {
        "settings": run_settings(graph.model, run.config, run.spec.seed),
        "history": run.history.frame(),
        "checkpoint": checkpoint,
    }
    st.session_state[EXPORT + key] = {
        "version": version,
        "job": job,
        "zip": None,
        "parts": (graph, data, rest, table),
    }


def _progress(job: ExportJob) -> None:
    """The stage and the seconds so far, redrawn until the build ends (then the whole page)."""

    @st.fragment(run_every=PROGRESS_REFRESH_S)
    def follow() -> None:
        if job.done:
            st.rerun(scope="app")
        stage = max(job.stage, 0)
        text = STAGES[stage] if job.stage >= 0 else "starting the export process"
        st.progress(
            (stage + 0.5) / len(STAGES),
            text=f"Exporting: {text} · {job.elapsed:.0f} s so far (a small model takes "
            "about half a minute; the page stays usable)",
        )

    follow()


def _download(key: str, state: dict, job: ExportJob) -> None:
    """The zip (assembled once) and how long each part of the export took."""
    if state["zip"] is None:
        graph, data, rest, table = state["parts"]
        built = (job.files, job.checks)
        state["zip"] = export_zip(
            graph, data, built, rest["settings"], rest["history"], rest["checkpoint"], table
        )
    seconds = job.checks["seconds"]
    compile_s = seconds[STAGES[2]]
    worst = max(job.checks["largest_difference_from_pytorch"].values())
    st.download_button(
        f"Download the export ({len(state['zip']) / 1e6:.1f} MB)",
        state["zip"],
        file_name=FILE_NAME,
        mime="application/zip",
        key=f"{key}.download_export",
    )
    st.caption(
        f"Exported in {job.elapsed:.0f} s, of which {compile_s:.0f} s compiling the .pt2 and "
        f"{seconds[STAGES[0]]:.0f} s the ONNX graph. ONNX and .pt2 agree with PyTorch on the "
        f"test samples to {worst:.1e}. Run it with examples/cpp (see the README)."
    )
