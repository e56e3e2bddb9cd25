"""Presenter mode (ui.shared.presenter): a link or the sidebar toggle turns it on, a button leaves it, the link keeps it."""

from __future__ import annotations

import pytest

from tests.app.ui_helpers import assert_clean, new_app

pytestmark = pytest.mark.usefixtures("fresh_caches")


def presenter_styles(at) -> list[str]:
    return [h.value for h in at.get("html") if "Presenter mode" in h.value]


def test_a_presenter_link_hides_the_chrome_and_a_button_leaves_it(data_env):
    at = new_app()
    at.query_params["present"] = "1"
    at.run()
    at.switch_page("pages/explore.py").run()
    assert_clean(at)
    [css] = presenter_styles(at)
    assert "stSidebar" in css and "stCaptionContainer" in css and "train_knobs" in css
    assert at.query_params.get("present") in ("1", ["1"])  # the copied link presents too
    next(b for b in at.button if b.key == "presenter_leave").click().run()
    assert_clean(at)
    assert not presenter_styles(at) and "present" not in at.query_params


def test_the_sidebar_toggle_turns_it_on(data_env):
    at = new_app().run()
    assert not presenter_styles(at)
    at.toggle(key="presenter").set_value(True).run()
    assert_clean(at)
    assert presenter_styles(at)
