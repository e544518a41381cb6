"""Writes the bad-input corpus beside this script: `python tests/bad_inputs/make_corpus.py`.

The files are committed, so a person can open them; this script only says how they were made.
Each is small: 60 rows at 50 Hz of a sensor tilting slowly (accelerometer m/s^2, gyroscope
rad/s), changed in one way that a reader or a person could trip over. tests/core/test_bad_inputs.py
says, for each file, which sentence it must end with.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER = ["time", "ax", "ay", "az", "gx", "gy", "gz"]
RATE = 50.0


def rows(count: int = 60, start: int = 0) -> list[list[float]]:
    """Rows of time, ax..gz: a sensor rocking about x and y (0.5 Hz, 0.3 rad), in SI units."""
    out = []
    for i in range(start, start + count):
        t = i / RATE
        roll = 0.3 * math.sin(2 * math.pi * 0.5 * t)
        pitch = 0.2 * math.cos(2 * math.pi * 0.5 * t)
        g = 9.80665
        ax, ay = -g * math.sin(pitch), g * math.sin(roll) * math.cos(pitch)
        az = g * math.cos(roll) * math.cos(pitch)
        gx = 0.3 * math.pi * math.cos(math.pi * t)
        gy = -0.2 * math.pi * math.sin(math.pi * t)
        out.append([t, ax, ay, az, gx, gy, 0.01 + 0.02 * math.sin(math.pi * t)])
    return out


def text(header: list[str], body: list[list], sep: str = ",", decimal: str = ".") -> str:
    """CSV text with a header line; floats with 4 decimals, anything else as it is."""

    def cell(value) -> str:
        return f"{value:.4f}".replace(".", decimal) if isinstance(value, float) else str(value)

    lines = [sep.join(header)] + [sep.join(cell(v) for v in row) for row in body]
    return "\n".join(lines) + "\n"


def corpus() -> dict[str, bytes]:
    """Every file of the corpus: name -> bytes."""
    files: dict[str, bytes] = {}

    def write(name: str, content: str | bytes, encoding: str = "utf-8") -> None:
        files[name] = content.encode(encoding) if isinstance(content, str) else content

    write("empty.csv", b"")
    write("header-only.csv", ",".join(HEADER) + "\n")
    write("one-column.csv", "ax\n" + "".join(f"{r[1]:.4f}\n" for r in rows(20)))
    noise = random.Random(0)
    write("binary.csv", bytes(noise.randrange(256) for _ in range(300)) + b"\x00" * 8)

    german = ["Zeit (s)", *(f"Beschleunigung {a} (m/s²)" for a in "xyz")]
    german += [f"Drehrate {a} (°/s)" for a in "xyz"]
    write("latin1.csv", text(german, rows(), sep=";", decimal=","), encoding="latin-1")
    named = ["time", "ax (m/s²)", "ay (m/s²)", "az (m/s²)", "gx (°/s)", "gy (°/s)", "gz (°/s)"]
    in_degrees = [[*r[:4], *(v * 180 / math.pi for v in r[4:])] for r in rows()]
    write("latin1-units.csv", text(named, in_degrees), encoding="latin-1")
    write("utf8-bom.csv", b"\xef\xbb\xbf" + text(HEADER, rows()).encode())
    write("semicolon-decimal-comma.csv", text(HEADER, rows(), sep=";", decimal=","))
    write("tabs.tsv", text(HEADER, rows(), sep="\t"))

    body = rows()
    body[30][3] = "oops"
    write("non-numeric-middle.csv", text(HEADER, body))

    body = rows(62)
    body[10][1], body[40][5] = "NaN", "inf"
    write("nan-inf-few.csv", text(HEADER, body))
    body = rows()
    for row in body[::3]:
        row[2] = "nan"
    write("nan-many.csv", text(HEADER, body))

    body = [[r[0], 0, 0, 9.81, 0, 0, 0] for r in rows(200)]  # 200 rows: windows of 20 fit
    write("constant-columns.csv", text(HEADER, body))

    body = rows(40) + rows(40)  # the clock restarts: a second recording appended
    write("time-goes-back.csv", text(HEADER, body))
    body = rows(62)
    body[20], body[21] = body[21], body[20]
    write("time-out-of-order-jitter.csv", text(HEADER, body))
    body = rows(60)
    body = body[:30] + [body[29][:1] + body[30][1:]] + body[30:]  # the stamp of row 29 twice
    write("duplicated-timestamps.csv", text(HEADER, body))
    write("huge-gap.csv", text(HEADER, rows(40) + rows(40, start=40 + 50 * 60)))  # 60 s gap

    write("too-few-rows.csv", text(HEADER, rows(10)))
    write("shorter-than-window.csv", text(HEADER, rows(60)))

    html = ["time", "<script>alert(1)</script>", "<b>ay</b>", "**az**", "[x](javascript:alert(1))"]
    html += ["gy", "gz", ":smile:", ":material/home:", "`t` ~~x~~ $x$ &amp;"]
    write("html-names.csv", text(html, [[*r, 1, 2, 3] for r in rows()]))
    labelled = [*HEADER, "label"]
    tags = ["<script>alert(1)</script>", "<b>walk</b>", "**run**", "[x](javascript:alert(1))"]
    tags += [":red[sit]", "$x^2$ &amp; _lie_"]
    body = [[*r, tags[i // 10]] for i, r in enumerate(rows())]
    write("html-labels.csv", text(labelled, body))
    return files


def main() -> None:
    for name, data in corpus().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
