"""Datasets: sine against its closed form, windows against a hand-made example, leak-free splits."""

import numpy as np
import pytest
import torch

from rnn_core.datasets import DataError
from rnn_core.datasets.prepare import prepare_series, prepare_text
from rnn_core.datasets.sine import SineConfig, make_sine
from rnn_core.datasets.text import (
    CORPORA,
    Vocabulary,
    bracket_corpus,
    char_statistics,
    decode_text_bytes,
    quotes_corpus,
)
from rnn_core.datasets.windows import Standardizer, WindowSet, temporal_split


def test_sine_matches_closed_form():
    config = SineConfig(
        num_series=2,
        length=50,
        sample_rate=10.0,
        frequencies=(0.5, 2.0),
        amplitudes=(1.0, 0.25),
        phase=0.3,
        random_phase=False,
    )
    series = make_sine(config)
    t = np.arange(50) / 10.0
    expected = np.sin(2 * np.pi * 0.5 * t + 0.3) + 0.25 * np.sin(2 * np.pi * 2.0 * t + 0.3)
    assert series.shape == (2, 50, 1) and series.dtype == np.float32
    np.testing.assert_allclose(series[0, :, 0], expected, atol=1e-6)
    np.testing.assert_allclose(series[1, :, 0], expected, atol=1e-6)


def test_sine_noise_and_phase_follow_the_seed():
    a, b = (
        make_sine(SineConfig(noise_std=0.1, seed=3)),
        make_sine(SineConfig(noise_std=0.1, seed=3)),
    )
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, make_sine(SineConfig(noise_std=0.1, seed=4)))


@pytest.mark.parametrize(
    ("changes", "phrase"),
    [
        ({"frequencies": (20.0,)}, "half the sample rate"),
        ({"amplitudes": (1.0, 2.0)}, "amplitude"),
        ({"length": 1}, "at least 2"),
        ({"noise_std": -1.0}, "Noise"),
    ],
)
def test_sine_problems_are_sentences(changes, phrase):
    with pytest.raises(DataError, match=phrase):
        make_sine(SineConfig(**changes))


def test_windows_match_a_hand_made_example():
    series = torch.arange(6, dtype=torch.float32).reshape(1, 6, 1)  # s0..s5
    many = WindowSet(series, series, seq_len=3, task_shape="many_to_many")
    assert len(many) == 3  # windows start at 0, 1, 2
    x, y = many.batch(torch.tensor([0, 2]))
    assert x[..., 0].tolist() == [[0, 1, 2], [2, 3, 4]]
    assert y[..., 0].tolist() == [[1, 2, 3], [3, 4, 5]]
    one = WindowSet(series, series, seq_len=3, task_shape="many_to_one")
    x, y = one.batch(torch.tensor([1]))
    assert x[..., 0].tolist() == [[1, 2, 3]] and y.tolist() == [[4.0]]


def test_windows_are_views_not_copies():
    series = torch.randn(3, 40, 2)
    windows = WindowSet(series, series, seq_len=5, task_shape="many_to_many").input_windows()
    assert windows.shape == (3, 35, 6, 2)
    assert windows.untyped_storage().data_ptr() == series.untyped_storage().data_ptr()
    torch.testing.assert_close(windows[1, 7], series[1, 7:13])


def test_windows_index_across_series():
    series = torch.arange(20, dtype=torch.float32).reshape(2, 10, 1)
    windows = WindowSet(series, series, seq_len=4, task_shape="many_to_many")
    x, _ = windows.batch(torch.tensor([6]))  # 6 windows per series: the first of series 1
    assert x[0, :, 0].tolist() == [10, 11, 12, 13]


def test_temporal_split_keeps_order_and_never_overlaps():
    series = np.arange(100, dtype=np.float32).reshape(1, 100, 1)
    train, val, test = temporal_split(series, (0.7, 0.15, 0.15))
    assert train.shape[1] == 70 and val.shape[1] == 15 and test.shape[1] == 15
    assert train.max() < val.min() and val.max() < test.min()
    np.testing.assert_array_equal(np.concatenate([train, val, test], axis=1), series)


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    series = rng.normal(3.0, 2.0, size=(2, 200, 2)).astype(np.float32)
    altered = series.copy()
    altered[:, 140:] += 1000.0  # validation and test parts changed beyond recognition
    a = prepare_series(series, seq_len=10).standardizer
    b = prepare_series(altered, seq_len=10).standardizer
    np.testing.assert_array_equal(a.mean, b.mean)
    np.testing.assert_array_equal(a.std, b.std)
    train = series[:, :140]
    np.testing.assert_allclose(a.mean, train.reshape(-1, 2).mean(0), rtol=1e-5)
    np.testing.assert_allclose(a.std, train.reshape(-1, 2).std(0), rtol=1e-5)


def test_standardizer_inverse_and_constant_feature():
    values = np.stack([np.linspace(0, 1, 50), np.full(50, 7.0)], axis=-1)[None].astype(np.float32)
    scaler = Standardizer.fit(values)
    assert scaler.std[1] == 1.0  # a constant feature is not divided by zero
    z = scaler.transform(values)
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z[..., 0].mean(), 0, atol=1e-6)
    np.testing.assert_allclose(scaler.inverse(z), values, atol=1e-6)


def test_prepare_says_which_part_is_too_short():
    with pytest.raises(DataError, match=r"validation part has 15 steps .* at most 14"):
        prepare_series(make_sine(SineConfig(length=100)), seq_len=30)


def test_prepare_refuses_nan():
    series = make_sine(SineConfig())
    series[0, 5, 0] = np.nan
    with pytest.raises(DataError, match="NaN"):
        prepare_series(series, seq_len=10)


def test_vocabulary_round_trip():
    text = "hello (world)\n"
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    assert ids.dtype == np.int64 and vocab.size == len(set(text))
    assert vocab.decode(ids) == text
    assert list(vocab.chars) == sorted(set(text))


def test_prepare_text_targets_are_next_characters():
    data = prepare_text("abcdefghij" * 20, seq_len=5)
    x, y = data.train.batch(torch.tensor([0, 3]))
    torch.testing.assert_close(x[:, 1:], y[:, :-1])
    assert data.vocabulary.decode(x[0].tolist()) == "abcde"
    assert data.vocabulary.decode(y[0].tolist()) == "bcdef"


@pytest.mark.parametrize(
    ("data", "phrase"),
    [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        ("café".encode("latin-1"), "not UTF-8 text"),
    ],
)
def test_text_upload_errors_say_what_to_do(data, phrase):
    with pytest.raises(DataError, match=phrase):
        decode_text_bytes(data)


def test_text_upload_strips_byte_order_mark_and_crlf():
    assert decode_text_bytes("\ufeffab\r\ncd".encode()) == "ab\ncd"


def test_generated_corpora_are_deterministic_and_balanced():
    text = bracket_corpus(5000, seed=1)
    assert text == bracket_corpus(5000, seed=1) and len(text) == 5000
    for line in text.split("\n")[:-1]:  # every complete line closes what it opens
        depth = 0
        for char in line:
            depth += (char == "(") - (char == ")")
            assert depth >= 0
        assert depth == 0
    quoted = quotes_corpus(3000).split("\n")[:-1]
    assert any('"' in line for line in quoted)
    assert all(line.count('"') % 2 == 0 for line in quoted)  # every quote is closed


def test_every_corpus_reads_without_a_file():
    for name, make in CORPORA.items():
        text = make(3000)
        assert len(text) == 3000, name


def test_char_statistics_counts():
    stats = char_statistics("aab\n")
    assert stats["char"].tolist() == ["a", "b", "\\n"]
    assert stats["count"].tolist() == [2, 1, 1]
    np.testing.assert_allclose(stats["share"].sum(), 1.0)
