"""Deterministic recipes for the lecture presets, measured with the core exactly as the app uses it.

    python scripts/preset_recipes.py                 every recipe (about 2 minutes on a 2-core CPU)
    python scripts/preset_recipes.py sine brackets   only some: sine, explode, brackets, imu
    python scripts/preset_recipes.py imu --imu-variants   also the IMU changes tried on the sample

Every run is on the CPU with one torch thread (as a training process of the app runs). Times:
"train s" is the Trainer's own clock (optimizer steps only, what the app's history shows), "wall s"
the loop's wall clock with the validation measurements (probes made by this script excluded),
"steps/s" = steps / train s. The machine is shared, so times are noisy; steps/s says how noisy.

1. sine      An LSTM learns a sine: SineConfig() windows of 50, the app's default knobs; the
             validation loss ends far below the trivial baseline (`trivial_baseline`).
2. explode   Exploding gradients and clipping: a tanh RNN with orthogonal W_hh trained by SGD
             (lr 0.3, momentum 0.9) on windows of 50, once without clipping (diverges within
             ~20-35 steps) and once with clip_grad_norm 0.5 (finite, the loss falls ~1000x). Clip
             1.0 is shown too (it fails on some seeds at this rate), and the unclipped run on
             shorter windows: with a window of 1 (no path through time) it mostly trains.
3. brackets  The bracket-counting cell: a character LSTM on `bracket_corpus()` with windows of
             100; the Text lab's ranking (layer 1, the first 1,500 validation characters, every h,
             c and gate unit) finds a cell unit with |r| >= 0.9 against bracket depth.
4. imu       The IMU preset (ui/lecture/presets.py) on the bundled samples: test RMSE of the
             model against persistence and the complementary filter, per target, as the Evaluate
             page scores it.
5. Determinism: seed 0 of every recipe is trained twice; the loss histories must be identical.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402

from rnn_core.analysis.textlab import PROPERTIES, activations_for_text, rank_units  # noqa: E402
from rnn_core.datasets.imu.prepare import ImuTask, imu_table, prepare_imu  # noqa: E402
from rnn_core.datasets.imu.reader import read_imu_csv  # noqa: E402
from rnn_core.datasets.prepare import PreparedData, prepare_series, prepare_text  # noqa: E402
from rnn_core.datasets.sine import SineConfig, make_sine  # noqa: E402
from rnn_core.datasets.text import CORPORA  # noqa: E402
from rnn_core.evaluation.compare import trivial_baseline  # noqa: E402
from rnn_core.evaluation.imu import evaluate_forecast  # noqa: E402
from rnn_core.models import ModelConfig, build_model  # noqa: E402
from rnn_core.training.trainer import TrainConfig, Trainer  # noqa: E402

torch.set_num_threads(1)
pd.set_option("display.width", 160)
pd.set_option("display.max_columns", 30)

SEEDS = (0, 1, 2, 3, 4)
COMPARED = ["step", "loss", "val_loss", "grad_norm", "lr"]  # what must repeat exactly (not time)

# 1. An LSTM learns a sine: the app's default source and knobs (ui/session/controls.py DEFAULTS).
SINE_DATA = SineConfig()
SINE_SEQ_LEN = 50
SINE_MODEL = ModelConfig(cell="lstm", input_size=1, output_size=1, hidden_size=32)
SINE_TRAIN = TrainConfig(
    optimizer="adam", learning_rate=0.01, batch_size=64, clip_grad_norm=1.0, max_steps=300
)

# 2. Exploding gradients: the same run without clipping and with clip_grad_norm 0.5.
EXPLODE_DATA = SineConfig()
EXPLODE_SEQ_LEN = 50
EXPLODE_MODEL = ModelConfig(
    cell="rnn",
    nonlinearity="tanh",
    input_size=1,
    output_size=1,
    hidden_size=32,
    recurrent_init="orthogonal",
)
EXPLODE_TRAIN = TrainConfig(
    optimizer="sgd",
    learning_rate=0.3,
    momentum=0.9,
    batch_size=64,
    clip_grad_norm=None,
    max_steps=400,
)
EXPLODE_CLIPS = {"no clipping": None, "clip 0.5": 0.5, "clip 1.0 (not always enough)": 1.0}
EXPLODE_WINDOWS = (1, 5, 10, 20, 50)  # the unclipped run again on shorter windows

# 3. The bracket-counting cell: the "Nested brackets (generated)" corpus, windows of 100.
BRACKET_CORPUS = "Nested brackets (generated)"
BRACKET_SEQ_LEN = 100
BRACKET_TRAIN = TrainConfig(
    optimizer="adam", learning_rate=0.01, batch_size=64, clip_grad_norm=1.0, max_steps=400
)
BRACKET_HIDDEN = 32
BRACKET_PROBE_STEPS = 600  # r is read every 100 steps up to here, past the recipe's 400
EXCERPT_CHARS = 1500  # the Text lab's default excerpt of the validation text
TEXTLAB_LAYER = 0  # the page's default layer ("layer 1")

# 4. The IMU preset (ui/lecture/presets.py IMU_PRESET) on the bundled samples, as the Data page
# reads them.
IMU_SAMPLES = {
    "phyphox zip (the Data page's default)": "imu-sim-phyphox.zip",
    "Arduino MPU6050 log": "imu-sim-arduino.csv",
    "labelled, true roll and pitch": "imu-sim-labelled.csv",
    "imu-sim-50hz.csv (not offered on the page)": "imu-sim-50hz.csv",
}
IMU_SEQ_LEN = 20
IMU_TASK = ImuTask()  # the Data page's defaults: every input, roll pitch gx gy gz, 1 step, change
IMU_TRAIN = TrainConfig(
    optimizer="adam",
    learning_rate=0.003,
    batch_size=64,
    clip_grad_norm=1.0,
    max_steps=3000,
    early_stopping_patience=8,
)
IMU_SIZES = (64, 32)


@dataclass
class Run:
    """One training: the trainer, its history, its times and what a probe read along the way."""

    trainer: Trainer
    frame: pd.DataFrame
    wall_s: float
    probes: dict[int, object] = field(default_factory=dict)

    @property
    def steps(self) -> int:
        return self.trainer.steps_done

    @property
    def train_s(self) -> float:
        return float(self.frame["seconds"].iloc[-1]) if len(self.frame) else 0.0

    @property
    def steps_per_s(self) -> float:
        return self.steps / self.train_s if self.train_s > 0 else float("nan")

    @property
    def final_val(self) -> float:
        values = self.frame["val_loss"].dropna()
        return float(values.iloc[-1]) if len(values) else float("nan")


def train(
    data: PreparedData,
    model_config: ModelConfig,
    train_config: TrainConfig,
    probe: Callable | None = None,
    every: int = 100,
) -> Run:
    """Build the model of (config, seed) and train it as the app does (model seed = train seed);
    `probe(model)` is read every `every` steps and at the end, off the clock."""
    model = build_model(model_config, train_config.seed, "cpu")
    trainer = Trainer(model, data, train_config)
    trainer.begin()
    probes, probing = {}, 0.0
    started = time.perf_counter()
    while not trainer.done:
        trainer.step()
        if probe is not None and trainer.steps_done % every == 0 and trainer.steps_done:
            t = time.perf_counter()
            probes[trainer.steps_done] = probe(trainer.model)
            probing += time.perf_counter() - t
    wall = time.perf_counter() - started - probing
    if probe is not None and trainer.steps_done not in probes:
        probes[trainer.steps_done] = probe(trainer.model)
    return Run(trainer, trainer.history.frame(), wall, probes)


def same_history(a: Run, b: Run) -> bool:
    """True when two runs recorded the same steps, losses and gradient norms, bit for bit."""
    x, y = a.frame[COMPARED].to_numpy(), b.frame[COMPARED].to_numpy()
    return x.shape == y.shape and np.array_equal(x, y, equal_nan=True)


def show_config(name: str, config) -> None:
    """Every field of a config dataclass, defaults included."""
    fields = ", ".join(f"{key}={value!r}" for key, value in asdict(config).items())
    print(f"  {name}: {type(config).__name__}({fields})")


def header(title: str) -> None:
    print("\n" + "=" * 100 + f"\n{title}\n" + "=" * 100)


def determinism(label: str, first: Run, again: Callable[[], Run], summary: list) -> None:
    """Train seed 0 again and compare its history with the first run's."""
    second = again()
    same = same_history(first, second)
    probes_same = first.probes == second.probes
    print(
        f"  determinism ({label}, seed {first.trainer.config.seed}): loss histories "
        f"{'IDENTICAL' if same else 'DIFFERENT'} over {len(first.frame)} rows"
        + ("" if not first.probes else f"; probes {'identical' if probes_same else 'DIFFERENT'}")
    )
    summary.append((label, "deterministic (seed 0 twice)", "yes" if same else "NO"))


def sine_windows(sine: SineConfig, seq_len: int, model, train_config):
    """The sine data in windows as the Train page makes them, with the recipe's configs printed;
    returns (data, trivial baseline, what the baseline predicts)."""
    data = prepare_series(make_sine(sine), seq_len, "many_to_many", (0.7, 0.15, 0.15), ("value",))
    baseline, what = trivial_baseline(data)
    show_config("data", sine)
    print(f"  windows: seq_len {seq_len}, many_to_many, fractions (0.7, 0.15, 0.15)")
    show_config("model", model)
    show_config("train", train_config)
    return data, baseline, what


# 1 ------------------------------------------------------------------------------------------------
def sine_recipe(summary: list) -> None:
    header("1. An LSTM learns a sine (validation loss at least 100x below the trivial baseline)")
    data, baseline, what = sine_windows(SINE_DATA, SINE_SEQ_LEN, SINE_MODEL, SINE_TRAIN)
    print(f"  trivial baseline (validation loss of {what}): {baseline:.4f}")
    rows, runs = [], {}
    for seed in SEEDS:
        run = train(data, SINE_MODEL, replace(SINE_TRAIN, seed=seed))
        runs[seed] = run
        ratio = baseline / run.final_val
        rows.append(
            (seed, run.trainer.status, run.steps, run.final_val, ratio, run.train_s, run.wall_s)
            + (run.steps_per_s,)
        )
    table = pd.DataFrame(
        rows,
        columns=["seed", "status", "steps", "val loss", "baseline/val", "train s", "wall s"]
        + ["steps/s"],
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
    val = runs[0].frame.dropna(subset=["val_loss"])
    curve = "  ".join(
        f"{int(s)}:{baseline / v:.0f}x" for s, v in zip(val.step, val.val_loss, strict=True)
    )
    print(f"  seed 0, baseline/val after each evaluation: {curve}")
    summary.append(
        (
            "sine",
            "baseline/val loss, seed 0 (worst seed)",
            f"{table['baseline/val'][0]:.0f}x ({table['baseline/val'].min():.0f}x) in "
            f"{runs[0].train_s:.2f} s, {runs[0].steps_per_s:.0f} steps/s",
        )
    )
    determinism(
        "sine", runs[0], lambda: train(data, SINE_MODEL, replace(SINE_TRAIN, seed=0)), summary
    )


# 2 ------------------------------------------------------------------------------------------------
def explode_recipe(summary: list) -> None:
    header("2. Exploding gradients: the same run without clipping and with clip_grad_norm 0.5")
    data, baseline, _ = sine_windows(EXPLODE_DATA, EXPLODE_SEQ_LEN, EXPLODE_MODEL, EXPLODE_TRAIN)
    print(f"  clip_grad_norm varies: {EXPLODE_CLIPS}; trivial baseline {baseline:.4f}")
    rows, first = [], {}
    for label, clip in EXPLODE_CLIPS.items():
        for seed in SEEDS:
            config = replace(EXPLODE_TRAIN, clip_grad_norm=clip, seed=seed)
            run = train(data, EXPLODE_MODEL, config)
            if seed == 0:
                first[label] = run
            f = run.frame
            rows.append(
                (
                    label,
                    seed,
                    run.trainer.status,
                    run.steps,
                    float(f["loss"].iloc[0]),
                    float(f["loss"].max()),
                    float(f["grad_norm"].iloc[0]),
                    float(f["grad_norm"].max()),
                    run.final_val,
                    baseline / run.final_val if np.isfinite(run.final_val) else float("nan"),
                    run.train_s,
                    run.wall_s,
                    run.steps_per_s,
                )
            )
    table = pd.DataFrame(
        rows,
        columns=[
            "run",
            "seed",
            "status",
            "steps",
            "loss[1]",
            "max loss",
            "grad[1]",
            "max grad",
            "last val",
            "baseline/val",
            "train s",
            "wall s",
            "steps/s",
        ],
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    print(
        "  'steps' of a diverged run = steps recorded before the one whose loss or gradient was "
        "NaN/inf (the Trainer says 'diverged at step steps+1')."
    )
    free = table[table["run"] == "no clipping"]
    clipped = table[table["run"] == "clip 0.5"]
    diverged = int((free["status"] == "diverged").sum())
    good = int(((clipped["status"] == "finished") & (clipped["baseline/val"] > 100)).sum())
    print(
        f"  no clipping: {diverged}/{len(free)} seeds diverged, after {free['steps'].min()}-"
        f"{free['steps'].max()} steps; clip 0.5: {good}/{len(clipped)} seeds finished with the "
        f"validation loss >100x below the baseline."
    )
    f = first["no clipping"].frame
    trail = "  ".join(f"{int(s)}:{g:.2g}" for s, g in zip(f.step, f.grad_norm, strict=True))
    print(f"  seed 0 without clipping, gradient norm per step: {trail}")
    summary.append(
        (
            "explode",
            "no clip: diverged seeds, at step | clip 0.5: val/baseline",
            f"{diverged}/{len(free)} at {free['steps'].min()}-{free['steps'].max()} | "
            f"{good}/{len(clipped)} >100x below (seed 0 {clipped['baseline/val'].iloc[0]:.0f}x "
            f"in {first['clip 0.5'].train_s:.2f} s, {first['clip 0.5'].steps_per_s:.0f} steps/s)",
        )
    )
    rows = []
    for window in EXPLODE_WINDOWS:
        short = prepare_series(
            make_sine(EXPLODE_DATA), window, "many_to_many", (0.7, 0.15, 0.15), ("value",)
        )
        runs = [train(short, EXPLODE_MODEL, replace(EXPLODE_TRAIN, seed=s)) for s in SEEDS]
        diverged = [r.steps for r in runs if r.trainer.status == "diverged"]
        rows.append((window, f"{len(diverged)}/{len(runs)}", diverged or "-"))
    table = pd.DataFrame(rows, columns=["window", "diverged", "steps before diverging"])
    print("  the same unclipped run on other window lengths (seeds 0-4):")
    print(table.to_string(index=False))
    for label in ("no clipping", "clip 0.5"):
        clip = EXPLODE_CLIPS[label]
        config = replace(EXPLODE_TRAIN, clip_grad_norm=clip, seed=0)
        determinism(
            f"explode, {label}",
            first[label],
            lambda c=config: train(data, EXPLODE_MODEL, c),
            summary,
        )


# 3 ------------------------------------------------------------------------------------------------
def bracket_recipe(summary: list) -> None:
    header("3. The bracket-counting cell (Text lab: |r| with bracket depth >= 0.9)")
    text = CORPORA[BRACKET_CORPUS]()
    data = prepare_text(text, BRACKET_SEQ_LEN, (0.8, 0.1, 0.1))
    vocabulary = data.vocabulary
    model_config = ModelConfig(
        cell="lstm",
        input_size=vocabulary.size,
        output_size=vocabulary.size,
        hidden_size=BRACKET_HIDDEN,
        vocab_size=vocabulary.size,
    )
    validation = vocabulary.decode(data.validation.inputs[0].tolist())
    excerpt = validation[: min(EXCERPT_CHARS, len(validation))]
    depth = PROPERTIES["Bracket depth"](excerpt)
    baseline, _ = trivial_baseline(data)
    print(
        f"  data: CORPORA[{BRACKET_CORPUS!r}]() = bracket_corpus() ({len(text):,} chars, "
        f"vocabulary {''.join(vocabulary.chars)!r}), seq_len {BRACKET_SEQ_LEN}, "
        "fractions (0.8, 0.1, 0.1)"
    )
    show_config("model", model_config)
    show_config("train", BRACKET_TRAIN)
    print(
        f"  Text lab: first {len(excerpt)} chars of the validation text, layer "
        f"{TEXTLAB_LAYER + 1}, every quantity (h, c, i, f, g, o), property 'Bracket depth' "
        f"(max depth in the excerpt {depth.max():.0f}); trivial baseline {baseline:.4f} nats"
    )

    def best_unit(model) -> tuple[str, float]:
        activations = activations_for_text(model, vocabulary, excerpt, TEXTLAB_LAYER)
        match = rank_units(activations, depth, top=1)[0]
        return f"{match.quantity}[{match.unit}]", match.correlation

    untrained = [
        best_unit(build_model(model_config, seed))[1] for seed in SEEDS
    ]  # what a random LSTM already shows
    print(
        "  untrained models, best |r| per seed: "
        + ", ".join(f"{abs(r):.3f}" for r in untrained)
        + " (so |r| >= 0.9 is learned, not an accident of the initialisation)"
    )
    rows, first = [], None
    for seed in SEEDS:
        config = replace(BRACKET_TRAIN, seed=seed, max_steps=BRACKET_PROBE_STEPS)
        run = train(data, model_config, config, probe=best_unit, every=100)
        recipe_steps = BRACKET_TRAIN.max_steps
        at_recipe = run.frame[run.frame["step"] <= recipe_steps]
        if seed == 0:
            first = run
        rows.append(
            {"seed": seed}
            | {f"r@{step}": f"{unit} {r:+.3f}" for step, (unit, r) in run.probes.items()}
            | {
                f"train s@{recipe_steps}": float(at_recipe["seconds"].iloc[-1]),
                f"steps/s@{recipe_steps}": recipe_steps / float(at_recipe["seconds"].iloc[-1]),
                f"val@{recipe_steps}": float(at_recipe["val_loss"].dropna().iloc[-1]),
            }
        )
    table = pd.DataFrame(rows)
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
    step = BRACKET_TRAIN.max_steps
    worst = min(abs(float(row[f"r@{step}"].split()[1])) for row in rows)
    worst_any = min(
        abs(float(value.split()[1]))
        for row in rows
        for key, value in row.items()
        if key.startswith("r@") and int(key[2:]) >= 200
    )
    print(
        f"  at the recipe's {step} steps: worst |r| over seeds {worst:.3f}; worst |r| over seeds "
        f"and every probe from 200 to {BRACKET_PROBE_STEPS} steps {worst_any:.3f}"
    )
    unit, r = first.probes[step]
    summary.append(
        (
            "brackets",
            f"best |r| at {step} steps, seed 0 (worst seed)",
            f"{unit} {r:+.3f} ({worst:.3f}) in {rows[0][f'train s@{step}']:.1f} s, "
            f"{rows[0][f'steps/s@{step}']:.0f} steps/s",
        )
    )
    determinism(
        "brackets",
        first,
        lambda: train(
            data,
            model_config,
            replace(BRACKET_TRAIN, seed=0, max_steps=BRACKET_PROBE_STEPS),
            probe=best_unit,
            every=100,
        ),
        summary,
    )


# 4 ------------------------------------------------------------------------------------------------
def imu_data(file: str, seq_len: int = IMU_SEQ_LEN, task: ImuTask = IMU_TASK, shape="many_to_one"):
    """(table, prepared data) of a bundled sample, read from its bytes as the Data page does."""
    raw = io.BytesIO((ROOT / "data" / file).read_bytes())
    raw.name = file
    table = imu_table(read_imu_csv(raw, None, None))
    return table, prepare_imu(table, seq_len, task, shape)


def imu_model(data: PreparedData, sizes=IMU_SIZES, cell="lstm") -> ModelConfig:
    return ModelConfig(
        cell=cell,
        input_size=data.input_size,
        output_size=data.output_size,
        hidden_size=sizes[0],
        num_layers=len(sizes),
        layer_sizes=tuple(sizes) if len(sizes) > 1 else (),
        task_shape=data.task_shape,
    )


def imu_scores(run: Run, data, table) -> pd.DataFrame:
    return evaluate_forecast(run.trainer.model, data, table, "test").table


def imu_recipe(summary: list, variants: bool) -> None:
    header("4. IMU next-state predictor: the IMU preset on the bundled samples (test part)")
    print(
        f"  data: prepare_imu(imu_table(read_imu_csv(sample)), seq_len {IMU_SEQ_LEN}, "
        f"{IMU_TASK}, 'many_to_one')"
    )
    show_config("train", IMU_TRAIN)
    print(f"  model: 2-layer LSTM, layer_sizes {IMU_SIZES}, many_to_one (shown per sample below)")
    overview = []
    for label, file in IMU_SAMPLES.items():
        table, data = imu_data(file)
        config = imu_model(data)
        seeds = (0, 1, 2) if file in ("imu-sim-phyphox.zip", "imu-sim-arduino.csv") else (0,)
        for seed in seeds:
            run = train(data, config, replace(IMU_TRAIN, seed=seed))
            scores = imu_scores(run, data, table)
            if seed == 0:
                print(f"\n  {label}: {file}, {len(table.values)} rows at {table.sample_rate:g} Hz")
                print(f"  model: {config!r}")
                print(
                    f"  seed 0: {run.trainer.status} after {run.steps} steps, train "
                    f"{run.train_s:.1f} s, wall {run.wall_s:.1f} s, {run.steps_per_s:.0f} "
                    f"steps/s. {run.trainer.message}"
                )
                print(scores.to_string(index=False, float_format=lambda v: f"{v:.4g}"))
                first_run, first_data, first_table = run, data, table
            overview.append(
                {
                    "sample": file,
                    "seed": seed,
                    "status": run.trainer.status,
                    "steps": run.steps,
                    "train s": run.train_s,
                    "steps/s": run.steps_per_s,
                }
                | {
                    f"skill {t}": s
                    for t, s in zip(scores["target"], scores["skill vs persistence"], strict=True)
                }
                | {"beats all": bool(scores["beats persistence"].all())}
            )
        if file == "imu-sim-phyphox.zip":
            phyphox = (first_run, first_data, first_table, config)
    table = pd.DataFrame(overview)
    print("\n  skill vs persistence on the test part (1 - model MSE / persistence MSE; > 0 beats):")
    print(table.to_string(index=False, formatters=_imu_formats(table)))
    default = table[table["sample"] == "imu-sim-phyphox.zip"]
    summary.append(
        (
            "imu (phyphox, the default sample)",
            "beats persistence on every target (seeds)",
            f"{int(default['beats all'].sum())}/{len(default)}; seed 0 skill "
            + ", ".join(
                f"{c[6:]} {default[c].iloc[0]:+.2f}" for c in default if c.startswith("skill")
            )
            + f"; {default['steps'].iloc[0]} steps in {default['train s'].iloc[0]:.1f} s",
        )
    )
    arduino = table[table["sample"] == "imu-sim-arduino.csv"]
    summary.append(
        (
            "imu (Arduino sample)",
            "beats persistence on every target (seeds)",
            f"{int(arduino['beats all'].sum())}/{len(arduino)}",
        )
    )
    run, data, tab, config = phyphox
    determinism(
        "imu (phyphox)", run, lambda: train(data, config, replace(IMU_TRAIN, seed=0)), summary
    )
    if variants:
        imu_variants()


def imu_variants() -> None:
    """Changes tried on the default sample (phyphox), each for at most 1,500 steps, seed 0."""
    print("\n  variants on the phyphox sample, seed 0, no early stopping, 1,500 steps:")
    base = replace(IMU_TRAIN, seed=0, max_steps=1500, early_stopping_patience=None)
    tried = {
        "preset knobs": {},
        "window 5": {"seq_len": 5},
        "window 50": {"seq_len": 50},
        "1 layer of 32, lr 0.01": {"sizes": (32,), "lr": 0.01},
        "GRU 64": {"sizes": (64,), "cell": "gru"},
        "lr 0.001": {"lr": 0.001},
        "weight decay 1e-3": {"wd": 1e-3},
        "next value at every step": {"shape": "many_to_many"},
        "inputs gx gy gz only": {"task": ImuTask(inputs=("gx", "gy", "gz"))},
    }
    rows = []
    for name, change in tried.items():
        table, data = imu_data(
            "imu-sim-phyphox.zip",
            change.get("seq_len", IMU_SEQ_LEN),
            change.get("task", IMU_TASK),
            change.get("shape", "many_to_one"),
        )
        config = imu_model(data, change.get("sizes", IMU_SIZES), change.get("cell", "lstm"))
        train_config = replace(
            base, learning_rate=change.get("lr", 0.003), weight_decay=change.get("wd", 0.0)
        )
        run = train(data, config, train_config)
        scores = imu_scores(run, data, table)
        rows.append(
            {"variant": name, "train s": run.train_s, "steps/s": run.steps_per_s}
            | dict(zip(scores["target"], scores["skill vs persistence"], strict=True))
        )
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False, formatters=_imu_formats(frame)))


def _imu_formats(frame: pd.DataFrame) -> dict:
    """Seconds and speeds plain, skills signed."""
    plain = {"train s": "{:.1f}".format, "steps/s": "{:.0f}".format}
    return {c: plain.get(c, "{:+.3f}".format) for c in frame if frame[c].dtype == float}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "recipes", nargs="*", default=["sine", "explode", "brackets", "imu"], help="which to run"
    )
    parser.add_argument("--imu-variants", action="store_true", help="IMU changes tried (slow)")
    args = parser.parse_args(argv)
    summary: list[tuple[str, str, str]] = []
    started = time.perf_counter()
    for name in args.recipes:
        if name == "sine":
            sine_recipe(summary)
        elif name == "explode":
            explode_recipe(summary)
        elif name == "brackets":
            bracket_recipe(summary)
        elif name == "imu":
            imu_recipe(summary, args.imu_variants)
        else:
            parser.error(f"unknown recipe {name!r}: choose among sine, explode, brackets, imu")
    header(f"Summary ({time.perf_counter() - started:.0f} s in all, torch threads: 1)")
    frame = pd.DataFrame(summary, columns=["recipe", "measure", "result"])
    with pd.option_context("display.max_colwidth", 200):
        print(frame.to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1:])
