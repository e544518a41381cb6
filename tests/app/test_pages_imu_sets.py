"""Sets of IMU recordings on the pages under AppTest: the shipped BROAD set and several uploads with
a role each, the sentence for roles that cannot make an experiment, training through the one path,
and Evaluate's per-recording scores held to the core's evaluation of the same weights."""

import io
import json
import zipfile

import numpy as np
from streamlit.testing.v1 import AppTest

from rnn_core.analysis.inspect import model_with_weights
from rnn_core.datasets.imu.broad_set import BROAD_SET_PATH, BROAD_TRIALS, broad_member
from rnn_core.datasets.imu.recordings import read_recordings
from rnn_core.datasets.imu.table import imu_table
from rnn_core.evaluation.correction import evaluate_correction
from rnn_core.evaluation.imu_sets import POOLED, evaluate_set_forecast
from tests.app.conftest import no_problems, open_app
from tests.app.test_pages_imu import train_on_page
from tests.files import named_file
from ui.session.plain import as_text
from ui.sources.imu import SAMPLES
from ui.sources.imu_sets import CORRECT_VQF, FILES, SET_SAMPLE, SET_UPLOAD, files_digest

TRIALS = (
    "02_undisturbed_slow_rotation_B",
    "07_undisturbed_fast_rotation_B",
    "25_disturbed_tapping_B",
)


def cut_trial(trial: str, rows: int = 3000) -> tuple[str, bytes]:
    """(name, bytes) of the first `rows` rows of a trial of the shipped set, as a file to upload."""
    with zipfile.ZipFile(BROAD_SET_PATH) as archive:
        lines = archive.read(broad_member(trial)).decode().splitlines()
    return f"{trial}.csv", ("\n".join(lines[: rows + 1]) + "\n").encode()


def set_page(files=None, task: str | None = None) -> AppTest:
    """The Data page with the BROAD set, or with `files` uploaded as a set."""
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("IMU recording").run()
    if files is not None:
        at.session_state[FILES] = tuple(files)
    at.radio(key="opt.imu.choice").set_value(SET_SAMPLE if files is None else SET_UPLOAD).run()
    at.number_input(key="opt.seq_len").set_value(20).run()
    if task is not None:
        at.radio(key="opt.imu.set_task").set_value(task).run()
    return at


def test_the_broad_set_opens_with_its_shipped_roles():
    at = set_page()
    no_problems(at)
    choice = at.session_state["source"].imu_set
    assert choice.roles == tuple(BROAD_TRIALS.values())
    assert choice.names == tuple(broad_member(t) for t in BROAD_TRIALS)
    editor = [d.value for d in at.dataframe if list(d.value.columns) == ["recording", "role"]]
    assert list(editor[0]["role"]) == list(choice.roles)
    assert "IMU set: 15 recordings (8 train, 2 validation, 5 test" in at.success[0].value


def test_uploads_default_to_the_last_testing_and_the_one_before_validating():
    files = [cut_trial(t) for t in TRIALS]
    at = set_page(files)
    no_problems(at)
    choice = at.session_state["source"].imu_set
    assert choice.names == tuple(name for name, _ in files)
    assert choice.roles == ("train", "validation", "test")


def edit_roles(at: AppTest, files, edited: dict[int, str]) -> None:
    """Change roles in the Data page's role table as a person's edits do, and rerun."""
    state = {"edited_rows": {row: {"role": role} for row, role in edited.items()}}
    at.session_state[f"imu.set.roles.{files_digest(files)}"] = {
        **state,
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()


def test_roles_edited_in_the_table_are_the_ones_that_train():
    files = [cut_trial(t) for t in TRIALS]
    at = set_page(files)
    edit_roles(at, files, {1: "test", 2: "validation"})
    no_problems(at)
    assert at.session_state["source"].imu_set.roles == ("train", "test", "validation")
    edit_roles(at, files, {0: "test"})  # nothing trains: the core's sentence, no stand-in
    assert not at.exception
    assert any("No recording plays train" in e.value for e in at.error)
    assert "source" not in at.session_state


def test_a_zip_of_csvs_is_read_as_one_recording_per_csv():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in (cut_trial(t) for t in TRIALS):
            archive.writestr(name, data)
    at = set_page([("three-trials.zip", buffer.getvalue())])
    no_problems(at)
    assert at.session_state["source"].imu_set.names == tuple(f"{t}.csv" for t in TRIALS)


def test_roles_that_cannot_make_an_experiment_get_the_cores_sentence():
    at = set_page([cut_trial(t) for t in TRIALS[:2]])  # validation and test: nothing trains
    assert not at.exception
    said = [e.value for e in at.error]
    assert any("No recording plays train" in s and "give at least one recording" in s for s in said)
    assert "source" not in at.session_state


def test_correct_vqf_is_offered_only_when_every_recording_has_a_truth():
    at = set_page([cut_trial(t) for t in TRIALS])
    assert CORRECT_VQF in at.radio(key="opt.imu.set_task").options
    phyphox = (SAMPLES[list(SAMPLES)[0]], (BROAD_SET_PATH.parent / SAMPLES[list(SAMPLES)[0]]))
    no_truth = [cut_trial(TRIALS[0]), cut_trial(TRIALS[1]), (phyphox[0], phyphox[1].read_bytes())]
    at = set_page(no_truth)
    no_problems(at)
    assert at.radio(key="opt.imu.set_task").options == ["Forecast the next state"]


def read_set(files):
    """(recordings, tables) of uploaded files as the core reads them, VQF at its defaults."""
    read = [r for name, data in files for _, r in read_recordings(named_file(data, name))]
    return read, [imu_table(r, "vqf") for r in read]


def _trained_model(at: AppTest):
    exp = at.session_state["experiment"]
    _, weights = exp.run.current_weights()
    return exp, model_with_weights(exp.model, weights)


def test_a_forecast_on_the_set_is_scored_per_unseen_recording_as_the_core_scores_it():
    files = [cut_trial(t) for t in TRIALS]
    at = set_page(files)
    train_on_page(at, 20)
    at.switch_page("app_pages/evaluate.py").run()
    no_problems(at)
    exp, model = _trained_model(at)
    _, tables = read_set(files)
    expected = evaluate_set_forecast(model, exp.data, tables)
    shown = [t.value for t in at.table if "model RMSE" in t.value.columns][0].reset_index()
    assert list(dict.fromkeys(shown["recording"])) == [f"{TRIALS[2]}.csv", POOLED]
    for name, evaluation in expected.items():
        rows = shown[shown["recording"] == name]
        assert list(rows["verdict"]) == list(evaluation.table["verdict"])
        assert list(rows["model RMSE"]) == [f"{v:.4g}" for v in evaluation.table["model RMSE"]]
    trained = f"Trained on: {as_text(TRIALS[0])}.csv. Never seen in training: {as_text(TRIALS[2])}"
    assert any(c.value.startswith(trained) for c in at.caption), [c.value for c in at.caption]
    said = [m.value for m in (*at.success, *at.info, *at.warning)]
    assert any(s.startswith("Pooled over the 1 test recording(s): On ") for s in said), said
    settings = exp.run.listener.store.get(exp.run.listener.run_id).settings
    recordings = json.loads(json.dumps(settings["recordings"]))
    assert [r["name"] for r in recordings["train"]] == [f"{TRIALS[0]}.csv"]
    assert [r["fingerprint"] for r in recordings["train"]] == [
        f for _, f in exp.data.meta.trained_on()
    ]


def test_correcting_vqf_trains_scores_and_opens_inside_the_cell_and_gradients():
    files = [cut_trial(t) for t in TRIALS]
    at = set_page(files, CORRECT_VQF)
    no_problems(at)
    train_on_page(at, 10)
    exp, model = _trained_model(at)
    assert exp.run.spec.model_config.head_init == "zero"
    at.switch_page("app_pages/evaluate.py").run()
    no_problems(at)
    recordings, tables = read_set(files)
    expected = evaluate_correction(model, exp.data, tables, recordings).table
    shown = [d.value for d in at.dataframe if "corrected RMSE (deg)" in d.value.columns][0]
    assert list(shown["recording"]) == list(expected["recording"])
    assert list(shown["verdict"]) == list(expected["verdict"])
    for column in ("corrected RMSE (deg)", "corrected RMSE, all rows (deg)"):
        np.testing.assert_array_equal(shown[column], expected[column])  # NaN: no rows in motion
    assert np.isfinite(shown["corrected RMSE, all rows (deg)"]).all()
    filters = [d.value for d in at.dataframe if "ran at" in d.value.columns]
    assert filters and set(filters[0]["ran at"]) == {"100 Hz, the file's rate"}
    assert filters[0]["estimator"].iloc[0].endswith("+ correction")
    for page in ("app_pages/inside.py", "app_pages/gradients.py"):
        at.switch_page(page).run()
        no_problems(at)
