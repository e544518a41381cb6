"""Any time series under AppTest: the shipped sample read and described on 1 · Data, its columns,
horizon and test block chosen, windows made from exactly those; an upload of a differently shaped
file, and one that cannot be used, which gets a sentence; training on it from Train."""

import hashlib
from pathlib import Path

from streamlit.testing.v1 import AppTest

from rnn_core.datasets.series import SeriesTask, prepare_series_table, read_series_csv
from tests.app.conftest import no_problems, open_app, train_until_done
from tests.app.test_pages_inside import each_gradient_tab
from tests.app.test_pages_run_data import (
    fresh_secret,
    only_run,
    opened_without_the_file,
    resumes_on_pages,
    session_on_page,
    train,
)
from tests.paths import ROOT
from ui.session.plain import as_text
from ui.sources.series import SAMPLE, SAMPLE_FILE, UPLOAD

SAMPLE_PATH = ROOT / "data" / SAMPLE_FILE
AIR = ROOT / "tests" / "data" / "series"


def series_data_page(choice: str = SAMPLE) -> AppTest:
    at = open_app()
    at.switch_page("app_pages/data.py").run()
    at.radio(key="opt.source_kind").set_value("Time series (CSV)").run()
    at.radio(key="opt.series.choice").set_value(choice).run()
    return at


def test_the_sample_is_read_and_what_was_detected_is_shown():
    at = series_data_page()
    no_problems(at)
    table = read_series_csv(SAMPLE_PATH)
    shown = {m.label: m.value for m in at.metric}
    assert shown == {"Step": "1 h", "Rows": f"{len(table.time):,}", "Span": "731 d",
                     "Segments": "1"}  # fmt: skip
    said = " ".join(m.value for m in at.markdown)
    for sentence in table.detected.sentences:
        assert as_text(sentence) in said
    source = at.session_state["source"]
    assert source.kind == "series" and source.series.task == SeriesTask(("PJME_MW",), ("PJME_MW",))
    assert "Training will use: Series: pjm-east-hourly-2016-2017.csv" in at.success[0].value


def test_the_chosen_task_makes_exactly_the_cores_windows():
    at = series_data_page()
    at.number_input(key="opt.seq_len").set_value(24).run()
    at.number_input(key="opt.series.horizon").set_value(3).run()
    at.checkbox(key="opt.series.every").check().run()
    at.slider(key="opt.series.test_at").set_value(40).run()
    no_problems(at)
    source = at.session_state["source"]
    task = SeriesTask(("PJME_MW",), ("PJME_MW",), horizon=3, every_step=True)
    assert source.series.task == task and source.series.test_at == 0.4
    expected = prepare_series_table(read_series_csv(SAMPLE_PATH), 24, task, test_at=0.4)
    caption = " ".join(c.value for c in at.caption)
    counts = (len(expected.train), len(expected.validation), len(expected.test))
    assert "{:,} training windows, {:,} validation, {:,} test, each 24 steps".format(*counts) in (
        caption
    )
    assert expected.output_size == 3


def upload(at: AppTest, path: Path) -> AppTest:
    """Put a file in the session as the uploader would (AppTest cannot drive an uploader)."""
    at.session_state["series.last_upload"] = (path.name, path.read_bytes())
    return at.run()


def test_an_upload_with_several_columns_chooses_its_inputs_and_targets():
    at = upload(series_data_page(UPLOAD), AIR / "uci-air-quality-semicolon-excerpt.csv")
    no_problems(at)
    table = at.session_state["source"]
    columns = list(read_series_csv(AIR / "uci-air-quality-semicolon-excerpt.csv").columns)
    key = "series.targets." + ",".join(columns)
    at.multiselect(key=key).set_value(columns[1:3]).run()
    no_problems(at)
    assert at.session_state["source"].series.task.targets == tuple(columns[1:3])
    assert table.series.name.endswith(".csv")


def test_a_file_that_cannot_be_used_gets_a_sentence():
    at = series_data_page(UPLOAD)
    at.session_state["series.last_upload"] = ("notes.csv", b"time,comment\n1,hello\n2,there\n")
    at.run()
    assert not at.exception
    assert any("no column of numbers" in e.value for e in at.error)
    at.switch_page("app_pages/train.py").run()
    assert not at.exception
    assert any("cannot be used" in w.value for w in at.warning)


def test_every_page_works_on_a_series_trained_from_train():
    at = series_data_page()
    at.number_input(key="opt.seq_len").set_value(24).run()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(20).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    no_problems(at)
    assert at.session_state["experiment"].run.steps_done == 20
    at.switch_page("app_pages/inside.py").run()
    no_problems(at)
    for _ in each_gradient_tab(at):
        no_problems(at)
    for page in ("textlab", "compare", "sweep", "runs", "evaluate"):
        at.switch_page(f"app_pages/{page}.py").run()
        no_problems(at)


def test_a_series_upload_run_opens_and_resumes_in_a_new_session_without_the_file():
    secret = fresh_secret("series")
    path = AIR / "fingrid-consumption-2024-10-10.csv"
    at = session_on_page(secret)
    at.radio(key="opt.source_kind").set_value("Time series (CSV)").run()
    at.session_state["series.last_upload"] = (path.name, path.read_bytes())
    at.radio(key="opt.series.choice").set_value(UPLOAD).run()
    at.number_input(key="opt.seq_len").set_value(12).run()
    no_problems(at)
    train(at)
    record = only_run(secret, 20)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert record.settings["data"] == {
        "kind": "series-upload",
        "name": path.name,
        "digest": digest,
        "files": [{"name": path.name, "digest": digest}],
    }
    again = opened_without_the_file(secret, "series.last_upload")
    assert again.session_state["source"].series.name == path.name
    resumes_on_pages(again, record, 40)


def test_a_season_given_on_the_page_is_the_tasks():
    at = series_data_page()
    at.number_input(key="opt.series.season").set_value(168).run()
    no_problems(at)
    assert at.session_state["source"].series.task.season == 168
