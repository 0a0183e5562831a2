"""The official ISO 20022 schemas (``xsd/``) and a check of a camt file against them.

Every file the writers produce passes through :func:`validate` before it is returned, so the
sandbox never hands the bots a file a real bank's schema would refuse.
"""
from __future__ import annotations

import functools
from pathlib import Path

from lxml import etree

XSD_DIR = Path(__file__).parent / "xsd"
MESSAGES = ("camt.053.001.02", "camt.054.001.02")


class InvalidCamt(ValueError):
    """The document breaks its schema; the message lists the schema's complaints."""


def hardened_parser() -> etree.XMLParser:
    """No entity expansion, no DTD or network fetches: bank files are untrusted input."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@functools.cache
def schema(message: str) -> etree.XMLSchema:
    if message not in MESSAGES:
        raise InvalidCamt(f"no schema for {message}")
    return etree.XMLSchema(etree.parse(str(XSD_DIR / f"{message}.xsd"), hardened_parser()))


def validate(document: bytes) -> str:
    """Check ``document`` against the schema its namespace names; returns the message id.

    A DOCTYPE is refused outright: no bank sends one, and entities are how XML attacks start.
    """
    try:
        root = etree.fromstring(document, hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidCamt(f"not well-formed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvalidCamt("a camt file carries no DOCTYPE")
    message = etree.QName(root).namespace.rsplit(":", 1)[-1] if etree.QName(root).namespace else ""
    checker = schema(message)
    if not checker.validate(root):
        errors = "; ".join(f"line {e.line}: {e.message}" for e in checker.error_log)
        raise InvalidCamt(f"{message} does not validate: {errors}")
    return message
