"""The benchmark's correction rows: VQF, then the correction per sample with its ratio to VQF's,
measured in the same run (no timing threshold: the machine is shared)."""

import re

from bench.correction import correction_rows


def test_the_correction_rows_give_a_ratio_to_vqf_measured_beside_it():
    rows = correction_rows(seq_len=10, hidden=4, repeats=1).splitlines()
    assert len(rows) == 3 and rows[0].startswith("| VQF (6D), 5,000 rows at 100 Hz |")
    vqf = float(re.search(r"\| ([\d.]+) µs/sample", rows[0])[1])
    for row in rows[1:]:
        total, base, ratio = re.search(
            r"\| ([\d.]+) µs/sample \| ([\d.]+) µs/sample \(VQF\) \| ([\d.]+) \|", row
        ).groups()
        assert float(base) == vqf and float(total) >= vqf
        assert abs(float(total) / vqf - float(ratio)) <= 0.05 * float(ratio) + 0.1
