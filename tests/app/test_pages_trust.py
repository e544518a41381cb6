"""Pages say a sentence for what a person sent that cannot be used: a stored run whose settings
no page can use, a Compare or Sweep that would pass the quota, a text with too many different
characters; a refused upload is not kept."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from rnn_core.bounds import MAX_VOCAB
from tests.app.conftest import APP, RERUN_S, no_problems, open_app, owner_key_of
from tests.app.test_pages_runs import stored_run
from ui.session.owner import TOKEN
from ui.session.run_store import run_store
from ui.sources.imu import UPLOAD


def with_secret(secret: str, page: str) -> AppTest:
    at = open_app()
    at.session_state[TOKEN] = secret
    return at.switch_page(page).run()


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def test_a_stored_run_with_a_link_that_is_not_a_table_loads_and_is_refused_on_open():
    secret = "k" * 40
    record = stored_run("string link", 0, owner=owner_key_of(secret))
    with run_store().database.transaction() as tx:  # as an older version could have kept it
        tx(
            "UPDATE rnn_runs SET settings = ? WHERE id = ?",
            ('{"link": "hidden=32", "model": {}, "training": {}, "seed": 0}', record.id),
        )
    at = with_secret(secret, "app_pages/runs.py")
    no_problems(at)  # the page draws, with the run selected (the default)
    at.button(key="runs.open").click().run()
    assert not at.exception
    (said,) = [e.value for e in at.error]
    assert "This run cannot be opened" in said and "link's settings must be a table" in said
    assert not at.success


def test_compare_is_refused_when_its_runs_would_pass_the_quota(monkeypatch):
    secret = "m" * 40
    for seed in (0, 1):
        stored_run(f"kept {seed}", seed, owner=owner_key_of(secret))
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_RUNS", "4")
    at = with_secret(secret, "app_pages/compare.py")
    assert not at.exception
    said = [w for w in warnings(at) if "would add 3 runs to your 2" in w]
    assert said and "delete at least 1 run " in said[0], warnings(at)
    assert at.button(key="btn.compare").disabled
    at.multiselect(key="opt.compare.cells").set_value(["LSTM"]).run()
    assert not at.button(key="btn.compare").disabled  # one more run fits


def test_a_sweep_is_refused_with_how_many_runs_to_delete(monkeypatch):
    secret = "n" * 40
    for seed in (0, 1, 2):
        stored_run(f"kept {seed}", seed, owner=owner_key_of(secret))
    monkeypatch.setenv("RNN_EXPLORER_QUOTA_RUNS", "4")
    at = with_secret(secret, "app_pages/sweep.py")
    assert not at.exception
    said = [w for w in warnings(at) if "This would add" in w]
    assert said and "to your 3, and this browser may keep 4" in said[0], warnings(at)
    assert "delete at least" in said[0]
    assert at.button(key="btn.sweep").disabled


def test_a_text_with_too_many_different_characters_is_refused_on_data():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"source_kind": "Text", "text.choice": "Paste text"}
    at.switch_page("app_pages/data.py").run()
    many = "".join(chr(0x4E00 + i) for i in range(MAX_VOCAB + 1))  # CJK ideographs
    at.text_area(key="opt.text.pasted").set_value(many).run()
    assert not at.exception
    (said,) = [e.value for e in at.error]
    assert f"{MAX_VOCAB + 1:,} different characters" in said and f"at most {MAX_VOCAB:,}" in said
    assert "source" not in at.session_state


def test_a_refused_upload_is_not_kept_in_the_session():
    at = AppTest.from_file(APP, default_timeout=RERUN_S)
    at.query_params = {"source_kind": "IMU recording", "imu.choice": UPLOAD}
    at.switch_page("app_pages/data.py").run()
    at.session_state["imu.last_upload"] = ("broken.csv", b"\x00\x01" * 1000)
    at.run()
    assert at.error and not at.exception
    assert "imu.last_upload" not in at.session_state
    assert "imu.by_digest" not in at.session_state
    at.switch_page("app_pages/train.py").run()
    assert any("The chosen file cannot be used" in w for w in warnings(at)), warnings(at)
