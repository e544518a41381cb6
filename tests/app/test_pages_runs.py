"""The Runs page under AppTest: the table, compared curves with seed bands, rename, delete, a
shared link, and a store that cannot be used."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import torch

from rnn_core.runs.compare import run_settings, seed_groups
from tests.app.conftest import (
    chart_values,
    no_problems,
    open_app,
    plotly_figure,
    run_sweep,
    sweep_page,
    train_until_done,
)
from tests.core.test_run_store import rows, state_bytes
from tests.waiting import wait_until
from ui.session.owner import TOKEN
from ui.session.run_store import run_store

SECRET = "s" * 40
OWNER = hashlib.sha256(SECRET.encode()).hexdigest()


def stored_run(name, seed, hidden=32, owner=OWNER):
    store = run_store()
    record = store.create_run(
        owner,
        name=name,
        source="Sine waves",
        cell="LSTM",
        parameters=100,
        seed=seed,
        settings=run_settings({"seed": seed, "hidden": hidden}, {}, {}, seed),
    )
    history = rows(1, 21)
    history[:, 2] *= 1 + seed  # each seed its own validation curve
    store.append_rows(record.id, history)
    store.save_state(record.id, 20, state_bytes(20))
    store.set_state(record.id, "finished", "Finished after 20 steps.")
    return store.get(record.id)


def runs_page(secret=SECRET):
    at = open_app()
    at.session_state[TOKEN] = secret
    return at.switch_page("app_pages/runs.py").run()


def test_runs_of_another_browser_are_not_listed():
    stored_run("someone else's", 0, owner="another")
    at = runs_page("t" * 40)
    no_problems(at)
    assert "No runs yet" in at.info[0].value


def test_seeds_draw_as_a_mean_with_their_range():
    first, second, other = stored_run("a", 0), stored_run("b", 1), stored_run("c", 0, hidden=64)
    at = runs_page()
    no_problems(at)
    frame = at.dataframe[0].value
    assert {"a", "b", "c"} <= set(frame["name"]) and "best val. loss (MSE)" in frame
    at.multiselect(key="runs.compare").set_value([first.id, second.id, other.id]).run()
    no_problems(at)
    validation = plotly_figure(at, 1)
    names = [trace["name"] for trace in validation["data"]]
    assert names == ["a and 1 more seed: range over seeds", "a and 1 more seed: mean", "c"]
    store = run_store()
    both = np.stack([store.history(r.id)["val_loss"].dropna() for r in (first, second)])
    mean = validation["data"][1]["y"]
    values = chart_values(mean)
    np.testing.assert_allclose(values, both.mean(0), rtol=1e-6)
    at.toggle(key="runs.bands").set_value(False).run()
    assert [t["name"] for t in plotly_figure(at, 1)["data"]] == ["a", "b", "c"]


def test_rename_and_delete_one_run():
    record = stored_run("to rename", 0)
    at = runs_page()
    at.multiselect(key="runs.compare").set_value([record.id]).run()
    at.text_input(key="runs.name").set_value("renamed")  # a form: sent with its button
    at.button(key="FormSubmitter:runs.rename-Rename").click().run()
    no_problems(at)
    assert run_store().get(record.id).name == "renamed"
    at.multiselect(key="runs.compare").set_value([record.id]).run()
    at.checkbox(key="runs.sure").check().run()
    at.button(key="runs.delete").click().run()
    no_problems(at)
    assert run_store().get(record.id) is None


def test_a_shared_link_opens_that_run_read_only():
    record = stored_run("shared one", 0)
    token = run_store().share(OWNER, record.id)
    at = open_app()
    at.query_params["run"], at.query_params["share"] = record.id, token
    at.session_state[TOKEN] = "u" * 40
    at.switch_page("app_pages/runs.py").run()
    no_problems(at)
    assert "read-only" in at.info[0].value and at.subheader[0].value == "shared one"
    assert not [b for b in at.button if b.key in ("runs.delete", "runs.share")]
    at.query_params["share"] = token[:-1] + "x"
    wrong = open_app()
    wrong.query_params["run"], wrong.query_params["share"] = record.id, "nope"
    wrong.switch_page("app_pages/runs.py").run()
    assert "does not open a run" in wrong.error[0].value and not wrong.exception


def test_a_store_that_cannot_be_used_says_so(tmp_path, monkeypatch):
    (tmp_path / "runs.sqlite3").write_text("my notes")
    monkeypatch.setenv("RNN_EXPLORER_STORE", str(tmp_path))
    at = open_app().switch_page("app_pages/runs.py").run()
    assert not at.exception and "left as it is" in at.error[0].value
    assert (tmp_path / "runs.sqlite3").read_text() == "my notes"


def test_a_training_is_kept_and_opens_again_in_a_new_session():
    at = open_app()
    at.session_state[TOKEN] = "v" * 40
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(30).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    live = at.session_state["experiment"].run
    store, me = run_store(), hashlib.sha256(("v" * 40).encode()).hexdigest()
    wait_until(lambda: store.runs(me) and store.runs(me)[0].state == "finished")
    (record,) = store.runs(me)
    assert record.steps == 30 and record.checkpoint_step == 30
    pd.testing.assert_frame_equal(store.history(record.id), live.history.frame())
    again = open_app()  # a new session of the same browser
    again.session_state[TOKEN] = "v" * 40
    again.switch_page("app_pages/runs.py").run()
    again.button(key="runs.open").click().run()
    no_problems(again)
    model = again.session_state["experiment"].model
    _, weights = live.current_weights()
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, weights[name]), name
    again.switch_page("app_pages/inside.py").run()
    no_problems(again)
    again.switch_page("app_pages/runs.py").run()
    again.button(key="runs.resume").click().run()
    train_until_done(again)
    no_problems(again)
    wait_until(lambda: store.get(record.id).steps == 60)
    assert len(store.history(record.id)) == 60 and store.runs(me)[0].id == record.id


def test_a_full_quota_refuses_a_new_training_and_names_what_to_delete(monkeypatch):
    secret = "q" * 40
    stored_run("the oldest", 0, owner=hashlib.sha256(secret.encode()).hexdigest())
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_RUNS", "1")
    at = open_app()
    at.session_state[TOKEN] = secret
    at.switch_page("app_pages/train.py").run()
    assert any("“the oldest”" in w.value and "delete" in w.value for w in at.warning)
    assert at.button(key="btn.start").disabled and at.button(key="btn.step").disabled
    assert at.session_state["experiment"].run is None  # nothing started, nothing deleted
    assert len(run_store().runs(hashlib.sha256(secret.encode()).hexdigest())) == 1
    no_problems(at)


def test_every_run_of_a_sweep_is_kept_with_its_sweep_and_seeds_group():
    secret = "w" * 40
    me = hashlib.sha256(secret.encode()).hexdigest()
    at = open_app()
    at.session_state[TOKEN] = secret
    sweep_page(steps=10, at=at)
    at.text_input(key="opt.sweep.values1").input("0.003, 0.03").run()
    at.text_input(key="opt.sweep.values2").input("4").run()
    at.number_input(key="opt.sweep.seeds").set_value(2).run()
    run_sweep(at)
    store = run_store()
    wait_until(lambda: [r.state for r in store.runs(me)] == ["finished"] * 4)
    runs = store.runs(me)
    assert len({r.sweep for r in runs}) == 1 and runs[0].sweep.startswith("sweep-")
    groups = seed_groups(runs)  # two settings, each over two seeds
    assert sorted(len(group) for group in groups) == [2, 2]
    assert all(len({r.seed for r in group}) == 2 for group in groups)
