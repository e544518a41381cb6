"""The Sweep wing: a grid of settings over seeds, here or on Ray.

setup.py         the knobs, where it runs, its tables and the best setting to Train
view.py          its live view
"""
