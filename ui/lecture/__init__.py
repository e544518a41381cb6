"""The lecture wing: the demos once opened.

presets.py       the Data page's IMU preset, a demo's banner and the training it starts
"""
