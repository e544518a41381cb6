"""The Evaluate wing: a model scored on data it never trained on.

common.py        the weights a section scores, scored once, a verdict's colour
imu.py           an IMU model's scores beside its baselines, against the ground truth
sets.py          per unseen recording of a set, and pooled
series.py        any time series: the verdicts, scores and charts against its baselines
"""
