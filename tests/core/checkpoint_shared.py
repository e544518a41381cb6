"""What the checkpoint test modules share."""

from __future__ import annotations

import io

import torch


def torch_bytes(obj) -> bytes:
    """`obj` as torch.save writes it, in memory."""
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()
