"""Names that the torch modules and the torch-free ones (the Home page, the run store) share,
written once. No imports: anything may read them without loading torch."""

HISTORY_COLUMNS = ("step", "loss", "val_loss", "grad_norm", "lr", "seconds")  # a row per step
