"""The session kernel: what every page shares. It imports the core and itself, never a wing.

settings.py      every setting: label, default, allowed values, what each choice means
state.py         the session's settings, device, seed and experiment; status.py: redraw
                 rates and the sidebar's state; preload.py: the modules imported in the
                 background; session_end.py: a closed session's uploads let go
link.py          the experiment as a link, and the lecture demos' links (demos.py: the
                 demos as data); spec_link.py: a run's settings as a link
owner.py         whose runs (the browser's secret) and shared read-only links
source.py        what a kind of data is (Source), the session's source and missing data
controls.py      the model and training knobs -> ModelConfig, TrainConfig; budget.py: the
                 memory and time a training will take, said before it starts
experiment.py    the session's Experiment for the current source and knobs
run_store.py     the run store as the pages see it; run_data.py: the data kept with a run
upload_slot.py   where a kind of data keeps the session's one upload, or why it was refused
live_view.py     the one way a view of running work is polled, and its page drawn at the end
presenter.py     presenter mode; charts.py: one way to draw a figure; live_chart.py: a chart
                 the browser updates in place (views redrawn several times a second);
                 plain.py: text from users and files as plain text
"""
