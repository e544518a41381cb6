"""The Train wing: the live view of a training and its export.

live.py          loss, gradient norm and prediction charts, redrawn while a run trains
export.py        the ONNX / .pt2 export, compiled in the background, and its download
"""
