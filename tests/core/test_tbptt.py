"""Truncated BPTT: contiguous streams, and a hidden state carried (detached) across batches."""

import copy

import pytest
import torch

from rnn_core.datasets import DataError
from rnn_core.datasets.windows import TextStreams
from rnn_core.models import ModelConfig, build_model
from rnn_core.training.losses import loss_for
from rnn_core.training.trainer import TrainConfig, Trainer


def test_streams_match_the_hand_made_example():
    tokens = torch.arange(12)[None]  # a .. l as 0 .. 11
    streams = TextStreams(tokens, batch_size=2, seq_len=2)
    x, y, fresh = streams.next()
    assert x.tolist() == [[0, 1], [6, 7]] and y.tolist() == [[1, 2], [7, 8]] and fresh
    x, y, fresh = streams.next()
    assert x.tolist() == [[2, 3], [8, 9]] and y.tolist() == [[3, 4], [9, 10]] and not fresh
    x, _, fresh = streams.next()  # 4 + 3 > 6: back to the start
    assert x.tolist() == [[0, 1], [6, 7]] and fresh


def test_too_many_streams_is_a_sentence():
    with pytest.raises(DataError, match="Lower the batch size"):
        TextStreams(torch.arange(20)[None], batch_size=8, seq_len=4)


def test_the_second_batch_starts_from_the_first_batchs_state(text_data):
    config = ModelConfig(
        cell="lstm",
        vocab_size=text_data.input_size,
        output_size=text_data.output_size,
        hidden_size=8,
    )
    model = build_model(config, 0)
    trainer = Trainer(model, text_data, TrainConfig(batch_size=4, truncated_bptt=True))
    reference = TextStreams(text_data.train.inputs, 4, text_data.seq_len)
    x1, _, _ = reference.next()
    x2, y2, _ = reference.next()
    with torch.no_grad():
        _, hidden1 = copy.deepcopy(model)(x1)  # the state after batch 1, with the first weights
    trainer.step()
    for carried, expected in zip(trainer._hidden, hidden1, strict=True):
        torch.testing.assert_close(carried, expected)
        assert not carried.requires_grad
    with torch.no_grad():
        expected_loss = loss_for(model(x2, hidden1)[0], y2).item()  # weights after step 1
    trainer.step()
    assert trainer.history.last("loss") == pytest.approx(expected_loss, rel=1e-6)


def test_truncated_bptt_is_for_text_only(small_sine_data):
    model = build_model(ModelConfig(hidden_size=4), 0)
    with pytest.raises(DataError, match="for text"):
        Trainer(model, small_sine_data, TrainConfig(truncated_bptt=True))


def test_truncated_bptt_is_deterministic_and_learns(text_data):
    config = ModelConfig(
        cell="gru",
        vocab_size=text_data.input_size,
        output_size=text_data.output_size,
        hidden_size=16,
    )
    runs = []
    for _ in range(2):
        trainer = Trainer(
            build_model(config, 0),
            text_data,
            TrainConfig(max_steps=60, batch_size=8, truncated_bptt=True),
        )
        trainer.run()
        runs.append(trainer.history.frame()["loss"])
    assert runs[0].equals(runs[1])
    assert runs[0].iloc[-10:].mean() < runs[0].iloc[:10].mean()
