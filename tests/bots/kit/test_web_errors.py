"""A timed-out Playwright action told in a handler's words, and a site that is not there."""
from playwright.sync_api import Error as PlaywrightError

from bots.kit import not_reached, what_never_came

CALL_LOG = ('Locator.click: Timeout 15000ms exceeded. Call log: - waiting for get_by_role("button", '
            'name="Submit invoice")')


def test_a_missing_button_is_named_with_the_time_waited():
    assert what_never_came(CALL_LOG) == 'the button "Submit invoice" did not appear within 15 s'


def test_a_missing_field_and_an_unknown_locator():
    assert what_never_came('Timeout 5000ms exceeded. waiting for get_by_label("Invoice number")') == \
        'the field labelled "Invoice number" did not appear within 5 s'
    assert what_never_came("waiting for locator('#x')") == "an element the bot needs did not appear"


def test_a_site_that_is_not_there_is_a_site_error_and_other_failures_are_not():
    missing = not_reached("http://127.0.0.1:9/login", PlaywrightError(
        "Page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:9/login\nCall log: ..."))
    assert missing is not None and missing.status is None and "ERR_CONNECTION_REFUSED" in str(missing)
    assert "Call log" not in str(missing)
    assert not_reached("http://x", PlaywrightError("Target page, context or browser has been closed")) is None
