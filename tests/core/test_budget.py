"""The budget: bounds on every size, an estimate held to PyTorch's count and to the measured peak,
and settings over the limit refused with a sentence before any model is built."""

import multiprocessing

import pytest

import rnn_core.live.experiment
import rnn_core.live.run
from rnn_core.datasets.prepare import prepare_series
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.live.budget import (
    LIMIT_VARIABLE,
    BudgetError,
    budget_problem,
    check_budget,
    estimate,
    time_warning,
    training_memory_limit,
)
from rnn_core.live.experiment import Experiment
from rnn_core.live.run import LiveRun
from rnn_core.live.spec import RunSpec
from rnn_core.live.states import RunState
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.trainer import TrainConfig, Trainer
from tests.waiting import run_to_end

CONFIGS = [
    ModelConfig(cell="lstm", hidden_size=32),
    ModelConfig(
        cell="gru", hidden_size=7, num_layers=3, bidirectional=True, task_shape="many_to_one"
    ),
    ModelConfig(cell="rnn", num_layers=2, layer_sizes=(64, 16), input_size=8, output_size=5),
    ModelConfig(cell="lstm", vocab_size=300, input_size=300, output_size=300, hidden_size=64),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_the_estimate_counts_pytorchs_parameters(config):
    found = estimate(config, TrainConfig(), 50)
    assert found.parameters == build_model(config, 0).parameter_count()


def _peak_of_steps(config: ModelConfig, train: TrainConfig, seq_len: int, queue) -> None:
    """In a fresh process: what two training steps add to its resident memory at the peak."""
    import torch

    from rnn_core.live.memory_peak import peak_since, start_peak

    torch.set_num_threads(1)
    data = prepare_series(make_sine(SineConfig(num_series=8, length=2000)), seq_len)
    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])  # imports what every run imports
    start = start_peak("cpu")
    trainer = Trainer(build_model(config, 0), data, train)
    for _ in range(train.max_steps):
        trainer.step()
    queue.put(peak_since(start, "cpu"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("config", "batch", "seq_len"),
    [
        (ModelConfig(cell="lstm", hidden_size=256, num_layers=2), 128, 100),
        (ModelConfig(cell="gru", hidden_size=512), 128, 100),
        (ModelConfig(cell="rnn", hidden_size=512, num_layers=2), 512, 100),
    ],
)
def test_the_memory_estimate_is_within_a_factor_of_two_of_the_measured_peak(config, batch, seq_len):
    train = TrainConfig(batch_size=batch, max_steps=2, eval_every=1000)
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_peak_of_steps, args=(config, train, seq_len, queue))
    process.start()
    measured_mib = queue.get(timeout=300)
    process.join()
    estimated_mib = estimate(config, train, seq_len).bytes_per_run / 2**20
    assert measured_mib > 50  # the configurations are large enough to be measured
    assert measured_mib / 2 <= estimated_mib <= measured_mib * 2, (estimated_mib, measured_mib)


def test_the_estimate_grows_with_every_knob_that_costs():
    base = estimate(ModelConfig(), TrainConfig(), 50)
    bigger = [
        estimate(ModelConfig(hidden_size=64), TrainConfig(), 50),
        estimate(ModelConfig(num_layers=2), TrainConfig(), 50),
        estimate(ModelConfig(), TrainConfig(batch_size=128), 50),
        estimate(ModelConfig(), TrainConfig(), 100),
    ]
    for found in bigger:
        assert found.bytes_per_run >= base.bytes_per_run  # evaluation may be the larger step
        assert found.seconds_per_step > base.seconds_per_step
    runs = estimate(ModelConfig(), TrainConfig(), 50, runs=6)
    assert runs.total_bytes == 6 * base.bytes_per_run
    assert runs.seconds_to_finish(at_once=2) == pytest.approx(3 * base.seconds_to_finish(1))


@pytest.mark.parametrize(
    ("model", "train", "seq_len", "knob"),
    [
        (ModelConfig(hidden_size=512, num_layers=4), TrainConfig(batch_size=4096), 2000, "batch"),
        (
            ModelConfig(vocab_size=2000, input_size=2000, output_size=2000),
            TrainConfig(),
            50,
            "batch",
        ),
        (
            ModelConfig(
                hidden_size=512, num_layers=4, bidirectional=True, task_shape="many_to_one"
            ),
            TrainConfig(batch_size=1),
            2,
            "hidden size",
        ),
    ],
)
def test_over_the_limit_a_sentence_names_the_knob_to_lower(model, train, seq_len, knob):
    found = estimate(model, train, seq_len)
    limit = found.bytes_per_run // 2
    problem = budget_problem(found, limit)
    assert problem and knob in problem and "of memory" in problem
    with pytest.raises(BudgetError, match=knob):
        check_budget(found, limit)
    assert budget_problem(found, found.bytes_per_run) is None


def test_too_many_runs_are_refused():
    assert "fewer cells" in budget_problem(estimate(ModelConfig(), TrainConfig(), 50, runs=9))


def test_a_long_run_gets_a_warning_and_a_short_one_none():
    assert time_warning(estimate(ModelConfig(), TrainConfig(max_steps=10), 50)) is None
    slow = estimate(ModelConfig(hidden_size=512, num_layers=4), TrainConfig(max_steps=100_000), 500)
    assert "to finish" in time_warning(slow)


def test_the_limit_is_a_setting_with_a_safe_default(monkeypatch):
    monkeypatch.delenv(LIMIT_VARIABLE, raising=False)
    default = training_memory_limit()
    assert default >= 2**28  # at least 256 MiB on any machine this runs on
    monkeypatch.setenv(LIMIT_VARIABLE, "300")
    assert training_memory_limit() == 300 * 2**20
    for bad in ("", "abc", "-5", "nan"):
        monkeypatch.setenv(LIMIT_VARIABLE, bad)
        assert training_memory_limit() == default


def _sine_data():
    return prepare_series(make_sine(SineConfig()), 50)


def test_an_experiment_over_the_budget_builds_no_model(monkeypatch):
    monkeypatch.setenv(LIMIT_VARIABLE, "40")

    def no_build(*args, **kwargs):
        raise AssertionError("a model was built")

    monkeypatch.setattr(rnn_core.live.experiment, "build_model", no_build)
    experiment = Experiment(_sine_data(), key="k")
    with pytest.raises(BudgetError, match="batch size"):
        experiment.run_for(ModelConfig(hidden_size=512), TrainConfig(batch_size=4096), 0)
    assert experiment.run is None


def test_a_training_builds_its_model_in_its_own_process_only(monkeypatch):
    """Start builds nothing in the server: the training process builds the model."""

    def no_build(*args, **kwargs):
        raise AssertionError("a model was built in the server")

    monkeypatch.setattr(rnn_core.live.experiment, "build_model", no_build)
    monkeypatch.setattr(rnn_core.live.run, "build_model", no_build)
    experiment = Experiment(_sine_data(), key="k")
    run = experiment.run_for(ModelConfig(hidden_size=16), TrainConfig(max_steps=5), 0)
    run.start()
    run_to_end(run)
    assert run.state == RunState.FINISHED and run.steps_done == 5


def test_a_training_past_its_memory_limit_ends_with_a_sentence(monkeypatch):
    monkeypatch.setenv(LIMIT_VARIABLE, "5")  # read when the run starts
    config = ModelConfig(hidden_size=256, num_layers=2)
    run = LiveRun(RunSpec(_sine_data(), config, TrainConfig(batch_size=512, max_steps=3), 0))
    run.start()
    run_to_end(run)
    assert run.state == RunState.FAILED
    assert "more than the 5 MiB of memory one training may use" in run.message
    assert "Lower the batch size" in run.message


def test_a_training_process_that_does_not_stop_in_time_is_ended(monkeypatch):
    """One step far longer than the grace after a stop (a huge batch): the process is ended,
    the run says so, and the page is free at once."""
    import time

    monkeypatch.setattr(rnn_core.live.run, "STOP_GRACE_S", 0.2)
    config = ModelConfig(hidden_size=512, num_layers=2)
    train = TrainConfig(max_steps=10_000, batch_size=2048)
    run = LiveRun(RunSpec(_sine_data(), config, train, 0, preview=False), heartbeat_timeout=0.5)
    began = time.monotonic()
    run.start()  # no heartbeat follows: the tab is gone
    run.wait(60)
    assert not run.active
    assert time.monotonic() - began < 30
    assert run.state == RunState.STOPPED and "took too long" in run.message


def test_a_huge_alphabet_and_a_huge_text_are_refused_with_a_sentence():
    from rnn_core.bounds import MAX_VOCAB
    from rnn_core.datasets import DataError
    from rnn_core.datasets.prepare import prepare_text

    alphabet = "".join(chr(0x4E00 + i) for i in range(MAX_VOCAB + 1))
    with pytest.raises(DataError, match="2,001 different characters; a model reads at most 2,000"):
        prepare_text(alphabet * 20, 10)
    assert prepare_text(alphabet[:MAX_VOCAB] * 20, 10).input_size == MAX_VOCAB


def test_durations_read_as_a_person_writes_them():
    from rnn_core.live.budget import duration_text

    shown = [duration_text(s) for s in (0.0004, 0.0063, 0.13, 5.5, 130, 9000)]
    assert shown == ["0.4 ms", "6.3 ms", "130 ms", "5.5 s", "2 min", "2.5 h"]
