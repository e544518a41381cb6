"""The README's Core API runs as written."""

import re

from tests.paths import ROOT


def test_the_core_api_example_runs(capsys):
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Core API") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(code, "README Core API", "exec"), {})
    printed = capsys.readouterr().out
    assert "50 finished" in printed
