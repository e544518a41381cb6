"""Judging a model: baselines (persistence, attitude filters), scores on the test part
(metrics), the IMU lab's scores and verdicts (imu, imu_scores, imu_truth) and cells compared
fairly (compare)."""

from rnn_core.evaluation.compare import trivial_baseline

__all__ = ["trivial_baseline"]
