"""Sequence models: a frozen config and a recurrent network (nn.RNN / nn.LSTM / nn.GRU) with a head.

x (B, T, F) floats            tokens (B, T) ints
    |                              |
    |                         nn.Embedding -> (B, T, E)
    v                              v
nn.RNN | nn.LSTM | nn.GRU  (batch_first)  -> states (B, T, D*H_last)
    |
    +-- many_to_many: head on every step  -> (B, T, O)
    +-- many_to_one:  head on the last    -> (B, O)

Layers of one size are one PyTorch module with num_layers (parameters `weight_ih_l{k}`...). Layers
of different sizes (`layer_sizes`, e.g. 64 then 32) are a `StackedRNN` of one-layer modules, each
fed the previous one's (B, T, D*H_{k-1}) output; `layer_parameter` reads either structure.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn
from torch.nn import functional as F

from rnn_core.bounds import MAX_EMBEDDING, MAX_LAYERS, MAX_UNITS, MAX_VOCAB

CellType = Literal["rnn", "lstm", "gru"]
TaskShape = Literal["many_to_many", "many_to_one"]

CELL_TYPES: tuple[str, ...] = ("rnn", "lstm", "gru")
TASK_SHAPES: tuple[str, ...] = ("many_to_many", "many_to_one")
RECURRENT_INITS: tuple[str, ...] = ("default", "orthogonal")
HEAD_INITS: tuple[str, ...] = ("default", "zero")
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
    hidden_size: int = 32  # units per layer and direction, when layer_sizes is empty
    num_layers: int = 1  # stacked recurrent layers
    # Units per direction of each layer, first to last (e.g. (64, 32)); empty: hidden_size for all.
    layer_sizes: tuple[int, ...] = ()
    dropout: float = 0.0  # between stacked layers, as nn.LSTM applies it
    bidirectional: bool = False  # only where the task does not forecast (many_to_one)
    task_shape: TaskShape = "many_to_many"  # a prediction at every step, or one after the window
    vocab_size: int | None = None  # set for text: an embedding turns token ids into vectors
    embedding_dim: int = 16  # width of that embedding
    recurrent_init: Literal["default", "orthogonal"] = "default"  # init of W_hh
    # "zero": the head's weight and bias start at 0, so an untrained model outputs exactly 0 (a
    # model that learns a correction then starts as no correction at all).
    head_init: Literal["default", "zero"] = "default"

    def __post_init__(self) -> None:
        if isinstance(self.layer_sizes, list):  # a checkpoint's JSON-like round trip gives a list
            object.__setattr__(self, "layer_sizes", tuple(self.layer_sizes))
        problems = config_problems(self)
        if problems:
            raise ValueError(" ".join(problems))

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        """Units per direction of every layer, first to last: layer_sizes, or hidden_size each."""
        return self.layer_sizes or (self.hidden_size,) * self.num_layers

    @property
    def last_hidden_size(self) -> int:
        """Units per direction of the last layer, the one the head reads."""
        return self.hidden_sizes[-1]

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
    if config.head_init not in HEAD_INITS:
        problems.append(f"Head init must be one of {', '.join(HEAD_INITS)}.")
    problems += _size_problems(config)
    problems += _layer_size_problems(config.layer_sizes, config.num_layers)
    if not 0.0 <= config.dropout < 1.0:
        problems.append("Dropout must be at least 0 and below 1.")
    if config.bidirectional and config.task_shape == "many_to_many":
        problems.append(
            "A bidirectional model sees the future, so it cannot forecast every step: "
            "choose 'one value after the window' or turn bidirectional off."
        )
    return problems


def _size_problems(config: ModelConfig) -> list[str]:
    """Sizes that are not whole numbers between 1 and their upper bound."""
    highs = {
        "input_size": MAX_VOCAB,
        "output_size": MAX_VOCAB,
        "hidden_size": MAX_UNITS,
        "num_layers": MAX_LAYERS,
        "embedding_dim": MAX_EMBEDDING,
        "vocab_size": MAX_VOCAB,
    }
    problems = []
    for name, high in highs.items():
        value = getattr(config, name)
        if value is None and name == "vocab_size":
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{name} must be a whole number.")
        elif not 1 <= value <= high:
            problems.append(f"{name} must be between 1 and {high:,}, not {_short(value)}.")
    return problems


def _short(value: int) -> str:
    """A number as a sentence quotes it, cut when absurdly long."""
    text = f"{value:,}"
    return text if len(text) <= 24 else text[:24] + "…"


def _layer_size_problems(sizes, num_layers: int) -> list[str]:
    """What is wrong with layer_sizes: not whole numbers, below 1, or not one per layer."""
    if not isinstance(sizes, tuple) or not all(
        isinstance(size, int) and not isinstance(size, bool) for size in sizes
    ):
        return ["layer_sizes must be a list of whole numbers, one per layer (or empty)."]
    if not sizes:
        return []
    problems = []
    if len(sizes) != num_layers:
        problems.append(
            f"layer_sizes gives {len(sizes)} size(s) for {num_layers} layer(s): give one size "
            "per layer, or leave it empty to use hidden_size for every layer."
        )
    if any(not 1 <= size <= MAX_UNITS for size in sizes):
        problems.append(f"Every entry of layer_sizes must be between 1 and {MAX_UNITS}.")
    return problems


_RNN_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
PARAMETER_NAMES: tuple[str, ...] = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


class StackedRNN(nn.Module):
    """Recurrent layers of different sizes: one single-layer nn.RNN / nn.LSTM / nn.GRU per layer.

    Layer k reads the (B, T, D*H_{k-1}) output of layer k - 1; in training mode, dropout is
    applied to the output of every layer but the last, as nn.LSTM's `dropout` does. The state is
    a tuple with one entry per layer: (D, B, H_k), or an (h, c) pair of those for LSTM.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_sizes: tuple[int, ...],
        nonlinearity: str = "tanh",
        dropout: float = 0.0,
        bidirectional: bool = False,
    ) -> None:
        super().__init__()
        kwargs = {"nonlinearity": nonlinearity} if cell == "rnn" else {}
        D = 2 if bidirectional else 1
        widths = (input_size, *(D * size for size in hidden_sizes[:-1]))
        self.layers = nn.ModuleList(
            _RNN_CLASSES[cell](
                input_size=width,
                hidden_size=size,
                bidirectional=bidirectional,
                batch_first=True,
                **kwargs,
            )
            for width, size in zip(widths, hidden_sizes, strict=True)
        )
        self.hidden_sizes = tuple(hidden_sizes)
        self.num_layers = len(hidden_sizes)
        self.dropout = dropout
        self.bidirectional = bidirectional

    def forward(self, x: torch.Tensor, hidden=None):
        """x (B, T, F_in) -> (states (B, T, D*H_last), one final state per layer)."""
        finals = []
        for k, layer in enumerate(self.layers):
            x, final = layer(x, None if hidden is None else hidden[k])  # (B, T, D*H_k)
            finals.append(final)
            if k < self.num_layers - 1 and self.dropout > 0 and self.training:
                x = F.dropout(x, self.dropout, training=True)
        return x, tuple(finals)


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
        sizes = config.hidden_sizes
        dropout = config.dropout if config.num_layers > 1 else 0.0
        if len(set(sizes)) == 1:  # one PyTorch module: the parameter names checkpoints hold
            kwargs = {"nonlinearity": config.nonlinearity} if config.cell == "rnn" else {}
            self.rnn = _RNN_CLASSES[config.cell](
                input_size=config.features_in,
                hidden_size=sizes[0],
                num_layers=config.num_layers,
                dropout=dropout,
                bidirectional=config.bidirectional,
                batch_first=True,
                **kwargs,
            )
        else:
            self.rnn = StackedRNN(
                config.cell,
                config.features_in,
                sizes,
                config.nonlinearity,
                dropout,
                config.bidirectional,
            )
        self.head = nn.Linear(config.last_hidden_size * config.num_directions, config.output_size)
        if config.recurrent_init == "orthogonal":
            orthogonal_recurrent_init_(self.rnn)
        if config.head_init == "zero":
            nn.init.zeros_(self.head.weight)
            nn.init.zeros_(self.head.bias)

    def init_hidden(self, batch_size: int):
        """Zero initial state on the model's device and dtype: (L*D, B, H), a pair for LSTM; for
        layers of different sizes, a tuple of one such state per layer, each (D, B, H_k)."""
        cfg = self.config
        weight = self.head.weight
        D = cfg.num_directions

        def zeros(layers: int, size: int):
            h0 = weight.new_zeros(layers * D, batch_size, size)
            return (h0, h0.clone()) if cfg.cell == "lstm" else h0

        if isinstance(self.rnn, StackedRNN):
            return tuple(zeros(1, size) for size in cfg.hidden_sizes)
        return zeros(cfg.num_layers, cfg.hidden_sizes[0])

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """What enters the first recurrent layer: (B, T, features_in)."""
        return self.embedding(x) if self.embedding is not None else x

    def forward(self, x: torch.Tensor, hidden=None):
        """Returns (prediction, final hidden state); prediction is (B, T, O) or (B, O)."""
        states, hidden = self.rnn(self.embed(x), hidden)  # (B, T, D*H_last)
        return self.head(self.readout(states)), hidden

    def readout(self, states: torch.Tensor) -> torch.Tensor:
        """The states the head reads: all steps (B, T, D*H), or the last step (B, D*H), where H is
        the last layer's size."""
        if self.config.task_shape == "many_to_many":
            return states
        if not self.config.bidirectional:
            return states[:, -1]
        # The backward direction has seen the whole window at t = 0, not at t = T - 1.
        H = self.config.last_hidden_size
        return torch.cat([states[:, -1, :H], states[:, 0, H:]], dim=-1)  # (B, 2H)

    def parameter_count(self) -> int:
        """PyTorch's real count of trainable numbers (two bias vectors per gate)."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)


def layer_parameter(
    model: SequenceModel, name: str, layer: int, reverse: bool = False
) -> nn.Parameter:
    """`weight_ih` (G*H_k, F_k), `weight_hh` (G*H_k, H_k), `bias_ih` or `bias_hh` (G*H_k,) of
    layer `layer` (negative counts from the last), forward or backward (`reverse`) direction,
    whether the layers are one PyTorch module or a StackedRNN."""
    config = model.config
    if name not in PARAMETER_NAMES:
        raise ValueError(f"Choose a parameter among {', '.join(PARAMETER_NAMES)}, not {name!r}.")
    if not -config.num_layers <= layer < config.num_layers:
        raise ValueError(f"Choose a layer between 0 and {config.num_layers - 1}, not {layer}.")
    if reverse and not config.bidirectional:
        raise ValueError("Only a bidirectional model has a backward (reverse) direction.")
    layer %= config.num_layers
    suffix = "_reverse" if reverse else ""
    if isinstance(model.rnn, StackedRNN):
        return getattr(model.rnn.layers[layer], f"{name}_l0{suffix}")
    return getattr(model.rnn, f"{name}_l{layer}{suffix}")


def orthogonal_recurrent_init_(rnn: nn.Module) -> None:
    """Orthogonal init for each gate's (H, H) block of every W_hh, in place (an nn.RNN / LSTM /
    GRU, or a StackedRNN of them)."""
    with torch.no_grad():
        for module in rnn.modules():
            if not isinstance(module, nn.RNNBase):
                continue
            for name, weight in module.named_parameters(recurse=False):
                if name.startswith("weight_hh"):
                    for block in weight.split(module.hidden_size, dim=0):  # one block per gate
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
    G gates x (W_ih + W_hh + b_ih + b_hh) at that layer's size H_k, plus the embedding and the
    head; layer k > 0 reads D * H_{k-1} values per step."""
    G, D = GATES_PER_CELL[config.cell], config.num_directions
    total, layer_in = 0, config.features_in
    for H in config.hidden_sizes:
        total += D * G * H * (layer_in + H + 2)
        layer_in = D * H
    if config.vocab_size is not None:
        total += config.vocab_size * config.embedding_dim
    return total + config.last_hidden_size * D * config.output_size + config.output_size


def device_label(model: torch.nn.Module) -> str:
    """Where the model runs, as a page says it: "CPU", or on CUDA the GPU's name and whether
    PyTorch's fused cuDNN kernels run its recurrent layers (they do unless cuDNN is off)."""
    device = next(model.parameters()).device
    if device.type != "cuda":
        return "CPU"
    fused = torch.backends.cudnn.enabled and torch.backends.cudnn.is_available()
    kernels = "fused cuDNN kernels" if fused else "without cuDNN"
    return f"GPU {torch.cuda.get_device_name(device)} ({kernels})"
