"""The Compare wing: cells trained side by side, fairly.

cells.py         Compare's knobs, runs, live view and table
seeds.py         the same over several seeds: mean, band and spread
"""
