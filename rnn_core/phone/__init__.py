"""A phone's IMU streamed live: the batches every way in produces (batches), aligned onto one time
base (stream, ring), followed by attitude filters and a trained model (live_filters, live_model),
and recorded to train on (recorder).

    batches.py       SensorBatch: one sensor's samples on the phone's clock, in SI units
    stream.py        LiveStream: accelerometer and gyroscope aligned, gaps, drops, delay, status
    ring.py          RowRing: the stream's rows in arrays allocated once, the oldest overwritten
    live_filters.py  LiveAttitude: complementary and VQF following the rows, the lab's own code
    live_model.py    LiveForecaster: a trained model's next-step forecast, row by row
    recorder.py      Recorder: Record to Stop, saved as a phyphox zip the IMU lab reads
"""
