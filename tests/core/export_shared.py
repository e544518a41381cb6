"""What the export test modules share, made once per test session by whichever asks first: the
C++ example (a build of minutes on two cores) and the IMU model's export (an AOTInductor compile
of tens of seconds, built by the background job as the page builds it)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pandas as pd

from rnn_core.checkpoint import save_checkpoint
from rnn_core.export.build import ExportJob
from rnn_core.export.bundle import checkpoint_extra, export_zip, run_settings
from rnn_core.export.cpp import build_example
from rnn_core.export.graph import ExportGraph
from rnn_core.export.samples import sample_stream
from rnn_core.training import TrainConfig
from tests.core.export_cases import imu_case, imu_sim_table

_MADE: dict[str, object] = {}


def once(key: str, make):
    """make() the first time `key` is asked for in this test session, the same value after."""
    if key not in _MADE:
        _MADE[key] = make()
    return _MADE[key]


def example_program(tmp_path_factory) -> Path:
    """The C++ example, built once with CMake and g++ (no skip: a missing compiler fails)."""
    return once("program", lambda: build_example(tmp_path_factory.mktemp("cpp-build")))


def imu_model():
    """(table, data, model, graph): a small LSTM of two layers on the simulated recording."""

    def make():
        table = imu_sim_table()
        data, model = imu_case(table, "lstm", 2)
        return table, data, model, ExportGraph(model, data)

    return once("imu", make)


def poll_export(job: ExportJob, seen: list[int]) -> ExportJob:
    """Poll the job as a page does, noting each stage it reports."""
    while not job.done:
        if not seen or seen[-1] != job.stage:
            seen.append(job.stage)
        time.sleep(0.2)
    return job


def imu_export(tmp_path_factory):
    """The IMU model's zip, built by a background job, unzipped: (folder, job, stages seen)."""

    def make():
        table, data, model, graph = imu_model()
        seen: list[int] = []
        job = poll_export(ExportJob(graph, sample_stream(data, graph.spec, table)).start(), seen)
        assert job.error is None, job.error
        history = pd.DataFrame({"step": [1, 2], "loss": [0.5, 0.4]})
        checkpoint = save_checkpoint(model, data.standardizer, checkpoint_extra(data, table))
        settings = run_settings(model, TrainConfig(), seed=3)
        built = (job.files, job.checks)
        archive = export_zip(graph, data, built, settings, history, checkpoint, table)
        folder = tmp_path_factory.mktemp("imu-export")
        zipfile.ZipFile(io.BytesIO(archive)).extractall(folder)
        return folder, job, seen

    return once("imu_export", make)
