"""What an export checks before anything of it is loaded (a .pt2 is native code, run on load):

    model.json
      manifest      SHA-256 and size of every other file of the zip  -> each file present matches
      input/output  dtypes and shapes, channels, window (bounded)    -> equal to what model.pt2
                                                                        says it was compiled for
    model.pt2 metadata (written at compile time from the exported program; read from the zip,
    its library not loaded): input and output shapes and dtypes, channel names, vocabulary size

The C++ example (examples/cpp/checks.cpp) makes the same checks in the same order.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
from pathlib import Path

import torch

MAX_WINDOW = 100_000  # samples in a window (the app trains at most 2,000)
MAX_CHANNELS = 4_096  # input channels
MAX_SIDECAR_BYTES = 64 * 2**20  # model.json
PREFIX = "rnn_explorer."  # the keys of our metadata inside the .pt2
AGAIN = "unzip the export again from the zip the app gave you."
_SAFE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}")


class ExportError(ValueError):
    """A damaged, altered or mismatched export: the message says what to do."""


def file_record(content: bytes) -> dict:
    """A file's entry in the manifest: its size in bytes and its SHA-256 (hex)."""
    return {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def manifest(files: dict[str, bytes]) -> dict[str, dict]:
    """The manifest model.json records: every file of the export but model.json itself."""
    return {name: file_record(content) for name, content in files.items() if name != "model.json"}


def graph_metadata(program: torch.export.ExportedProgram, spec, token_count: int | None) -> dict:
    """What the compiled package says of itself (strings, AOTInductor's metadata): the exported
    program's input and output shapes ("batch" for the dynamic one) and dtypes, and the names."""
    values = {node.name: node.meta.get("val") for node in program.graph.nodes}
    (x,) = [values[name] for name in program.graph_signature.user_inputs]
    (y,) = [values[name] for name in program.graph_signature.user_outputs]
    described = {
        "input_shape": _shape(x.shape),
        "input_dtype": _dtype(x.dtype),
        "output_shape": _shape(y.shape),
        "output_dtype": _dtype(y.dtype),
        "channels": json.dumps(list(spec.channels)),
    }
    if token_count is not None:
        described["token_count"] = str(token_count)
    return {PREFIX + key: value for key, value in described.items()}


def _shape(sizes) -> str:
    """'batch,12,8': a symbolic size is the dynamic batch."""
    return ",".join(str(size) if isinstance(size, int) else "batch" for size in sizes)


def _dtype(dtype: torch.dtype) -> str:
    """'float32' for torch.float32."""
    return str(dtype).removeprefix("torch.")


def read_checked_sidecar(folder: str | os.PathLike, needed: tuple[str, ...]) -> dict:
    """model.json of an unzipped export, bounded, with every file its manifest lists that is in
    `folder` (and each of `needed`, which must be) checked by size and SHA-256."""
    folder = Path(folder)
    sidecar = _read_sidecar(folder / "model.json")
    files = sidecar.get("manifest")
    if not isinstance(files, dict) or not all(name in files for name in needed):
        raise ExportError(
            "model.json has no manifest of the export's files (SHA-256 and size of each), so "
            "they cannot be checked before they are loaded: export the model again."
        )
    for name, record in files.items():
        _check_file(folder, name, record, required=name in needed)
    _check_bounds(sidecar)
    return sidecar


def _read_sidecar(path: Path) -> dict:
    """model.json parsed, refused when missing, too large, not JSON, or not ours."""
    if not path.is_file():
        raise ExportError(
            f"There is no sidecar (model.json) at {path}: unzip the whole export there."
        )
    if path.stat().st_size > MAX_SIDECAR_BYTES:
        raise ExportError(f"model.json is larger than 64 MiB: not an export's sidecar; {AGAIN}")
    try:
        sidecar = json.loads(path.read_bytes())
    except (ValueError, RecursionError) as error:
        raise ExportError(f"model.json is not valid JSON ({error}): {AGAIN}") from None
    if not isinstance(sidecar, dict) or sidecar.get("format") != "rnn-explorer-export":
        raise ExportError(
            "model.json is not an RNN Explorer export's sidecar: download the export again."
        )
    return sidecar


def _check_file(folder: Path, name: str, record, required: bool) -> None:
    """One file of the manifest: absent is fine unless required; present, it must match."""
    if name == "model.json" or not _SAFE_NAME.fullmatch(str(name)) or not isinstance(record, dict):
        raise ExportError(f"model.json's manifest names a file it may not ({name!r:.60}): {AGAIN}")
    path = folder / name
    if not path.is_file():
        if required:
            raise ExportError(f"There is no {name} at {path}: unzip the whole export there.")
        return
    size = path.stat().st_size
    if size != record.get("bytes"):
        raise ExportError(
            f"{name} is not the file this export wrote: it has {size} bytes where model.json "
            f"records {record.get('bytes')!r:.40} (damaged or altered; nothing was loaded): {AGAIN}"
        )
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 16), b""):
            digest.update(chunk)
    if digest.hexdigest() != record.get("sha256"):
        raise ExportError(
            f"{name} is not the file this export wrote: its SHA-256 differs from the one "
            f"model.json records (damaged or altered; nothing was loaded): {AGAIN}"
        )


def _check_bounds(sidecar: dict) -> None:
    """The window and the channels within their stated bounds, before anything is sized by them."""
    for side in ("input", "output"):
        part = sidecar.get(side)
        if not isinstance(part, dict) or not isinstance(part.get("shape"), list):
            raise ExportError(f"model.json has no valid {side!r} (its shape and dtype): {AGAIN}")
    window = sidecar.get("window_length")
    if type(window) is not int or not 1 <= window <= MAX_WINDOW:
        raise ExportError(
            f"model.json's window_length ({str(window)[:40]}) is not a whole number from 1 to "
            f"{MAX_WINDOW}: {AGAIN}"
        )
    channels = sidecar.get("input", {}).get("channels")
    if (
        not isinstance(channels, list)
        or not 1 <= len(channels) <= MAX_CHANNELS
        or not all(isinstance(name, str) and name for name in channels)
        or len(set(channels)) != len(channels)
    ):
        raise ExportError(
            f"model.json's input channels are not 1 to {MAX_CHANNELS} distinct names: {AGAIN}"
        )


def package_metadata(path: str | os.PathLike) -> dict[str, str]:
    """The metadata AOTInductor keeps in a .pt2 (a zip), read as JSON: no library is loaded."""
    try:
        with zipfile.ZipFile(path) as package:
            (name,) = [n for n in package.namelist() if n.endswith(".wrapper_metadata.json")]
            return json.loads(package.read(name))
    except (zipfile.BadZipFile, ValueError):  # ValueError: not one such file, or not JSON
        raise ExportError(
            "model.pt2 does not describe its input and output: export the model again."
        ) from None


def described_by_sidecar(sidecar: dict) -> dict[str, str]:
    """What model.json says of the graph, in the package metadata's terms."""
    shown = {}
    for side in ("input", "output"):
        part = sidecar.get(side, {})
        shown[f"{side}_shape"] = ",".join(str(size) for size in part.get("shape", []))
        shown[f"{side}_dtype"] = str(part.get("dtype"))
    shown["channels"] = ",".join(sidecar["input"]["channels"])
    if shown["input_dtype"] == "int64":
        shown["token_count"] = str(len(sidecar.get("vocabulary") or []))
    return shown


def check_against_package(sidecar: dict, metadata: dict[str, str]) -> None:
    """model.json against the compiled graph's own description; ExportError when they differ."""
    ours = described_by_sidecar(sidecar)
    try:
        graph = {key: metadata[PREFIX + key] for key in ours}
        graph["channels"] = ",".join(json.loads(graph["channels"]))
    except (KeyError, ValueError, TypeError):
        raise ExportError(
            "model.pt2 does not describe its input and output (an export made before they were "
            "recorded): export the model again."
        ) from None
    window = f"batch,{sidecar['window_length']}"
    if ours["input_dtype"] != "int64":
        window += f",{len(sidecar['input']['channels'])}"  # (B, T, C); token ids are (B, T)
    if ours != graph or ours["input_shape"] != window:
        raise ExportError(
            f"model.json does not match model.pt2: model.json says {_words(ours)} with a window "
            f"of {sidecar['window_length']}, the compiled graph reads {_words(graph)}. Nothing "
            f"was loaded: {AGAIN}"
        )


def _words(described: dict[str, str]) -> str:
    """'float32 (batch,12,8) of roll,... -> float32 (batch,5)'."""
    return (
        f"{described['input_dtype']} ({described['input_shape']}) of {described['channels']} -> "
        f"{described['output_dtype']} ({described['output_shape']})"
    )
