"""A run keeps the upload or pasted text it trained on: a new session of the same browser opens
and resumes it without the file, through the same reading and checks as an upload; a kept copy
that is gone is said, with what to do."""

from __future__ import annotations

import hashlib
import uuid

import torch

from rnn_core.runs.blobs import RunData, blob_path, digest_of
from rnn_core.runs.compare import run_settings
from tests.app.conftest import no_problems, open_app, train_until_done
from tests.app.test_pages_imu_sets import TRIALS, cut_trial, edit_roles
from tests.core.test_run_store import rows
from tests.paths import SHARED
from tests.waiting import wait_until
from ui.session.link import MAX_PASTED
from ui.session.owner import TOKEN
from ui.session.run_store import run_store
from ui.session.settings import link_of
from ui.sources.imu import UPLOAD
from ui.sources.imu_sets import FILES, SET_UPLOAD
from ui.sources.text import TextSource

WALK = SHARED / "imu-samples" / "xio-gait-short_walk.csv"
LINES = WALK.read_bytes().splitlines(keepends=True)
CUT = b"".join(LINES[:3001])  # a small upload: 3000 rows of a real recording


def fresh_secret(letter: str) -> str:
    """A browser secret no other test of the suite uses (the store is shared by every test)."""
    return f"run-data-{letter}-{uuid.uuid4().hex}"


def session_on_page(secret: str, page: str = "app_pages/data.py"):
    at = open_app()
    at.session_state[TOKEN] = secret
    return at.switch_page(page).run()


def train(at, steps: int = 20) -> None:
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(steps).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)


def only_run(secret: str, steps: int):
    store, me = run_store(), hashlib.sha256(secret.encode()).hexdigest()
    wait_until(lambda: store.runs(me) and store.runs(me)[0].steps == steps)
    wait_until(lambda: store.runs(me)[0].state == "finished")
    (record,) = store.runs(me)
    return record


def upload_run(secret: str):
    """A run of 20 steps trained on an uploaded recording; its session and record."""
    at = session_on_page(secret)
    at.radio(key="opt.source_kind").set_value("IMU recording").run()
    at.session_state["imu.last_upload"] = ("short_walk.csv", CUT)  # what the uploader keeps
    at.radio(key="opt.imu.choice").set_value(UPLOAD).run()
    at.number_input(key="opt.seq_len").set_value(20).run()
    no_problems(at)
    train(at)
    return at, only_run(secret, 20)


def opened_without_the_file(secret: str, held_key: str):
    """A new session of the same browser, which never had the upload, opens the newest run on
    Runs: no problem on any page, none says the file is missing."""
    again = session_on_page(secret, "app_pages/runs.py")  # no upload in this session
    assert held_key not in again.session_state
    again.button(key="runs.open").click().run()
    no_problems(again)
    return again


def resumes_on_pages(again, record, steps: int) -> None:
    """Train and Evaluate work on the opened run without the file; Resume continues it to
    `steps` in the same stored run."""
    for page in ("app_pages/train.py", "app_pages/evaluate.py"):
        again.switch_page(page).run()
        no_problems(again)
        assert not any("not part of a link" in w.value for w in again.warning), page
    again.switch_page("app_pages/runs.py").run()
    again.button(key="runs.resume").click().run()
    train_until_done(again)
    no_problems(again)
    wait_until(lambda: run_store().get(record.id).steps == steps)


def test_an_upload_run_opens_and_resumes_in_a_new_session_without_the_file():
    secret = fresh_secret("u")
    at, record = upload_run(secret)
    assert record.settings["data"] == {
        "kind": "imu-upload",
        "name": "short_walk.csv",
        "digest": hashlib.sha256(CUT).hexdigest(),
        "files": [{"name": "short_walk.csv", "digest": hashlib.sha256(CUT).hexdigest()}],
    }
    assert run_store().run_data(record.id) == [("short_walk.csv", CUT)]
    again = opened_without_the_file(secret, "imu.last_upload")
    assert again.session_state["source"].label == "IMU: short_walk.csv (next-state forecast)"
    model = again.session_state["experiment"].model
    _, weights = at.session_state["experiment"].run.current_weights()
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, weights[name]), name
    resumes_on_pages(again, record, 40)
    assert len(run_store().history(record.id)) == 40


def test_a_shared_link_of_an_upload_run_opens_without_the_file():
    secret = fresh_secret("s")
    _, record = upload_run(secret)
    token = run_store().share(hashlib.sha256(secret.encode()).hexdigest(), record.id)
    at = open_app()  # another browser, which never had the file
    at.query_params["run"], at.query_params["share"] = record.id, token
    at.session_state[TOKEN] = fresh_secret("x")
    at.switch_page("app_pages/runs.py").run()
    no_problems(at)
    assert "read-only" in at.info[0].value
    assert not any("not part of a link" in w.value for w in at.warning)
    assert at.get("plotly_chart")  # its curves


def test_an_uploaded_text_comes_back_with_its_run():
    secret = fresh_secret("t")
    text = "Upload me, train on me; " * 60
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()
    at = session_on_page(secret)
    at.radio(key="opt.source_kind").set_value("Text").run()
    # what the uploader leaves in the session for an accepted notes.txt
    at.session_state["text.by_digest"] = {digest: text}
    at.session_state["text.last_upload"] = TextSource(
        f"File notes.txt ({len(text):,} characters)", digest
    )
    at.radio(key="opt.text.choice").set_value("Upload a .txt file").run()
    no_problems(at)
    train(at)
    record = only_run(secret, 20)
    assert record.settings["data"]["kind"] == "text"
    assert record.settings["data"]["name"] == "File notes.txt"
    assert run_store().run_data(record.id) == [("File notes.txt", text.encode("utf-8"))]
    again = session_on_page(secret, "app_pages/runs.py")
    again.button(key="runs.open").click().run()
    no_problems(again)
    source = again.session_state["source"]
    assert source.label == f"File notes.txt ({len(text):,} characters)"
    assert again.session_state["text.by_digest"][source.text_digest] == text


def test_a_kept_copy_that_is_gone_is_said_and_nothing_is_opened():
    secret = fresh_secret("g")
    _, record = upload_run(secret)
    blob_path(run_store().files_root, digest_of(CUT)).unlink()
    again = session_on_page(secret, "app_pages/runs.py")
    again.button(key="runs.open").click().run()
    assert not again.exception
    said = " ".join(e.value for e in again.error).replace("\\_", "_")  # as plain text
    assert "the kept copy of short_walk.csv is missing" in said
    assert "upload it again" in said and "open the run again" in said
    assert "runs.opened" not in again.session_state


def test_pasted_text_too_long_for_a_link_comes_back_with_its_run():
    secret = fresh_secret("p")
    text = "".join(f"({i % 7}) [{i % 5}] " for i in range(400))  # longer than a link carries
    assert len(text) > MAX_PASTED
    at = session_on_page(secret)
    at.radio(key="opt.source_kind").set_value("Text").run()
    at.radio(key="opt.text.choice").set_value("Paste text").run()
    at.text_area(key="opt.text.pasted").set_value(text).run()
    no_problems(at)
    train(at)
    record = only_run(secret, 20)
    assert record.settings["data"]["kind"] == "text"
    assert record.settings["data"]["name"] == "Pasted text"
    again = session_on_page(secret, "app_pages/runs.py")
    again.button(key="runs.open").click().run()
    no_problems(again)
    assert again.session_state["opt.text.pasted"] == text
    digest = again.session_state["source"].text_digest
    assert again.session_state["text.by_digest"][digest] == text


def test_an_uploaded_set_comes_back_with_its_files_and_roles():
    secret = fresh_secret("r")
    files = tuple(cut_trial(trial, 1500) for trial in TRIALS)
    at = session_on_page(secret)
    at.radio(key="opt.source_kind").set_value("IMU recording").run()
    at.session_state[FILES] = files
    at.radio(key="opt.imu.choice").set_value(SET_UPLOAD).run()
    at.number_input(key="opt.seq_len").set_value(20).run()
    edit_roles(at, files, {1: "test", 2: "validation"})  # not the defaults
    no_problems(at)
    roles = at.session_state["source"].imu_set.roles
    assert roles == ("train", "test", "validation")
    train(at, 10)
    record = only_run(secret, 10)
    assert record.settings["data"]["kind"] == "imu-set"
    assert record.settings["data"]["roles"] == list(roles)
    again = session_on_page(secret, "app_pages/runs.py")
    again.button(key="runs.open").click().run()
    no_problems(again)
    assert again.session_state[FILES] == files
    assert again.session_state["source"].imu_set.roles == roles
    again.switch_page("app_pages/data.py").run()  # the role table shows the kept roles
    no_problems(again)
    assert again.session_state["source"].imu_set.roles == roles


def test_the_quota_counts_an_upload_once_before_and_after_it_is_kept(monkeypatch):
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_MB", "0.2")  # less than the upload, 0.23 MB
    secret = fresh_secret("q")
    at = session_on_page(secret)
    at.radio(key="opt.source_kind").set_value("IMU recording").run()
    at.session_state["imu.last_upload"] = ("short_walk.csv", CUT)
    at.radio(key="opt.imu.choice").set_value(UPLOAD).run()
    at.switch_page("app_pages/train.py").run()
    assert at.button(key="btn.start").disabled
    assert any("this would add 0.2 MB" in w.value for w in at.warning)
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_MB", "10")
    train(at)  # the upload is kept with its run
    record = only_run(secret, 20)
    usage = run_store().usage(record.owner).megabytes
    assert usage > len(CUT) / 1e6  # weights, history and the upload
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_MB", f"{usage + 0.05:.3f}")
    at.switch_page("app_pages/train.py").run()
    assert not at.button(key="btn.start").disabled, [w.value for w in at.warning]
    other = b"".join(LINES[:2001])  # 0.15 MB: more than the room left
    at.session_state["imu.last_upload"] = ("shorter.csv", other)
    at.switch_page("app_pages/data.py").run()
    at.switch_page("app_pages/train.py").run()
    assert at.button(key="btn.start").disabled
    assert any(f"this would add {len(other) / 1e6:.1f} MB" in w.value for w in at.warning)


def upload_run_record(secret: str, kept: bytes | None):
    """A finished run of an IMU upload as an import (nothing kept) or with `kept` bytes kept."""
    link = link_of({"source_kind": "IMU recording", "imu.choice": UPLOAD, "seed": 0})
    settings = run_settings(link, {}, {}, 0)
    settings["data"] = {"kind": "imu-upload", "name": "walk.csv", "digest": "0" * 64}
    store = run_store()
    owner = hashlib.sha256(secret.encode()).hexdigest()
    record = store.create_run(
        owner,
        name="upload run",
        source="IMU",
        cell="LSTM",
        parameters=1,
        seed=0,
        settings=settings,
        state="finished",
    )
    store.append_rows(record.id, rows(1, 6))
    if kept is not None:
        store.keep_data(record.id, RunData("imu-upload", "walk.csv", (("walk.csv", kept),)))
    return record


def test_a_run_whose_data_was_never_kept_says_so_on_open():
    secret = fresh_secret("i")
    upload_run_record(secret, None)  # an imported run: a zip carries no data
    at = session_on_page(secret, "app_pages/runs.py")
    at.button(key="runs.open").click().run()
    assert not at.exception
    said = " ".join(e.value for e in at.error).replace("\\_", "_")
    assert "its data, walk.csv, was not kept with it" in said and "upload it again" in said
    assert "runs.opened" not in at.session_state


def test_kept_bytes_are_read_like_an_upload_and_refused_with_its_sentence():
    secret = fresh_secret("b")
    upload_run_record(secret, b"\x00\x01 not a recording" * 50)
    at = session_on_page(secret, "app_pages/runs.py")
    at.button(key="runs.open").click().run()
    assert not at.exception
    said = " ".join(e.value for e in at.error)
    assert "This run cannot be opened: the data kept with it is refused" in said
    assert "runs.opened" not in at.session_state
