"""Looking inside in a real browser: heatmaps and equations after training, the gradient race."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_exception,
    click,
    go_to,
    open_page,
    screenshot,
    set_number,
    wait_for_chart,
)

pytestmark = pytest.mark.browser


def test_train_then_look_inside_and_at_gradients(page, app_url):
    open_page(page, app_url, "train")
    set_number(page, "Number of steps", 150)
    click(page, "Start")
    expect(page.get_by_text("Finished 150 steps")).to_be_visible(timeout=60_000)

    go_to(page, "3 · Inside the cell")
    assert wait_for_chart(page, "States and gates over time") > 0
    page.get_by_role("tab", name="One step, by hand").click()
    expect(page.get_by_text("unit 0, t=30", exact=False).first).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "inside-step")
    page.get_by_role("tab", name="States and gates").click()
    screenshot(page, "inside-heatmaps")

    go_to(page, "4 · Gradients through time")
    assert wait_for_chart(page, "‖∂L/∂hₜ‖, loss on the last step") == 100
    expect(page.get_by_text("RNN: ‖∂L/∂h₀‖ / ‖∂L/∂h₉₉‖")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "gradients-race")
    # the other tabs run when opened (only the open tab computes its gradients)
    page.get_by_role("tab", name="This model, as it trains").click()
    assert wait_for_chart(page, "‖∂L/∂hₜ‖ on validation windows") == 50  # the default window
    assert_no_exception(page)
    screenshot(page, "gradients-model")
    page.get_by_role("tab", name="Connectivity").click()
    expect(page.get_by_text("How much the output at the chosen step depends")).to_be_visible()
    assert_no_exception(page)
