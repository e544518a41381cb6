"""An export checks itself before anything of it is loaded (a .pt2 is native code): the C++
example and the Python reader refuse, with a sentence and a non-zero exit (ExportError in Python),
a damaged or altered file, a model.json that disagrees with the compiled graph or passes its
bounds, and a sample that is not a finite number; they accept the samples' columns in any order
and CRLF line endings, with PyTorch's predictions. The C++ example is built once per session."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from rnn_core.export.bundle import MEMBERS
from rnn_core.export.checks import MAX_WINDOW, ExportError, file_record, package_metadata
from rnn_core.export.cpp import run_example
from rnn_core.export.reader import open_export, run_pt2
from rnn_core.export.samples import stream_windows
from tests.core.export_shared import example_program, imu_export, imu_model

# The C++ build and the IMU export are made once per worker: both modules run on one.
pytestmark = [pytest.mark.xdist_group("export-shared"), pytest.mark.slow]

TOLERANCE = {"rtol": 1e-4, "atol": 1e-4}
NOT_OURS = "model.pt2 is not the file this export wrote"
MISMATCH = "model.json does not match model.pt2"
OUT_OF_BOUNDS = f"is not a whole number from 1 to {MAX_WINDOW}"
HOSTILE_LIBRARY = r"""
#include <cstdio>
#include <cstdlib>
// Writes a file the moment the library is loaded: proof that its code ran.
__attribute__((constructor)) static void ran() {
  if (const char* path = std::getenv("RNN_EXPORT_MARKER")) {
    if (FILE* file = std::fopen(path, "w")) std::fputs("ran", file), std::fclose(file);
  }
}
"""


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    return imu_export(tmp_path_factory)[0]


@pytest.fixture(scope="module")
def program(tmp_path_factory) -> Path:
    return example_program(tmp_path_factory)


@pytest.fixture(scope="module")
def hostile_library(tmp_path_factory) -> Path:
    """A shared library whose constructor writes $RNN_EXPORT_MARKER, seen to do so when loaded."""
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "ran.cpp").write_text(HOSTILE_LIBRARY)
    library = folder / "ran.so"
    subprocess.run(["g++", "-shared", "-fPIC", "-o", library, folder / "ran.cpp"], check=True)
    marker = folder / "loaded"
    load = f"import ctypes; ctypes.CDLL({str(library)!r})"
    env = {"RNN_EXPORT_MARKER": str(marker), "PATH": "/usr/bin:/bin"}
    subprocess.run(["python3", "-c", load], check=True, env=env)
    assert marker.read_text() == "ran"  # the test below would see it, had the library run
    return library


def library_member(package: Path) -> tuple[zipfile.ZipInfo, int]:
    """The compiled library inside a .pt2 and where its bytes start (stored, not compressed)."""
    with zipfile.ZipFile(package) as archive:
        (info,) = [i for i in archive.infolist() if i.filename.endswith(".so")]
    assert info.compress_type == zipfile.ZIP_STORED
    with package.open("rb") as file:
        file.seek(info.header_offset)
        header = file.read(30)
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    return info, info.header_offset + 30 + name_length + extra_length


def patch(path: Path, offset: int, new: bytes) -> None:
    """Overwrite bytes of a file in place (its size unchanged)."""
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(new)


def random_bytes_in_the_library(folder: Path, _: Path) -> None:
    package = folder / "model.pt2"
    info, start = library_member(package)
    noise = np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    patch(package, start + info.file_size // 2, noise)


def flipped_bytes_in_the_weights(folder: Path, _: Path) -> None:
    package = folder / "model.pt2"
    weights = imu_model()[3].model.rnn.weight_ih_l0.detach().numpy().tobytes()  # float32
    offset = package.read_bytes().find(weights)
    assert offset > 0 and len(weights) >= 256  # the weights lie in the library as they are
    flipped = bytes(byte ^ 0x01 for byte in weights[:256])
    patch(package, offset, flipped)


def a_replaced_library(folder: Path, library: Path) -> None:
    package = folder / "model.pt2"
    with zipfile.ZipFile(package) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(package, "w") as archive:
        for info, content in members:
            replaced = library.read_bytes() if info.filename.endswith(".so") else content
            archive.writestr(info, replaced)


def edit_sidecar(folder: Path, change) -> None:
    sidecar = json.loads((folder / "model.json").read_text())
    change(sidecar)
    (folder / "model.json").write_text(json.dumps(sidecar))


def one_channel_fewer(sidecar: dict) -> None:
    sidecar["input"]["channels"].pop()
    sidecar["input"]["shape"][-1] -= 1


def another_window(sidecar: dict) -> None:
    sidecar["window_length"] += 1
    sidecar["input"]["shape"][1] += 1


def another_dtype(sidecar: dict) -> None:
    sidecar["input"]["dtype"] = "float64"


def window_of(length: int):
    return lambda sidecar: sidecar.update(window_length=length)


DAMAGES = {
    "4 KiB of random bytes inside the compiled library": (random_bytes_in_the_library, NOT_OURS),
    "256 flipped bytes in the weights": (flipped_bytes_in_the_weights, NOT_OURS),
    "a replaced shared library": (a_replaced_library, NOT_OURS),
    "a sidecar with one channel fewer": (lambda f, _: edit_sidecar(f, one_channel_fewer), MISMATCH),
    "a sidecar with another window": (lambda f, _: edit_sidecar(f, another_window), MISMATCH),
    "a sidecar with another dtype": (lambda f, _: edit_sidecar(f, another_dtype), MISMATCH),
    "window_length 99999999999999999999": (
        lambda f, _: edit_sidecar(f, window_of(99999999999999999999)),
        f"window_length (99999999999999999999) {OUT_OF_BOUNDS}",
    ),
    "window_length 100000000": (
        lambda f, _: edit_sidecar(f, window_of(100000000)),
        f"window_length (100000000) {OUT_OF_BOUNDS}",
    ),
    "an edited samples.csv": (
        lambda f, _: (f / "samples.csv").write_text((f / "samples.csv").read_text() + "1,2\n"),
        "samples.csv is not the file this export wrote",
    ),
}


@pytest.fixture(params=list(DAMAGES))
def damaged(request, export, hostile_library, tmp_path, monkeypatch):
    """A copy of the export with one damage: (folder, the sentence expected, the marker file)."""
    folder = tmp_path / "export"
    shutil.copytree(export, folder)
    damage, sentence = DAMAGES[request.param]
    damage(folder, hostile_library)
    marker = tmp_path / "library-ran"
    monkeypatch.setenv("RNN_EXPORT_MARKER", str(marker))
    return folder, sentence, marker


def windows_of(folder: Path, frame: pd.DataFrame | None = None) -> np.ndarray:
    """The windows a ring buffer holds over the export's samples: (P, T, C) float32."""
    frame = pd.read_csv(folder / "samples.csv") if frame is None else frame
    return stream_windows(frame.to_numpy(np.float32), imu_model()[3].spec.seq_len)


def pytorch(folder: Path) -> np.ndarray:
    """PyTorch's prediction for every window of the export's samples: (P, K)."""
    with torch.no_grad():
        return imu_model()[3](torch.from_numpy(windows_of(folder))).numpy()


def refused(run, sentence: str) -> None:
    assert run.returncode == 2 and len(run.predictions) == 0, run.message
    assert sentence in run.message, run.message
    assert "terminate" not in run.message and "Exception" not in run.message


def test_the_manifest_holds_every_other_file_of_the_zip(export):
    manifest = json.loads((export / "model.json").read_text())["manifest"]
    assert set(manifest) == set(MEMBERS) - {"model.json"}
    for name, record in manifest.items():
        content = (export / name).read_bytes()
        assert record == {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def test_the_package_describes_the_graph_it_compiled(export):
    """What torch.export traced, read from the .pt2's metadata without loading its library."""
    _, data, _, graph = imu_model()
    metadata = package_metadata(export / "model.pt2")
    assert metadata["rnn_explorer.input_shape"] == f"batch,{data.seq_len},8"
    assert metadata["rnn_explorer.output_shape"] == "batch,5"
    assert (
        metadata["rnn_explorer.input_dtype"] == metadata["rnn_explorer.output_dtype"] == "float32"
    )
    assert json.loads(metadata["rnn_explorer.channels"]) == list(graph.spec.channels)
    assert open_export(export).sidecar["input"]["channels"] == list(graph.spec.channels)


def test_the_example_sha256_equals_hashlib(program, tmp_path):
    """Empty, one block, the padding edges (55, 56, 63, 64 bytes), several blocks and chunks."""
    rng = np.random.default_rng(1)
    sizes = [0, 1, 3, 55, 56, 57, 63, 64, 65, 119, 128, 1000, 65_536, 65_537, 300_001]
    paths = []
    for size in sizes:
        paths.append(tmp_path / f"bytes-{size}")
        paths[-1].write_bytes(
            b"abc" if size == 3 else rng.integers(0, 256, size, np.uint8).tobytes()
        )
    done = subprocess.run(
        [program.parent / "rnn_sha256", *paths], capture_output=True, text=True, check=True
    )
    got = [line.split()[0] for line in done.stdout.splitlines()]
    assert got == [hashlib.sha256(path.read_bytes()).hexdigest() for path in paths]
    assert got[2] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS


def test_the_cpp_example_refuses_before_it_loads_anything(program, damaged):
    folder, sentence, marker = damaged
    refused(run_example(program, folder), sentence)
    assert not marker.exists()  # the library's code never ran


def test_the_python_reader_refuses_the_same(export, damaged):
    folder, sentence, marker = damaged
    with pytest.raises(ExportError) as error:
        run_pt2(folder / "model.pt2", windows_of(export))
    assert sentence in str(error.value)
    assert not marker.exists()


def test_a_forged_manifest_still_meets_the_graphs_own_description(
    program, export, hostile_library, tmp_path, monkeypatch
):
    """A replaced library with the manifest rewritten to match it: the package's metadata (read
    from the zip, its library not loaded) still disagrees with the sidecar's window, so neither
    reader loads it. (A forgery consistent throughout is what only a trusted source prevents.)"""
    folder = tmp_path / "export"
    shutil.copytree(export, folder)
    a_replaced_library(folder, hostile_library)

    def forge(sidecar: dict) -> None:
        sidecar["manifest"]["model.pt2"] = file_record((folder / "model.pt2").read_bytes())
        another_window(sidecar)

    edit_sidecar(folder, forge)
    marker = tmp_path / "library-ran"
    monkeypatch.setenv("RNN_EXPORT_MARKER", str(marker))
    refused(run_example(program, folder), MISMATCH)
    with pytest.raises(ExportError, match=MISMATCH):
        open_export(folder)
    assert not marker.exists()


def test_a_lone_package_without_its_sidecar_is_not_loaded(export, tmp_path):
    shutil.copy(export / "model.pt2", tmp_path / "model.pt2")
    with pytest.raises(ExportError, match=r"There is no sidecar \(model.json\)"):
        run_pt2(tmp_path / "model.pt2", windows_of(export))


def test_the_python_reader_gives_pytorch_predictions(export):
    checked = open_export(export, needed=("model.pt2", "model.onnx"))
    np.testing.assert_allclose(checked.run_pt2(windows_of(export)), pytorch(export), **TOLERANCE)
    np.testing.assert_allclose(checked.run_onnx(windows_of(export)), pytorch(export), **TOLERANCE)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_the_python_reader_refuses_a_sample_that_is_not_finite(export, value):
    windows = windows_of(export)
    windows[3, 5, 2] = float(value)
    channel = json.loads((export / "model.json").read_text())["input"]["channels"][2]
    with pytest.raises(ExportError, match=f"Window 3, step 5, channel {channel} is {value}, not a"):
        open_export(export).run_pt2(windows)


@pytest.mark.parametrize("form", ["columns in another order", "CRLF line endings", "both"])
def test_the_cpp_example_reads_columns_by_name_and_crlf(program, export, tmp_path, form):
    frame = pd.read_csv(export / "samples.csv")
    if form != "CRLF line endings":
        frame = frame[list(reversed(frame.columns))]
    ending = "\n" if form == "columns in another order" else "\r\n"
    samples = tmp_path / "my-samples.csv"
    frame.to_csv(samples, index=False, float_format="%.9g", lineterminator=ending)
    run = run_example(program, export, str(samples))
    assert run.returncode == 0, run.message
    in_order = run_example(program, export)
    np.testing.assert_array_equal(run.predictions, in_order.predictions)
    np.testing.assert_allclose(run.predictions, pytorch(export), **TOLERANCE)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_the_cpp_example_refuses_a_sample_that_is_not_finite(program, export, tmp_path, value):
    frame = pd.read_csv(export / "samples.csv").astype(object)
    frame.loc[4, "gx"] = value  # row 6 of the file: the header is row 1
    samples = tmp_path / "my-samples.csv"
    frame.to_csv(samples, index=False)
    run = run_example(program, export, str(samples))
    refused(run, f"Row 6 of {samples}, column gx is {value}, not a finite number")
