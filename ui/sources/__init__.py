"""The sources wing: every kind of data a session trains on, each a `ui.session.source.Source`
known to the session by its key once imported (importing this package imports them all).

    kinds.py         sine waves, memory tasks, an IMU recording and a set of recordings
    text.py          a corpus, pasted text or an uploaded .txt
    imu.py           IMU samples and uploads, what was read, the task; imu_attitude.py: the
                     attitude filter's knobs; imu_sets.py: a set of recordings with their roles
    series.py        any time series: the sample or an upload, the columns, horizon and season
"""

from ui.sources import kinds, series, text

__all__ = ["kinds", "series", "text"]
