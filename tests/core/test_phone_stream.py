"""The live stream: two sensors on their own clocks aligned onto one time base, in a ring."""

import threading

import numpy as np
import pytest

from rnn_core.phone.batches import SensorBatch
from rnn_core.phone.stream import LiveStream, nice_stream_rate


def sensor_samples(rate, seconds, start, seed):
    """Jittered times (N,) at about `rate` Hz from `start`, and smooth values (N, 3)."""
    rng = np.random.default_rng(seed)
    count = int(seconds * rate)
    time = start + np.arange(count) / rate + rng.uniform(-0.2, 0.2, count) / rate
    values = np.column_stack([np.sin(time * f) for f in (1.3, 2.1, 0.7)]) + seed  # (N, 3)
    return time, values


def batches(name, time, values, rng, largest=40):
    """The samples cut into batches of random sizes."""
    out, at = [], 0
    while at < time.size:
        size = int(rng.integers(1, largest))
        out.append(SensorBatch(name, time[at : at + size], values[at : at + size]))
        at += size
    return out


def interleaved(rng, *streams):
    """The batches of every stream in one random order that keeps each stream's own order."""
    queues = [list(s) for s in streams]
    out = []
    while any(queues):
        pick = rng.choice([i for i, q in enumerate(queues) if q])
        out.append(queues[pick].pop(0))
    return out


ACCEL = sensor_samples(400, 4.0, 0.0013, 1)
GYRO = sensor_samples(100, 4.0, 0.0071, 2)


def run(order_seed, rate_hz=100.0, seconds_kept=30.0):
    rng = np.random.default_rng(order_seed)
    stream = LiveStream(rate_hz, seconds_kept)
    accel = batches("accel", *ACCEL, rng)
    gyro = batches("gyro", *GYRO, rng)
    for batch in interleaved(rng, accel, gyro):
        stream.add(batch)
    return stream


def test_alignment_equals_the_interpolation_computed_directly():
    stream = run(0)
    rows = stream.rows()
    first, end = max(ACCEL[0][0], GYRO[0][0]), min(ACCEL[0][-1], GYRO[0][-1])
    k = np.arange(np.ceil(first * 100), np.floor(end * 100) + 1)
    assert np.allclose(rows.time, k / 100, atol=1e-12)
    for (time, values), got in ((ACCEL, rows.accel), (GYRO, rows.gyro)):
        want = np.column_stack([np.interp(rows.time, time, values[:, i]) for i in range(3)])
        assert np.abs(got - want).max() < 1e-12
    status = stream.status()
    assert status.rows_emitted == len(rows) == k.size
    assert status.received == {"accel": 1600, "gyro": 400}
    assert status.dropped == {"accel": 0, "gyro": 0} and status.gaps == {"accel": 0, "gyro": 0}
    assert abs(status.measured_hz["accel"] - 400) < 10 and abs(status.measured_hz["gyro"] - 100) < 3


def test_any_interleaving_and_batch_sizes_give_the_same_rows():
    reference = run(0).rows()
    for seed in (1, 2, 3):
        rows = run(seed).rows()
        assert np.array_equal(rows.time, reference.time)
        assert np.array_equal(rows.accel, reference.accel)
        assert np.array_equal(rows.gyro, reference.gyro)


def test_the_default_rate_is_the_slower_sensor_rounded():
    stream = run(0, rate_hz=None)
    status = stream.status()
    assert status.rate_hz == 100 and not status.rate_given
    assert "slower sensor (gyroscope" in status.sentence or status.rows_emitted
    assert [nice_stream_rate(r) for r in (22, 60, 90, 400, 500)] == [25, 50, 100, 200, 200]


def test_the_ring_never_grows_and_keeps_the_newest_rows():
    stream = LiveStream(100.0, seconds_kept=1.0)
    arrays = [stream.ring.time, stream.ring.accel, stream.ring.gyro]
    sizes = [a.nbytes for a in arrays]
    rng = np.random.default_rng(5)
    for batch in interleaved(rng, batches("accel", *ACCEL, rng), batches("gyro", *GYRO, rng)):
        stream.add(batch)
        assert [a.nbytes for a in (stream.ring.time, stream.ring.accel, stream.ring.gyro)] == sizes
    held = (stream.ring.time, stream.ring.accel, stream.ring.gyro)
    assert all(a is b for a, b in zip(arrays, held, strict=True))  # the same arrays throughout
    rows, everything = stream.rows(), run(0).rows()
    assert len(rows) == 100 and stream.status().rows_held == 100
    assert np.array_equal(rows.time, everything.time[-100:])
    assert np.array_equal(rows.accel, everything.accel[-100:])
    assert np.array_equal(rows.number, np.arange(len(everything) - 100, len(everything)))
    assert np.array_equal(stream.rows(since=int(rows.number[-3])).time, rows.time[-3:])
    assert np.allclose(stream.latest(0.1).time, rows.time[-11:])


def test_a_gap_restarts_alignment_with_a_sentence():
    stream = LiveStream(100.0)
    time, values = GYRO
    silent = (time > 1.0) & (time < 1.5)  # the gyroscope says nothing for half a second
    stream.add(SensorBatch("accel", *ACCEL))
    stream.add(SensorBatch("gyro", time[~silent], values[~silent]))
    rows, status = stream.rows(), stream.status()
    assert status.gaps == {"accel": 0, "gyro": 1}
    assert "gyroscope was silent" in status.sentence and "restarts after the gap" in status.sentence
    before, after = time[~silent][time[~silent] <= 1.0][-1], time[time >= 1.5][0]
    assert not ((rows.time > before) & (rows.time < after)).any()  # nothing across the gap
    assert set(rows.segment[rows.time <= before]) == {0}
    assert set(rows.segment[rows.time >= after]) == {1}


def test_bad_samples_are_dropped_and_counted():
    stream = LiveStream(100.0)
    time, values = GYRO
    stream.add(SensorBatch("gyro", time[:50], values[:50]))
    bad_values = values[50:60].copy()
    bad_values[3] = np.nan
    bad_time = time[50:60].copy()
    bad_time[5] = bad_time[4]  # repeated
    bad_time[7] = time[10]  # back in time
    stream.add(SensorBatch("gyro", bad_time, bad_values))
    stream.add(SensorBatch("gyro", time[40:45], values[40:45]))  # all already seen
    status = stream.status()
    assert status.dropped == {"accel": 0, "gyro": 3 + 5}
    assert status.received["gyro"] == 65
    assert "reset the stream" in status.sentence
    stream.reset()
    assert stream.status().received == {"accel": 0, "gyro": 0}


def test_delay_uses_the_minimum_latency_offset():
    now = [0.0]
    stream = LiveStream(100.0, clock=lambda: now[0])
    for at in range(0, 400, 10):
        for name, (time, values), size in (("gyro", GYRO, 10), ("accel", ACCEL, 40)):
            part = slice(at * size // 10, (at + 10) * size // 10)
            late = 0.05 + 0.02 * (at % 20 == 0)  # 50 or 70 ms after the batch's last sample
            now[0] = 100.0 + time[part][-1] + late
            stream.add(SensorBatch(name, time[part], values[part]))
    status = stream.status()
    assert status.clock_offset_s == pytest.approx(100.05)
    # the delay beyond the minimum latency: waiting for the bracketing sample, 20 ms at most here
    assert 0 <= status.delay_s < 0.03


def test_threads_adding_while_another_reads():
    stream = LiveStream(100.0, seconds_kept=2.0)
    rng = np.random.default_rng(9)
    accel, gyro = batches("accel", *ACCEL, rng), batches("gyro", *GYRO, rng)
    seen, errors, done = [], [], threading.Event()

    def add_all(parts):
        for batch in parts:
            stream.add(batch)

    def read():
        try:
            while not done.is_set():
                rows = stream.rows()
                assert rows.accel.shape == (len(rows), 3)
                assert np.all(np.diff(rows.time) > 0)
                seen.append(len(rows))
        except AssertionError as error:  # pragma: no cover - reported below
            errors.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=add_all, args=(p,)) for p in (accel, gyro)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=20)
    done.set()
    reader.join(timeout=20)
    assert not errors and seen
    assert np.array_equal(stream.rows().time, run(0, seconds_kept=2.0).rows().time)


@pytest.mark.parametrize(("accel_hz", "gyro_hz"), [(20, 20), (500, 500), (20, 500), (500, 20)])
def test_any_rate_from_20_to_500_hz_is_measured_aligned_and_kept_whole(accel_hz, gyro_hz):
    """A phone's sensors anywhere from 20 to 500 Hz: each rate measured, the rows at the slower
    one's nice rate, each value the interpolation computed directly, nothing dropped."""
    accel = sensor_samples(accel_hz, 6.0, 0.0013, 3)
    gyro = sensor_samples(gyro_hz, 6.0, 0.0071, 4)
    rng = np.random.default_rng(7)
    stream = LiveStream(None, 30.0)
    for batch in interleaved(rng, batches("accel", *accel, rng), batches("gyro", *gyro, rng)):
        stream.add(batch)
    status = stream.status()
    assert status.rate_hz == nice_stream_rate(min(accel_hz, gyro_hz))
    assert abs(status.measured_hz["accel"] / accel_hz - 1) < 0.05
    assert abs(status.measured_hz["gyro"] / gyro_hz - 1) < 0.05
    assert status.dropped == {"accel": 0, "gyro": 0}
    rows = stream.rows()
    assert len(rows) > 5 * status.rate_hz * 0.9  # rows over (nearly) the whole overlap
    assert np.allclose(np.diff(rows.time), 1 / status.rate_hz, atol=1e-9)
    for (time, values), got in ((accel, rows.accel), (gyro, rows.gyro)):
        want = np.column_stack([np.interp(rows.time, time, values[:, i]) for i in range(3)])
        assert np.abs(got - want).max() < 1e-9
