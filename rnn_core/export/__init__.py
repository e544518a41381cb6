"""A trained model taken out of the app: ONNX and AOTInductor (.pt2) graphs with their
preprocessing inside, a sidecar (model.json) that says how to feed them, and the zip that holds
them beside the run's settings, history and checkpoint."""
