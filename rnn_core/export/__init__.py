"""A trained model taken out of the app: the graph with its preprocessing inside (graph), as ONNX
(onnx_export) and as an AOTInductor .pt2 (aoti), both checked against PyTorch (build); a sidecar,
model.json, that says how to feed them (sidecar) with raw samples (samples); the zip beside the
run's settings, history and checkpoint (bundle); the manifest checked before anything loads
(checks, reader); and the C++ example built and run (cpp)."""
