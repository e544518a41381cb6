"""The Runs page under AppTest: a share link revoked by its owner opens nothing and says so; a
new link can be made."""

from __future__ import annotations

from tests.app.conftest import no_problems, open_app
from tests.app.test_pages_runs import OWNER, runs_page, stored_run
from ui.session.owner import TOKEN
from ui.session.run_store import run_store


def open_shared(run_id, token):
    at = open_app()
    at.query_params["run"], at.query_params["share"] = run_id, token
    at.session_state[TOKEN] = "w" * 40
    return at.switch_page("app_pages/runs.py").run()


def owner_page_on(run_id):
    at = runs_page()
    at.multiselect(key="runs.compare").set_value([run_id]).run()
    return at


def test_the_owner_revokes_a_link_and_makes_a_new_one():
    record = stored_run("revocable", 0)
    at = owner_page_on(record.id)
    at.button(key="runs.share").click().run()
    no_problems(at)
    old = run_store().get(record.id).share_token
    assert old and any(f"share={old}" in c.value for c in at.code)
    assert open_shared(record.id, old).subheader[0].value == "revocable"

    at.button(key="runs.revoke").click().run()
    no_problems(at)
    assert run_store().get(record.id).share_token is None
    assert "revoked" in at.success[0].value
    assert not [c for c in at.code if "share=" in c.value]  # the link is no longer shown
    revoked = open_shared(record.id, old)
    assert not revoked.exception and not revoked.subheader
    assert "revoked by the run's owner" in revoked.error[0].value

    at.button(key="runs.share").click().run()
    new = run_store().get(record.id).share_token
    assert new and new != old and any(f"share={new}" in c.value for c in at.code)
    assert open_shared(record.id, new).subheader[0].value == "revocable"
    assert "revoked" in open_shared(record.id, old).error[0].value  # the old one stays dead


def test_a_link_shared_earlier_can_be_revoked_from_a_new_session():
    record = stored_run("shared yesterday", 1)
    token = run_store().share(OWNER, record.id)
    at = owner_page_on(record.id)
    at.button(key="runs.revoke").click().run()
    no_problems(at)
    assert run_store().shared(record.id, token) is None
    mistyped = open_shared(record.id, token[:-1] + ("x" if token[-1] != "x" else "y"))
    assert "mistyped" in mistyped.error[0].value  # a link never made is not called revoked
