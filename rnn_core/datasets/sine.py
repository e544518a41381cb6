"""Sine-wave series: a mix of sines with phase, amplitude and noise, as (N, L, 1) float32."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.datasets.windows import DataError


@dataclass(frozen=True)
class SineConfig:
    """Knobs of the sine source; every series is the same mix of sines at its own phase."""

    num_series: int = 8  # independent series
    length: int = 400  # samples per series
    sample_rate: float = 20.0  # samples per second
    frequencies: tuple[float, ...] = (0.5,)  # Hz, one per component of the mix
    amplitudes: tuple[float, ...] = (1.0,)  # one per component, or one for all
    phase: float = 0.0  # radians, added to every series
    random_phase: bool = True  # each series also starts at its own random phase
    noise_std: float = 0.0  # Gaussian noise added to every sample
    seed: int = 0  # drives the random phases and the noise


def sine_problems(config: SineConfig) -> list[str]:
    """Sentences that say what to change; empty when the config is usable."""
    problems = []
    if config.num_series < 1:
        problems.append("Use at least one series.")
    if config.length < 2:
        problems.append("Each series needs at least 2 samples.")
    if config.sample_rate <= 0:
        problems.append("The sample rate must be positive.")
    if not config.frequencies:
        problems.append("Give at least one frequency.")
    if any(not np.isfinite(f) or f < 0 for f in config.frequencies):
        problems.append("Frequencies must be finite and not negative.")
    if len(config.amplitudes) not in (1, len(config.frequencies)):
        problems.append("Give one amplitude, or one per frequency.")
    if config.noise_std < 0:
        problems.append("Noise must not be negative.")
    nyquist = config.sample_rate / 2
    if any(f > nyquist for f in config.frequencies):
        problems.append(
            f"A frequency above {nyquist:g} Hz (half the sample rate) aliases: "
            "lower it or raise the sample rate."
        )
    return problems


def make_sine(config: SineConfig) -> np.ndarray:
    """The series of a SineConfig as a float32 array (num_series, length, 1)."""
    problems = sine_problems(config)
    if problems:
        raise DataError(" ".join(problems))
    rng = np.random.default_rng(config.seed)
    t = np.arange(config.length) / config.sample_rate  # (L,)
    freqs = np.asarray(config.frequencies, dtype=np.float64)  # (K,)
    amps = np.broadcast_to(np.asarray(config.amplitudes, dtype=np.float64), freqs.shape)  # (K,)
    offsets = rng.uniform(0, 2 * np.pi, config.num_series) if config.random_phase else 0.0
    phases = config.phase + np.zeros(config.num_series) + offsets  # (N,)
    angle = 2 * np.pi * freqs[None, :, None] * t[None, None, :] + phases[:, None, None]  # (N, K, L)
    series = (amps[None, :, None] * np.sin(angle)).sum(axis=1)  # (N, L)
    series += config.noise_std * rng.standard_normal(series.shape)
    return series[:, :, None].astype(np.float32)  # (N, L, 1)
