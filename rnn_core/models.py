"""Sequence models: a frozen config and a recurrent network (nn.RNN / nn.LSTM / nn.GRU) with a head.

x (B, T, F) floats            tokens (B, T) ints
    |                              |
    |                         nn.Embedding -> (B, T, E)
    v                              v
nn.RNN | nn.LSTM | nn.GRU  (batch_first)  -> states (B, T, D*H)
    |
    +-- many_to_many: head on every step  -> (B, T, O)
    +-- many_to_one:  head on the last    -> (B, O)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

CellType = Literal["rnn", "lstm", "gru"]
TaskShape = Literal["many_to_many", "many_to_one"]

CELL_TYPES: tuple[str, ...] = ("rnn", "lstm", "gru")
TASK_SHAPES: tuple[str, ...] = ("many_to_many", "many_to_one")
RECURRENT_INITS: tuple[str, ...] = ("default", "orthogonal")
GATES_PER_CELL = {"rnn": 1, "lstm": 4, "gru": 3}

# torch's global generator is process-wide: seeding it and building a model must not interleave
# with another session doing the same.
_INIT_LOCK = threading.Lock()


@dataclass(frozen=True)
class ModelConfig:
    """Everything that defines a model's architecture; a checkpoint stores `asdict(config)`."""

    cell: CellType = "lstm"  # which recurrent cell
    nonlinearity: Literal["tanh", "relu"] = "tanh"  # plain RNN only; LSTM and GRU ignore it
    input_size: int = 1  # features per step (ignored when vocab_size is set)
    output_size: int = 1  # values per prediction (vocabulary size for text)
    hidden_size: int = 32  # units per layer and direction
    num_layers: int = 1  # stacked recurrent layers
    dropout: float = 0.0  # between stacked layers, as nn.LSTM applies it
    bidirectional: bool = False  # only where the task does not forecast (many_to_one)
    task_shape: TaskShape = "many_to_many"  # a prediction at every step, or one after the window
    vocab_size: int | None = None  # set for text: an embedding turns token ids into vectors
    embedding_dim: int = 16  # width of that embedding
    recurrent_init: Literal["default", "orthogonal"] = "default"  # init of W_hh

    def __post_init__(self) -> None:
        problems = config_problems(self)
        if problems:
            raise ValueError(" ".join(problems))

    @property
    def num_directions(self) -> int:
        """2 for a bidirectional model, else 1."""
        return 2 if self.bidirectional else 1

    @property
    def features_in(self) -> int:
        """Width of what enters the first recurrent layer."""
        return self.embedding_dim if self.vocab_size is not None else self.input_size


def config_problems(config: ModelConfig) -> list[str]:
    """Sentences that say what to change in a config; empty when the config is usable."""
    problems = []
    if config.cell not in CELL_TYPES:
        problems.append(f"Cell type must be one of {', '.join(CELL_TYPES)}, not {config.cell!r}.")
    if config.nonlinearity not in ("tanh", "relu"):
        problems.append("The RNN nonlinearity must be 'tanh' or 'relu'.")
    if config.task_shape not in TASK_SHAPES:
        problems.append(f"Task shape must be one of {', '.join(TASK_SHAPES)}.")
    if config.recurrent_init not in RECURRENT_INITS:
        problems.append(f"Recurrent init must be one of {', '.join(RECURRENT_INITS)}.")
    for name in ("input_size", "output_size", "hidden_size", "num_layers", "embedding_dim"):
        if getattr(config, name) < 1:
            problems.append(f"{name} must be at least 1.")
    if config.vocab_size is not None and config.vocab_size < 1:
        problems.append("vocab_size must be at least 1.")
    if not 0.0 <= config.dropout < 1.0:
        problems.append("Dropout must be at least 0 and below 1.")
    if config.bidirectional and config.task_shape == "many_to_many":
        problems.append(
            "A bidirectional model sees the future, so it cannot forecast every step: "
            "choose 'one value after the window' or turn bidirectional off."
        )
    return problems


_RNN_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SequenceModel(nn.Module):
    """A recurrent network with a linear head; takes (B, T, F) floats or (B, T) ids."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.embedding = (
            nn.Embedding(config.vocab_size, config.embedding_dim)
            if config.vocab_size is not None
            else None
        )
        kwargs = {"nonlinearity": config.nonlinearity} if config.cell == "rnn" else {}
        self.rnn = _RNN_CLASSES[config.cell](
            input_size=config.features_in,
            hidden_size=config.hidden_size,
            num_layers=config.num_layers,
            dropout=config.dropout if config.num_layers > 1 else 0.0,
            bidirectional=config.bidirectional,
            batch_first=True,
            **kwargs,
        )
        self.head = nn.Linear(config.hidden_size * config.num_directions, config.output_size)
        if config.recurrent_init == "orthogonal":
            orthogonal_recurrent_init_(self.rnn)

    def init_hidden(self, batch_size: int) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Zero initial state on the model's device and dtype: (L*D, B, H), a pair for LSTM."""
        cfg = self.config
        weight = self.head.weight
        h0 = weight.new_zeros(cfg.num_layers * cfg.num_directions, batch_size, cfg.hidden_size)
        return (h0, h0.clone()) if cfg.cell == "lstm" else h0

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """What enters the first recurrent layer: (B, T, features_in)."""
        return self.embedding(x) if self.embedding is not None else x

    def forward(self, x: torch.Tensor, hidden=None):
        """Returns (prediction, final hidden state); prediction is (B, T, O) or (B, O)."""
        states, hidden = self.rnn(self.embed(x), hidden)  # (B, T, D*H)
        return self.head(self.readout(states)), hidden

    def readout(self, states: torch.Tensor) -> torch.Tensor:
        """The states the head reads: all steps (B, T, D*H), or the last step (B, D*H)."""
        if self.config.task_shape == "many_to_many":
            return states
        if not self.config.bidirectional:
            return states[:, -1]
        # The backward direction has seen the whole window at t = 0, not at t = T - 1.
        H = self.config.hidden_size
        return torch.cat([states[:, -1, :H], states[:, 0, H:]], dim=-1)  # (B, 2H)

    def parameter_count(self) -> int:
        """PyTorch's real count of trainable numbers (two bias vectors per gate)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def orthogonal_recurrent_init_(rnn: nn.RNNBase) -> None:
    """Orthogonal init for each gate's (H, H) block of every W_hh, in place."""
    H = rnn.hidden_size
    with torch.no_grad():
        for name, weight in rnn.named_parameters():
            if name.startswith("weight_hh"):
                for block in weight.split(H, dim=0):  # one (H, H) block per gate
                    nn.init.orthogonal_(block)


def build_model(
    config: ModelConfig, seed: int, device: str | torch.device = "cpu"
) -> SequenceModel:
    """A model whose initial weights depend only on (config, seed), moved to `device`."""
    with _INIT_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = SequenceModel(config)
    return model.to(device)


def count_parameters(config: ModelConfig) -> int:
    """The parameter count in closed form (no model built): per layer and direction,
    G gates x (W_ih + W_hh + b_ih + b_hh), plus the embedding and the head."""
    G, H, D = GATES_PER_CELL[config.cell], config.hidden_size, config.num_directions
    total = 0
    for layer in range(config.num_layers):
        layer_in = config.features_in if layer == 0 else H * D
        total += D * G * H * (layer_in + H + 2)
    if config.vocab_size is not None:
        total += config.vocab_size * config.embedding_dim
    return total + H * D * config.output_size + config.output_size
