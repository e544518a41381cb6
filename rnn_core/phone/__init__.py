"""A phone's IMU streamed live: the batches every way in produces (batches).

    batches.py       SensorBatch: one sensor's samples on the phone's clock, in SI units
"""
