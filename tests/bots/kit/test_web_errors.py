"""A timed-out Playwright action told in a handler's words."""
from bots.kit.web_errors import what_never_came

CALL_LOG = ('Locator.click: Timeout 15000ms exceeded. Call log: - waiting for get_by_role("button", '
            'name="Submit invoice")')


def test_a_missing_button_is_named_with_the_time_waited():
    assert what_never_came(CALL_LOG) == 'the button "Submit invoice" did not appear within 15 s'


def test_a_missing_field_and_an_unknown_locator():
    assert what_never_came('Timeout 5000ms exceeded. waiting for get_by_label("Invoice number")') == \
        'the field labelled "Invoice number" did not appear within 5 s'
    assert what_never_came("waiting for locator('#x')") == "an element the bot needs did not appear"
