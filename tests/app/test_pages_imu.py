"""The IMU lab's pages under AppTest: a sample read and described, the preset, training, and the
Evaluate page's numbers held to the core's evaluation of the same weights."""

import json

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.analysis.inspect import model_with_weights
from rnn_core.datasets.imu.prepare import imu_table, window_rows
from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.evaluation.baselines import estimate_attitude
from rnn_core.evaluation.imu import evaluate_activity, evaluate_forecast
from tests.app.conftest import no_problems, open_app, train_until_done
from tests.app.test_pages_inside import each_gradient_tab
from tests.paths import ROOT
from ui.evaluate.imu import verdict_sentences
from ui.session.demos import IMU_KNOBS, window_steps
from ui.sources.imu import SAMPLES, as_text

PHYPHOX, ARDUINO, LABELLED, BROAD = list(SAMPLES)


def imu_data_page(sample: str = PHYPHOX) -> AppTest:
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("IMU recording").run()
    at.radio(key="opt.imu.choice").set_value(sample).run()
    no_problems(at)
    return at


def train_on_page(at: AppTest, steps: int) -> None:
    """Train for `steps` from the Train page's own Start button, until the run ends."""
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(steps).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)


def shown_metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("sample", [PHYPHOX, ARDUINO, LABELLED, BROAD])
def test_a_sample_is_read_and_what_was_detected_is_shown(sample):
    at = imu_data_page(sample)
    recording = read_imu_csv(ROOT / "data" / SAMPLES[sample])
    shown = shown_metrics(at)
    assert shown["Sample rate"] == f"{recording.sample_rate:g} Hz"
    assert shown["Rows"] == f"{len(recording.channels):,}"
    assert shown["Segments"] == str(len(recording.segments))
    sentences = " ".join(m.value for m in at.markdown)
    for sentence in recording.detected:
        assert as_text(sentence) in sentences  # shown as plain text (time_s, not time in italics)
    said = (
        "the targets are the file's ground truth"
        if recording.has_orientation
        else "an estimate and not ground truth"
    )
    assert said in sentences
    assert at.session_state["source"].kind == "imu"


def test_the_arduino_log_is_recognised_in_raw_counts():
    at = imu_data_page(ARDUINO)
    sentences = " ".join(m.value for m in at.markdown)
    assert "Format: arduino" in sentences and "counts" in sentences


def test_a_mapping_by_hand_that_leaves_out_an_axis_gets_a_sentence():
    at = imu_data_page(ARDUINO)
    digest = at.session_state["source"].imu.digest
    at.toggle(key=f"imu.by_hand.{digest}").set_value(True).run()
    at.selectbox(key=f"imu.map.{digest}.ax").set_value("(none)").run()
    assert not at.exception
    assert any("No accelerometer column for ax" in e.value for e in at.error)


def test_the_preset_sets_every_knob_and_trains_a_64_then_32_lstm():
    at = imu_data_page()
    at.button(key="btn.imu_preset").click().run()
    no_problems(at)
    rate = read_imu_csv(ROOT / "data" / SAMPLES[PHYPHOX]).sample_rate
    steps = window_steps(rate)
    assert steps == round(0.4 * rate)
    for key, value in {**IMU_KNOBS, "seq_len": steps}.items():
        assert at.session_state["opt." + key] == value
    said = f"windows of {steps} steps = {steps / rate:.3g} s at {rate:g} Hz"
    assert any(said in s.value for s in at.success), [s.value for s in at.success]
    train_on_page(at, 30)
    no_problems(at)
    model = at.session_state["experiment"].model
    assert model.config.cell == "lstm" and model.config.hidden_sizes == (64, 32)
    assert model.config.task_shape == "many_to_one"
    assert at.session_state["experiment"].data.seq_len == steps


def evaluated(at: AppTest, score):
    """The core's own evaluation of the session's current weights on the sample's test part."""
    exp = at.session_state["experiment"]
    _, weights = exp.run.current_weights()
    model = model_with_weights(exp.model, weights)
    table = imu_table(read_imu_csv(ROOT / "data" / SAMPLES[PHYPHOX]))
    return score(model, exp.data, table)


def test_evaluate_shows_the_rmse_table_of_the_trained_weights():
    at = imu_data_page()
    at.button(key="btn.imu_preset").click().run()
    train_on_page(at, 40)
    at.switch_page("app_pages/evaluate.py").run()
    no_problems(at)
    expected = evaluated(at, evaluate_forecast).table
    shown = at.table[0].value
    units = ["deg", "deg", "deg/s", "deg/s", "deg/s"]
    assert list(shown.index) == [
        f"{t} ({u})" for t, u in zip(["roll", "pitch", "gx", "gy", "gz"], units, strict=True)
    ]
    for column in ("model RMSE", "persistence RMSE", "gyro propagation RMSE"):
        np.testing.assert_allclose(shown[column].astype(float), expected[column], rtol=1e-3)
    assert list(shown["verdict"]) == list(expected["verdict"])
    words = [w.value for w in (*at.success, *at.warning, *at.info)]
    sentences = verdict_sentences(expected)
    assert sorted(s for s, _ in sentences) == sorted(w for w in words if w.startswith("On "))
    named = [
        t for sentence, _ in sentences for t in sentence[3:].split(", the model")[0].split(", ")
    ]
    assert sorted(named) == sorted(expected["target"])  # every target in one sentence
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download the model (.pt)", "Download the test predictions (.csv)"]


def test_evaluate_without_an_imu_model_points_to_the_steps():
    at = open_app()
    at.switch_page("app_pages/evaluate.py").run()
    no_problems(at)
    assert any(
        "Train a model on an IMU recording or a time series first" in i.value for i in at.info
    )


def test_the_activity_task_trains_and_is_scored_against_the_majority_class():
    at = imu_data_page(LABELLED)
    at.button(key="btn.imu_preset").click().run()
    at.radio(key="opt.imu.task").set_value("Classify the activity of each window").run()
    no_problems(at)
    train_on_page(at, 30)
    at.switch_page("app_pages/evaluate.py").run()
    no_problems(at)
    exp = at.session_state["experiment"]
    _, weights = exp.run.current_weights()
    model = model_with_weights(exp.model, weights)
    result = evaluate_activity(
        model, exp.data, imu_table(read_imu_csv(ROOT / "data" / SAMPLES[LABELLED]))
    )
    shown = shown_metrics(at)
    assert shown["Accuracy (test part)"] == f"{result.accuracy:.1%}"
    assert shown["Majority-class baseline"] == f"{result.majority_accuracy:.1%}"
    assert list(at.dataframe[0].value["class"]) == list(result.classes)


def test_inside_draws_the_label_track_of_the_window_it_shows():
    at = imu_data_page(LABELLED)
    at.button(key="btn.imu_preset").click().run()
    train_on_page(at, 10)
    for _ in each_gradient_tab(at):
        no_problems(at)
    at.switch_page("app_pages/inside.py").run()
    exp = at.session_state["experiment"]
    table = imu_table(read_imu_csv(ROOT / "data" / SAMPLES[LABELLED]))
    first = exp.data.validation.evenly_spaced(16).cpu().numpy()[:1]
    expected = table.labels[window_rows(exp.data, "validation", first)[0]]
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    tracks = [c for c in charts if "activity label" in json.dumps(c["layout"].get("title", ""))]
    assert len(tracks) == 1
    drawn = {trace["name"] for trace in tracks[0]["data"]}
    assert drawn == set(expected.tolist())


def test_the_attitude_filter_its_gains_and_the_magnetometer_are_knobs():
    at = imu_data_page(BROAD)
    assert at.selectbox(key="opt.imu.attitude").options[-1] == "Ground truth (teaching)"
    at.selectbox(key="opt.imu.attitude").set_value("Complementary filter").run()
    at.number_input(key="imu.gain.complementary.time_constant").set_value(0.5).run()
    no_problems(at)
    recording = read_imu_csv(ROOT / "data" / SAMPLES[BROAD])
    choice = at.session_state["source"].imu
    assert (choice.attitude, choice.gains, choice.use_mag) == (
        "complementary",
        (("time_constant", 0.5),),
        False,
    )
    expected = estimate_attitude(recording, "complementary", time_constant=0.5)
    table = imu_table(recording, choice.attitude, choice.gains, choice.use_mag)
    np.testing.assert_array_equal(table.values["roll"], expected["roll"])
    at.selectbox(key="opt.imu.attitude").set_value("VQF").run()
    at.checkbox(key="imu.mag.vqf").check().run()
    no_problems(at)
    choice = at.session_state["source"].imu
    assert (choice.attitude, choice.use_mag) == ("vqf", True)
    table = imu_table(recording, choice.attitude, choice.gains, choice.use_mag)
    expected = estimate_attitude(recording, "vqf", use_mag=True)
    np.testing.assert_array_equal(table.values["pitch"], expected["pitch"])
    assert table.attitude_source == "vqf"


def test_a_file_without_truth_offers_no_truth_as_input():
    at = imu_data_page(PHYPHOX)
    assert "Ground truth (teaching)" not in at.selectbox(key="opt.imu.attitude").options
