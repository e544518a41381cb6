"""The runtime: one run trained in a process of its own (run, child, spec, processes), its states
and what it reports (states, reports), the runs of this server (registry), the queue of trainings
at once (slots), their memory (budget, limits, memory_peak), weight copies as it trains
(snapshots), one session's experiment (experiment), and an uploaded file read in a process
of its own with its memory capped (capped_read)."""
