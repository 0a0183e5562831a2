"""The open-items list: filters (customer, document number, due after/before, overdue only),
50 a page, loaded slowly behind a spinner like the real screen."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from werkzeug.datastructures import MultiDict

from sandbox.app_clock import clock
from sandbox.app_db import db
from sandbox.erp.auth import login_required
from sandbox.erp.ledger import OpenItemFilters, open_items_page
from sandbox.erp.slow_list import wait_for_list

bp = Blueprint("open_items", __name__)
FILTER_ARGS = ("customer", "number", "due_after", "due_before", "overdue_only")


def filters_from_args(args: MultiDict) -> tuple[OpenItemFilters, list[str]]:
    """The filters in a query string, and messages for dates that could not be read."""
    errors: list[str] = []
    dates: dict[str, date | None] = {}
    for name, label in (("due_after", "Due after"), ("due_before", "Due before")):
        text = args.get(name, "").strip()
        try:
            dates[name] = date.fromisoformat(text) if text else None
        except ValueError:
            errors.append(f"{label}: “{text}” is not a date (YYYY-MM-DD).")
            dates[name] = None
    filters = OpenItemFilters(
        customer=args.get("customer", ""),
        number=args.get("number", ""),
        due_after=dates["due_after"],
        due_before=dates["due_before"],
        overdue_only=args.get("overdue_only") in ("1", "on", "true", "yes"),
    )
    return filters, errors


def _page_number() -> int:
    try:
        return max(1, int(request.args.get("page", "1")))
    except ValueError:
        return 1


def filter_query() -> dict[str, str]:
    """The filters of this request, to carry into links (pages, fragment, export)."""
    return {name: request.args[name] for name in FILTER_ARGS if request.args.get(name)}


@bp.route("/open-items")
@login_required
def index():
    filters, errors = filters_from_args(request.args)
    return render_template(
        "open_items.html", filters=filters, errors=errors, query=filter_query(), page=_page_number()
    )


@bp.route("/open-items/list")
@login_required
def fragment():
    wait_for_list()
    filters, _errors = filters_from_args(request.args)
    today = clock().today()
    page = open_items_page(db(), filters, _page_number(), today)
    return render_template("_open_items_table.html", page=page, query=filter_query(), today=today)
