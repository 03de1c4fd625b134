"""Staff pages on a 360 px phone: wide tables scroll inside their card, the page keeps its width."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/planner/vendors/", "/planner/users"])
def test_wide_tables_do_not_widen_the_page_on_a_phone(
    page: Any, staff_user: Any, path: str
) -> None:
    email, password = staff_user("admin")
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(page.base_url + path)  # sends to the login page, then back here
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url("**" + path)
    page.wait_for_selector("table.data")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the table itself still holds every column: it scrolls sideways instead
    assert page.evaluate(
        "(() => { const t = document.querySelector('table.data');"
        " return t.scrollWidth > t.clientWidth; })()"
    )
