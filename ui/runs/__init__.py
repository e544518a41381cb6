"""The Runs wing: the runs kept in the store.

table.py         the table of runs, its filters and the curves of the runs picked
actions.py       rename, delete, download, import and share a run
opening.py       Open and Resume: a run's settings and data made the session's again
notes.py         what Train says of an opened, resumed or interrupted run
"""
