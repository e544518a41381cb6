"""The gradient race runs in the server process, so it has a budget: its memory estimate is held
to the measured peak, and a race past the analysis limit is refused with a sentence before any
model is built."""

import multiprocessing

import pytest

import rnn_core.analysis.gradient_race as gradient_race_module
from rnn_core.analysis.gradient_race import gradient_race, race_bytes, race_problem
from rnn_core.live.budget import ANALYSIS_VARIABLE, BudgetError, analysis_memory_limit

MIB = 2**20


def _peak_of_race(hidden_size: int, seq_len: int, queue) -> None:
    """In a fresh process: what one race adds to its resident memory at the peak (MiB)."""
    import torch

    from rnn_core.live.memory_peak import peak_since, start_peak

    torch.set_num_threads(1)
    gradient_race(hidden_size=4, seq_len=10)  # imports and first allocations, not counted
    start = start_peak("cpu")
    gradient_race(hidden_size=hidden_size, seq_len=seq_len)
    queue.put(peak_since(start, "cpu"))


@pytest.mark.parametrize(("hidden_size", "seq_len"), [(128, 300), (32, 1000)])
def test_the_race_estimate_is_within_a_factor_of_two_of_the_measured_peak(hidden_size, seq_len):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_peak_of_race, args=(hidden_size, seq_len, queue))
    process.start()
    measured_mib = queue.get(timeout=300)
    process.join()
    estimated_mib = race_bytes(hidden_size, seq_len) / MIB
    assert measured_mib > 30  # large enough to be measured
    assert measured_mib / 2 <= estimated_mib <= measured_mib * 2, (estimated_mib, measured_mib)


def test_a_race_past_the_limit_is_refused_with_a_sentence_before_any_model(monkeypatch):
    def no_build(*args, **kwargs):
        raise AssertionError("a model was built for a race over the limit")

    monkeypatch.setattr(gradient_race_module, "build_model", no_build)
    with pytest.raises(BudgetError) as refused:
        gradient_race(hidden_size=256, seq_len=1000)
    assert str(refused.value) == (
        "A race at hidden size 256 over 1000 steps would need about 750 MiB of the server's "
        "memory, more than the 128 MiB one race may use: lower the hidden size or the sequence "
        "length (their product up to 43,690, like 256 and 170 steps)."
    )


def test_the_largest_race_allowed_is_the_limit_and_the_demo_is_well_inside_it():
    limit = analysis_memory_limit()
    most = limit // race_bytes(1, 1)
    assert race_bytes(1, most) <= limit < race_bytes(1, most + 1)
    assert race_problem(1, most) is None
    assert race_problem(1, most + 1) is not None
    assert race_problem(32, 100) is None  # the page's default and the demo's setting
    assert race_bytes(32, 100) < limit / 10


def test_the_analysis_limit_is_a_setting_with_a_safe_default(monkeypatch):
    monkeypatch.delenv(ANALYSIS_VARIABLE, raising=False)
    assert analysis_memory_limit() == 128 * MIB
    for text in ("", "abc", "-5", "nan", "inf"):
        monkeypatch.setenv(ANALYSIS_VARIABLE, text)
        assert analysis_memory_limit() == 128 * MIB, text
    monkeypatch.setenv(ANALYSIS_VARIABLE, "1024")
    assert analysis_memory_limit() == 1024 * MIB
    assert race_problem(256, 1000) is None
