"""The Train page says when what it trains is no longer kept: another server took the run over
(it resumed the run after it finished here), and this page's Start trains on unsaved."""

from __future__ import annotations

from rnn_core.runs import open_store, store_location
from rnn_core.runs.listener import lost_sentence
from tests.app.conftest import no_problems, open_app, train_until_done


def test_train_says_another_server_took_the_run_over_and_keeps_nothing_more():
    at = open_app()
    at.switch_page("app_pages/train.py").run()
    at.number_input(key="opt.amount").set_value(15).run()
    at.button(key="btn.start").click().run()
    train_until_done(at)
    run = at.session_state["experiment"].run
    run_id = run.listener.run_id
    other = open_store(store_location())  # another server on the same store resumes the run
    try:
        other.claim(run_id)
        kept = other.history(run_id)
        at.button(key="btn.start").click().run()  # this page trains on: 15 more steps
        train_until_done(at)
        no_problems(at)
        assert run.steps_done == 30 and run.listener.lost
        said = [w.value for w in at.warning if "Another server" in w.value]
        assert said == [lost_sentence(15)]
        assert other.history(run_id).equals(kept)  # nothing of this page's steps was written
        assert other.get(run_id).steps == 15
    finally:
        other.close()
