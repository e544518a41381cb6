"""The IMU lab's fair-fight sentences under AppTest: the rate filters ran at, the weights Evaluate
scores, and a filter's estimate never called the truth."""

import json
from dataclasses import replace

import numpy as np

from rnn_core.datasets.imu.reader import read_imu_csv
from rnn_core.datasets.imu.table import imu_table
from rnn_core.evaluation.imu import ForecastEvaluation
from rnn_core.live.states import RunState
from tests.app.conftest import no_problems
from tests.app.test_pages_imu import BROAD, PHYPHOX, imu_data_page, train_on_page
from tests.paths import ROOT
from ui.evaluate.imu import left_out_sentences, truth_left_out
from ui.sources.imu import SAMPLES


def test_what_was_detected_says_the_filters_run_at_the_files_rate():
    at = imu_data_page(BROAD)
    recording = read_imu_csv(ROOT / "data" / SAMPLES[BROAD])
    sentences = " ".join(m.value for m in at.markdown)
    assert f"Attitude filters run on the file's own samples at {recording.raw.rate:.4g} Hz" in (
        sentences
    )
    assert "(median step 3.5 ms, jitter 0.0%)" in sentences  # its times are exact


def test_evaluate_says_at_which_rate_each_filter_ran_and_which_weights_it_scores():
    at = imu_data_page(BROAD)
    at.number_input(key="opt.imu.rate").set_value(50.0).run()  # as the lecture demo reads it
    at.button(key="btn.imu_preset").click().run()
    train_on_page(at, 10)
    at.switch_page("app_pages/evaluate.py").run()
    no_problems(at)
    runner = at.session_state["experiment"].run
    step, _ = runner.current_weights()
    header = [h.value for h in at.subheader if h.value.startswith("The model trained here")]
    if runner.state == RunState.EARLY_STOPPED:
        assert "the best validation loss; trained to" in header[0]
    else:
        assert header == [f"The model trained here (weights of step {step:,}), on the test part"]
    attitude = at.table[2].value
    ran_at = dict(zip(attitude.index, attitude["ran at"], strict=True))
    assert ran_at.pop("the model (forecast)").endswith("Hz, the model's steps")
    assert set(ran_at.values()) == {"285.7 Hz, the file's rate"}
    assert any("Each filter ran at 285.7 Hz, the file's rate" in c.value for c in at.caption)


def test_without_a_truth_the_forecast_chart_calls_the_reference_vqfs_estimate():
    at = imu_data_page(PHYPHOX)
    at.button(key="btn.imu_preset").click().run()
    train_on_page(at, 10)
    at.switch_page("app_pages/evaluate.py").run()
    no_problems(at)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    forecast = [c for c in charts if "forecast against" in json.dumps(c["layout"]["title"])]
    names = [trace["name"] for trace in forecast[0]["data"]]
    assert names[0] == "VQF estimate" and "truth" not in names
    assert "forecast against VQF estimate" in json.dumps(forecast[0]["layout"]["title"])
    assert any("(roll, pitch, against the VQF estimate)" in c.value for c in at.caption)
    for table in at.table:
        assert not any("truth" in str(column) for column in table.value.columns)


def test_the_sentences_give_how_many_windows_gimbal_lock_and_settling_leave_out():
    result = ForecastEvaluation(
        ("roll", "pitch"), np.arange(1500.0), *([np.zeros(0)] * 5), None, 21, 300
    )
    gimbal, settling = left_out_sentences(result)
    assert gimbal.startswith("21 test window(s) (1.4%) have a pitch within 5° of ±90°")
    assert "left out of the roll scores of the model and of every baseline alike" in gimbal
    assert settling.startswith("300 test window(s) fall in the first 6 s after a gap")
    quiet = ForecastEvaluation(("roll",), np.arange(3.0), *([np.zeros(0)] * 5), None)
    assert left_out_sentences(quiet) == []


def test_the_truth_scores_say_how_many_rows_gimbal_lock_leaves_out_of_roll():
    table = imu_table(read_imu_csv(ROOT / "data" / SAMPLES[BROAD]))
    truth = table.truth.copy()
    rows = np.arange(100, 200)
    truth.loc[rows[:7], "pitch"] = np.radians(-88.0)
    tilted = replace(table, truth=truth)
    (sentence,) = truth_left_out(tilted, rows)
    assert sentence.startswith("7 test row(s) (7.0%) have a true pitch within 5° of ±90°")
    assert truth_left_out(table, rows) == []
