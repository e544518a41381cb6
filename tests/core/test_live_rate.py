"""The live views' redraw rate: one view alone at full rate, many sharing it, waiting ones slow."""

from types import SimpleNamespace

import pytest

import ui.session.status
from ui.session.status import MAX_REFRESH_S, REFRESH_S, nothing_moves, refresh_interval


@pytest.mark.parametrize(
    "active, own, waiting, expected",
    [
        (1, 1, False, REFRESH_S),  # one training, its own view: full rate
        (0, 1, False, REFRESH_S),  # the run has just ended
        (4, 1, False, 4 * REFRESH_S),  # four sessions share one view's rate
        (3, 3, False, REFRESH_S),  # Compare: three runs of one view, nobody else
        (5, 3, False, 3 * REFRESH_S),  # Compare beside two other sessions
        (30, 1, False, MAX_REFRESH_S),  # a room full: never slower than MAX_REFRESH_S
        (1, 1, True, MAX_REFRESH_S),  # queued or paused: nothing moves
    ],
)
def test_refresh_interval(monkeypatch, active, own, waiting, expected):
    monkeypatch.setattr(ui.session.status, "active_runners", lambda: active)
    assert refresh_interval(own=own, waiting=waiting) == pytest.approx(expected)


def waiting_snapshot(state: str, queue_position: int | None = None) -> SimpleNamespace:
    return SimpleNamespace(state=state, queue_position=queue_position)


def test_nothing_moves_only_when_every_training_shown_waits():
    assert not nothing_moves()  # no training: the view's rate is not a waiting one
    assert nothing_moves(waiting_snapshot("paused"))
    assert nothing_moves(waiting_snapshot("paused"), waiting_snapshot("queued", 2))
    assert not nothing_moves(waiting_snapshot("paused"), waiting_snapshot("running"))
    assert not nothing_moves(waiting_snapshot("queued"))  # out of the queue, about to train
