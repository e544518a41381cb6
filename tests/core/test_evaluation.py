"""Scores against hand computations: RMSE, skill, the table's units, labels and the CSV."""

import io

import numpy as np
import pandas as pd
import pytest

from rnn_core.evaluation.metrics import (
    DISPLAY_UNITS,
    TABLE_COLUMNS,
    RmseRow,
    classification_report,
    majority_baseline,
    predictions_csv,
    rmse,
    rmse_rows,
    rmse_table,
    skill_score,
)

TARGETS = ("roll", "pitch", "gx", "az")


def test_rmse_is_the_root_of_the_mean_square():
    prediction = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 4.0]])
    truth = np.zeros((3, 2))
    np.testing.assert_allclose(rmse(prediction, truth), [np.sqrt(14 / 3), np.sqrt(16 / 3)])
    np.testing.assert_allclose(
        rmse(prediction, truth, axis=1), [np.sqrt(0.5), np.sqrt(2), 2.5 * np.sqrt(2)]
    )
    assert rmse(prediction, prediction).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="shape"):
        rmse(prediction, truth[:2])


def test_rmse_wraps_angles_when_given_a_period():
    truth, prediction = np.radians([179.0, -179.0]), np.radians([-179.0, 179.0])
    assert np.degrees(rmse(prediction, truth, period=2 * np.pi)) == pytest.approx(2.0)
    assert np.degrees(rmse(prediction, truth)) == pytest.approx(358.0)


def test_skill_is_one_for_perfect_zero_for_the_reference_and_negative_when_worse():
    np.testing.assert_allclose(
        skill_score([0.0, 2.0, 4.0, 1.0], [2.0, 2.0, 2.0, 2.0]), [1.0, 0.0, -3.0, 0.75]
    )
    assert skill_score(1.0, 0.0) == -np.inf
    assert np.isnan(skill_score(0.0, 0.0))


@pytest.fixture(scope="module")
def scored():
    """Truth, a model, persistence and a filter for four targets, in SI."""
    rng = np.random.default_rng(0)
    truth = rng.standard_normal((200, 4)) * [0.3, 0.2, 0.5, 1.0] + [0, 0, 0, 9.81]
    persistence = np.concatenate([truth[:1], truth[:-1]])
    model = truth + 0.01 * rng.standard_normal(truth.shape)
    model[:, 3] = persistence[:, 3] + 1e-9 * np.sign(
        persistence[:, 3] - truth[:, 3]
    )  # loses by a hair
    complementary = {"roll": truth[:, 0] + 0.02, "pitch": truth[:, 1] - 0.03}
    return truth, model, persistence, complementary


def test_table_reports_display_units(scored):
    truth, model, persistence, complementary = scored
    table = rmse_table(TARGETS, truth, model, persistence, complementary)
    assert tuple(table.columns) == TABLE_COLUMNS
    assert table["unit"].tolist() == ["deg", "deg", "deg/s", "m/s^2"]
    factors = np.array([180 / np.pi, 180 / np.pi, 180 / np.pi, 1.0])
    si_model = np.sqrt(np.mean((model - truth) ** 2, axis=0))
    si_persistence = np.sqrt(np.mean((persistence - truth) ** 2, axis=0))
    np.testing.assert_allclose(table["model RMSE"], factors * si_model, rtol=1e-12)
    np.testing.assert_allclose(table["persistence RMSE"], factors * si_persistence, rtol=1e-12)
    np.testing.assert_allclose(table["complementary RMSE"][:2], np.degrees([0.02, 0.03]), rtol=1e-9)
    assert table["complementary RMSE"][2:].isna().all()
    np.testing.assert_allclose(table["skill vs persistence"], 1 - si_model**2 / si_persistence**2)


def test_table_never_rounds_away_a_loss(scored):
    truth, model, persistence, _ = scored
    table = rmse_table(TARGETS, truth, model, persistence)
    assert table["beats persistence"].dtype == bool
    assert table["beats persistence"].tolist() == [True, True, True, False]
    assert table["skill vs persistence"].iloc[3] < 0
    persistence_row = rmse_table(TARGETS, truth, persistence, persistence)
    assert (persistence_row["skill vs persistence"] == 0).all()
    assert not persistence_row["beats persistence"].any()  # a tie does not beat
    perfect = rmse_table(TARGETS, truth, truth, persistence)
    assert (perfect["skill vs persistence"] == 1).all() and perfect["beats persistence"].all()


def test_table_wraps_roll_but_not_pitch():
    truth = np.radians([[179.0, 10.0], [-179.0, 10.0]])
    model = np.radians([[-179.0, 12.0], [179.0, 12.0]])
    table = rmse_table(("roll", "pitch"), truth, model, truth)
    np.testing.assert_allclose(table["model RMSE"], [2.0, 2.0])


def test_rows_carry_the_same_numbers(scored):
    truth, model, persistence, complementary = scored
    rows = rmse_rows(TARGETS, truth, model, persistence, complementary)
    assert all(isinstance(row, RmseRow) for row in rows)
    assert (
        rows[0].complementary == pytest.approx(np.degrees(0.02)) and rows[2].complementary is None
    )
    assert [row.beats_persistence for row in rows] == [True, True, True, False]
    with pytest.raises(ValueError, match="not among the targets"):
        rmse_rows(TARGETS, truth, model, persistence, {"yaw": truth[:, 0]})
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        rmse_rows(TARGETS[:3], truth, model, persistence)


def test_display_units_convert_from_si():
    assert DISPLAY_UNITS["roll"] == ("deg", pytest.approx(180 / np.pi))
    assert DISPLAY_UNITS["gz"] == ("deg/s", pytest.approx(180 / np.pi))
    assert DISPLAY_UNITS["ax"] == ("m/s^2", 1.0)


def test_classification_report_on_a_hand_example():
    true = ["walk", "walk", "walk", "run", "run", "sit"]
    predicted = ["walk", "run", "walk", "run", "walk", "sit"]
    accuracy, table, confusion = classification_report(
        true, predicted, ["sit", "walk", "run", "jump"]
    )
    assert accuracy == pytest.approx(4 / 6)
    expected = [
        [1, 0, 0, 0],
        [0, 2, 1, 0],
        [0, 1, 1, 0],
        [0, 0, 0, 0],
    ]  # rows true, columns predicted
    np.testing.assert_array_equal(confusion, expected)
    assert table["class"].tolist() == ["sit", "walk", "run", "jump"]
    assert table["support"].tolist() == [1, 3, 2, 0]
    np.testing.assert_allclose(table["recall"][:3], [1.0, 2 / 3, 1 / 2])
    np.testing.assert_allclose(table["precision"][:3], [1.0, 2 / 3, 1 / 2])
    assert np.isnan(table["recall"][3]) and np.isnan(table["precision"][3])


def test_classification_report_refuses_strangers_and_mismatches():
    with pytest.raises(ValueError, match="not among the classes"):
        classification_report([0, 1], [0, 2], [0, 1])
    with pytest.raises(ValueError, match="pair up"):
        classification_report([0, 1], [0], [0, 1])


def test_majority_baseline_always_answers_the_training_majority():
    assert majority_baseline([1, 2, 2, 3, 2], [2, 2, 1, 3]) == pytest.approx(0.5)
    assert majority_baseline(["a", "b"], ["a", "b", "a"]) == pytest.approx(2 / 3)  # tie: "a"
    with pytest.raises(ValueError, match="no training labels"):
        majority_baseline([], [1])


def test_predictions_csv_is_in_display_units_with_the_unit_in_every_header():
    time = np.array([0.0, 0.01, 0.02])
    truth = np.array([[0.1, 9.8], [np.nan, 9.7], [np.pi, 9.9]])  # a missing truth: empty cell
    prediction = np.array([[0.11, 9.3], [0.21, 9.2], [3.15, 9.4]])
    persistence = prediction - 0.05
    data = predictions_csv(time, ("roll", "az"), truth, prediction, {"persistence": persistence})
    frame = pd.read_csv(io.BytesIO(data))
    assert frame.columns.tolist() == [
        "time_s",
        "roll_true_deg",
        "roll_pred_deg",
        "roll_persistence_deg",
        "az_true_m_per_s2",
        "az_pred_m_per_s2",
        "az_persistence_m_per_s2",
    ]
    np.testing.assert_allclose(frame["roll_true_deg"], np.degrees(truth[:, 0]), rtol=1e-15)
    np.testing.assert_allclose(frame["roll_pred_deg"], np.degrees(prediction[:, 0]), rtol=1e-15)
    np.testing.assert_allclose(
        frame["roll_persistence_deg"], np.degrees(persistence[:, 0]), rtol=1e-15
    )
    np.testing.assert_allclose(frame["az_pred_m_per_s2"], prediction[:, 1], rtol=1e-15)
    np.testing.assert_allclose(frame["time_s"], time)
    assert data.decode().splitlines()[2].split(",")[1] == ""  # no truth there
    with pytest.raises(ValueError, match="one column per target"):
        predictions_csv(time, ("roll",), truth, prediction)
