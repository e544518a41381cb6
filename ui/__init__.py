"""Streamlit helpers shared by the pages: widgets that return values, and session wiring."""
