"""Copies of a run's weights as it trains, for Inside the cell and Gradients through time."""

from __future__ import annotations

import threading

import torch


class WeightSnapshots:
    """Weights every `every` steps, at most `capacity` kept (older ones thinned)."""

    def __init__(self, every: int = 25, capacity: int = 40) -> None:
        self.every, self.capacity = every, capacity
        self._items: list[tuple[int, dict[str, torch.Tensor]]] = []
        self._lock = threading.Lock()

    def record_state(self, step: int, state: dict[str, torch.Tensor]) -> None:
        """Keep these weights (already a CPU copy) when `step` is a multiple of `every` and not
        kept already (a training process may report the same step twice)."""
        if step % self.every:
            return
        with self._lock:
            if self._items and self._items[-1][0] == step:
                return
            self._items.append((step, state))
            if len(self._items) > self.capacity:  # every other one goes: the spacing doubles
                self.every *= 2
                self._items = [(s, w) for s, w in self._items if s % self.every == 0]

    def items(self) -> list[tuple[int, dict[str, torch.Tensor]]]:
        """(step, state_dict) pairs, oldest first."""
        with self._lock:
            return list(self._items)
