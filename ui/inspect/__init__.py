"""The inspection wing: what Inside the cell, Gradients and the Text lab share.

common.py        the trained model's snapshots, a batch of windows, the gradient race
equations.py     each cell's equations, written out
"""
