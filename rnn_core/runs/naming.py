"""Names that tell stored runs apart, made when they are shown (so runs stored before get good
names too): where a run came from (Train, a comparison, a sweep, an import) and the settings
in which it differs from its siblings, the runs of the same origin.

    "Sweep 3 · lr 0.03 · hidden 16"   a sweep's runs: its knobs
    "Compare 2 · GRU · clip 1"         a comparison's runs: the cell and the clipping
    "Train · LSTM · lr 0.01 · hidden 32"

A name the user gave (renamed on Runs, or brought by an import) wins. No torch here: the Runs
page reads this for every stored run."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the store's module is not needed to read a record's fields
    from rnn_core.runs.store import RunRecord

ORIGIN_LABELS = {"train": "Train", "compare": "Compare", "sweep": "Sweep", "import": "Imported"}
GROUPED = ("sweep", "compare")  # kinds whose runs come in groups, numbered by age
# ModelConfig's and TrainConfig's defaults (a test holds them to the configs): a stored run's
# settings hold every field, these only stand in where a hand-made record lacks one.
MODEL_DEFAULTS = {"hidden_size": 32, "num_layers": 1, "layer_sizes": []}
TRAIN_DEFAULTS = {
    "learning_rate": 1e-2,
    "batch_size": 64,
    "clip_grad_norm": 1.0,
    "optimizer": "adam",
    "weight_decay": 0.0,
    "max_steps": 300,
}


@dataclass(frozen=True)
class Origin:
    """Where a run came from: its kind and, for a sweep or a comparison, the group's id."""

    kind: str  # "train", "compare", "sweep" or "import"
    group: str | None  # the sweep's or comparison's id; None for Train and imports


def origin_of(record: RunRecord) -> Origin:
    """The run's stored origin (`settings["origin"]`); for a run stored before origins were
    kept, the one its record implies: a sweep id ("sweep-…") or a comparison's, else Train."""
    stored = _part(record.settings, "origin")
    if stored.get("kind") in ORIGIN_LABELS:
        group = stored.get("group")
        grouped = stored["kind"] in GROUPED and isinstance(group, str)
        return Origin(stored["kind"], group if grouped else None)
    sweep = record.sweep if isinstance(record.sweep, str) else ""
    if sweep.startswith("sweep-"):
        return Origin("sweep", sweep)
    return Origin("compare", sweep) if sweep else Origin("train", None)


def _part(settings: Any, key: str) -> dict:
    """settings[key] when it is a table, else an empty one (a hand-made or old record)."""
    value = settings.get(key) if isinstance(settings, dict) else None
    return value if isinstance(value, dict) else {}


def model_value(record: RunRecord, field: str) -> Any:
    """A field of the run's model settings, the model's default where the record lacks it."""
    return _part(record.settings, "model").get(field, MODEL_DEFAULTS.get(field))


def training_value(record: RunRecord, field: str) -> Any:
    """A field of the run's training settings, the default where the record lacks it."""
    return _part(record.settings, "training").get(field, TRAIN_DEFAULTS.get(field))


def number(value: Any) -> float | int | None:
    """`value` when it is a finite number, else None (a record kept before imports were checked
    may hold anything: its names and columns then say "?" or nothing, never fail)."""
    plain = isinstance(value, int | float) and not isinstance(value, bool)
    return value if plain and math.isfinite(value) else None


def learning_rate(record: RunRecord) -> float | None:
    """The run's learning rate, None when its settings hold no number for it."""
    return number(training_value(record, "learning_rate"))


def _words(value: Any) -> str:
    """A number as a name writes it (0.03, 1e-05, 64), "?" for anything else."""
    return "?" if number(value) is None else f"{value:g}"


def hidden_sizes(record: RunRecord) -> list[int]:
    """Units of each recurrent layer, first to last (as ModelConfig.hidden_sizes); empty when
    the settings hold no sizes."""
    sizes = model_value(record, "layer_sizes") or []
    if isinstance(sizes, list | tuple) and sizes:
        whole = all(number(size) is not None and size == int(size) for size in sizes)
        return [int(size) for size in sizes] if whole else []
    size, layers = (
        number(model_value(record, "hidden_size")),
        number(model_value(record, "num_layers")),
    )
    return [int(size)] * int(layers) if size is not None and layers is not None else []


def default_name(cell: str, sizes, learning_rate: float, seed: int) -> str:
    """The name a new run is stored with: "LSTM 32 · lr 0.01 · seed 0"."""
    return f"{cell} {'-'.join(str(s) for s in sizes)} · lr {_words(learning_rate)} · seed {seed}"


def given_name(record: RunRecord) -> bool:
    """True when the run's name is one a person gave, not one made when it was stored (today's,
    or the "LSTM 32 · seed 0" of runs stored before)."""
    sizes = hidden_sizes(record)
    made = (
        default_name(record.cell, sizes, training_value(record, "learning_rate"), record.seed),
        f"{record.cell} {'-'.join(str(s) for s in sizes)} · seed {record.seed}",
    )
    return bool(record.name.strip()) and record.name.strip() not in made


def _clip(record: RunRecord) -> str:
    clip = training_value(record, "clip_grad_norm")
    return "no clipping" if clip is None else f"clip {_words(clip)}"


def _layers(record: RunRecord) -> str:
    count = len(hidden_sizes(record))
    return f"{count} layer{'s' * (count != 1)}" if count else "? layers"


def _hidden(record: RunRecord) -> str:
    sizes = hidden_sizes(record) or ["?"]
    shown = sizes[:1] if len(set(sizes)) == 1 else sizes  # "32" for 32 in every layer
    return "hidden " + "-".join(str(size) for size in shown)


def _optimizer(record: RunRecord) -> str:
    chosen = training_value(record, "optimizer")
    return {"sgd": "SGD", "adam": "Adam"}.get(chosen, "?") if isinstance(chosen, str) else "?"


# The settings a name may show, in the order it shows them: each as words of its value.
KNOBS: dict[str, Callable[[RunRecord], str]] = {
    "cell": lambda r: r.cell,
    "lr": lambda r: f"lr {_words(training_value(r, 'learning_rate'))}",
    "hidden": _hidden,
    "layers": _layers,
    "batch": lambda r: f"batch {_words(training_value(r, 'batch_size'))}",
    "clip": _clip,
    "optimizer": _optimizer,
    "weight decay": lambda r: f"weight decay {_words(training_value(r, 'weight_decay'))}",
    "steps": lambda r: f"{_words(training_value(r, 'max_steps'))} steps",
    "data": lambda r: r.source,
    "seed": lambda r: f"seed {r.seed}",
}
ALWAYS = {  # knobs a name shows even where its siblings share them
    "train": ("cell", "lr", "hidden"),
    "compare": ("cell", "clip"),
    "sweep": (),
    "import": ("cell", "lr", "hidden"),
}


def origin_labels(records: list[RunRecord]) -> dict[str, str]:
    """Each run's origin in words: "Train", "Imported", or its group numbered by age within
    its kind ("Sweep 1" is the oldest sweep of these runs, "Compare 2" the second comparison)."""
    origins = {r.id: origin_of(r) for r in records}
    numbers: dict[Origin, int] = {}
    for record in sorted(records, key=lambda r: r.created):  # oldest first
        origin = origins[record.id]
        if origin.group is not None and origin not in numbers:
            numbers[origin] = 1 + sum(o.kind == origin.kind for o in numbers)
    return {
        run_id: ORIGIN_LABELS[o.kind] + (f" {numbers[o]}" if o in numbers else "")
        for run_id, o in origins.items()
    }


def display_names(records: list[RunRecord]) -> dict[str, str]:
    """Each run's name as the Runs page shows it: the name a person gave, else its origin and
    the settings it differs in from its siblings (the runs of the same origin); runs alike in
    all of them are told apart by their order: "(2)" for the second made."""
    labels, origins = origin_labels(records), {r.id: origin_of(r) for r in records}
    siblings: dict[Origin, list[RunRecord]] = {}
    for record in records:
        siblings.setdefault(origins[record.id], []).append(record)
    names = {}
    for origin, group in siblings.items():
        differ = [k for k, words in KNOBS.items() if len({words(r) for r in group}) > 1]
        shown = [k for k in KNOBS if k in differ or k in ALWAYS[origin.kind]]
        for r in group:
            made = " · ".join([labels[r.id], *(KNOBS[k](r) for k in shown)])
            names[r.id] = r.name.strip() if given_name(r) else made
    return _told_apart(records, names, {r.id for r in records if not given_name(r)})


def _told_apart(records: list[RunRecord], names: dict[str, str], made: set[str]) -> dict[str, str]:
    """Made names shared by several runs, with "(k)" after the k-th made, oldest first."""
    counts, seen = Counter(names[r.id] for r in records if r.id in made), Counter()
    for record in sorted(records, key=lambda r: r.created):
        name = names[record.id]
        if record.id in made and counts[name] > 1:
            seen[name] += 1
            names[record.id] = f"{name} ({seen[name]})"
    return names
