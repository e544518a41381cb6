"""`python -m ui.serve [streamlit options]`: `streamlit run app.py`, with the app's modules
imported while the server starts (see `ui.preload`): the first page opens about 1 s sooner."""

from __future__ import annotations

import sys
from pathlib import Path

from ui.preload import preload_in_background

APP = Path(__file__).resolve().parents[1] / "app.py"


def main() -> None:
    """Start the preload, then the server, with any options given on the command line."""
    preload_in_background()  # first: torch loads its libraries while streamlit imports
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
