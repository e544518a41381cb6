"""RNN Explorer: the entry point sets up the navigation and runs the chosen page."""

from ui.navigation import run_app

run_app()
