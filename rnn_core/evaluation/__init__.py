"""Judging a model: baselines (baselines: persistence, attitude filters), scores on the test part
(metrics), verdicts from block intervals (intervals), the IMU lab's scores and verdicts (imu,
imu_scores, imu_truth, imu_report), on a set of recordings it never saw (imu_sets), the correction
of a filter (correction), a saved model read back (saved_model), cells compared fairly (compare),
and any series against the baselines forecasters use (forecast_baselines, forecast_scores,
series_report), with their validation losses for the loss chart (forecast_losses)."""

from rnn_core.evaluation.compare import trivial_baseline

__all__ = ["trivial_baseline"]
