"""RNN Explorer: the entry point sets up the navigation and runs the chosen page."""

# Training processes come from a fork server, which imports this file as `__mp_main__` (Streamlit
# runs it as `__main__`): there is nothing to draw there, nor any streamlit to import.
if __name__ != "__mp_main__":
    from ui.navigation import run_app

    run_app()
