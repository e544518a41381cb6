"""The runtime: trainings in their own processes beside the page (runner, worker, processes),
the queue of trainings at once (slots), their memory (memory_peak, budget) and one session's
experiment (experiment)."""
