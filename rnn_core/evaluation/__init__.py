"""Judging a model: baselines (baselines: persistence, attitude filters), scores on the test part
(metrics), the IMU lab's scores and verdicts (imu, imu_scores, imu_truth, imu_report), on a set of
recordings it never saw (imu_sets), the correction of a filter (correction), a saved model read
back (saved_model) and cells compared fairly (compare)."""

from rnn_core.evaluation.compare import trivial_baseline

__all__ = ["trivial_baseline"]
