"""Looking inside a model: states and gates step by step (trace), gradients through time
(gradients, gradient_race, within the server's budget: limits), snapshots and units (inspect), the
text lab (textlab), predictions and previews (predict), and inputs as a person reads them
(display)."""
