"""The device list against torch's own answer, and without torch on a CPU-only build."""

import subprocess
import sys

import torch

import rnn_core.devices
from rnn_core.devices import available_devices, gpu_build
from tests.paths import ROOT


def test_the_devices_are_torchs():
    assert available_devices() == (["cuda"] if torch.cuda.is_available() else []) + ["cpu"]


def test_the_build_read_from_the_version_file_is_torchs():
    assert gpu_build() == (torch.version.cuda is not None or torch.version.hip is not None)


def test_a_cpu_only_build_answers_without_importing_torch():
    code = (
        "import sys\n"
        "from rnn_core.devices import available_devices, gpu_build\n"
        "devices = available_devices()\n"
        "print(gpu_build(), devices, 'torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    if not gpu_build():
        assert done.stdout.split() == ["False", "['cpu']", "False"]
    else:  # a GPU build asks torch
        assert done.stdout.split()[-1] == "True"


def write_version(folder, cuda: str, hip: str = "None") -> None:
    (folder / "torch").mkdir()
    (folder / "torch" / "__init__.py").write_text("")
    (folder / "torch" / "version.py").write_text(
        f"from typing import Optional\n__version__ = '9.9'\ncuda: Optional[str] = {cuda}\n"
        f"hip: Optional[str] = {hip}\n"
    )


def gpu_build_with(folder, monkeypatch) -> bool:
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, "torch")  # find_spec then looks on the path again
    rnn_core.devices.gpu_build.cache_clear()
    try:
        return rnn_core.devices.gpu_build()
    finally:
        monkeypatch.undo()
        rnn_core.devices.gpu_build.cache_clear()


def test_a_cuda_or_rocm_build_is_asked_and_a_cpu_build_is_not(tmp_path, monkeypatch):
    cases = {("None", "None"): False, ("'12.4'", "None"): True, ("None", "'6.2'"): True}
    for i, ((cuda, hip), expected) in enumerate(cases.items()):
        folder = tmp_path / str(i)
        folder.mkdir()
        write_version(folder, cuda, hip)
        assert gpu_build_with(folder, monkeypatch) is expected, (cuda, hip)


def test_a_version_file_that_cannot_be_read_means_torch_is_asked(tmp_path, monkeypatch):
    write_version(tmp_path, "None")
    (tmp_path / "torch" / "version.py").write_text("cuda = (\n")
    assert gpu_build_with(tmp_path, monkeypatch) is True
