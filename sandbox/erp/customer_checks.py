"""What the ERP accepts as a customer record, as a pure function over the submitted fields.

Used by the customer form and by the seed loader, so seeded data obeys the same rules a clerk
does: SIREN/SIRET check digits (python-stdnum), the French VAT key matching the SIREN, EU VAT
numbers for foreign customers, IBANs (schwifty), the statutory cap on payment terms, and the
details each invoice channel needs.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from sandbox.erp.amounts import parse_amount
from sandbox.erp.models import CATEGORIES, CHANNELS, LANGUAGES, PORTAL_CHANNELS

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
MAX_TERMS_NET = 60  # Code de commerce L441-10
MAX_TERMS_END_OF_MONTH = 45

TEXT_FIELDS = (
    "code", "legal_name", "category", "siren", "siret", "vat_number", "address_line1", "address_line2",
    "postcode", "city", "country", "payment_terms_days", "credit_limit", "invoice_channel",
    "portal_supplier_id", "chorus_service_code", "billing_email", "dunning_contact_name",
    "dunning_contact_email", "dunning_contact_phone", "dunning_language", "ibans", "parent_code",
)


def _digits(text: str) -> str:
    return re.sub(r"[\s.\-]", "", text)


def check_siren(text: str) -> str:
    """The compact SIREN, or ValueError saying what is wrong."""
    value = _digits(text)
    try:
        return fr_siren.validate(value)
    except ValidationError as exc:
        raise ValueError(f"SIREN {text} is not valid: {exc}") from exc


def check_siret(text: str) -> str:
    """The compact SIRET, or ValueError. python-stdnum checks the Luhn key (and La Poste's rule)."""
    value = _digits(text)
    try:
        return fr_siret.validate(value)
    except ValidationError as exc:
        raise ValueError(f"SIRET {text} is not valid: {exc}") from exc


def check_iban(text: str) -> str:
    """The compact IBAN (national check digits included), or ValueError."""
    try:
        return IBAN(text, validate_bban=True).compact
    except SchwiftyException as exc:
        raise ValueError(f"IBAN {text} is not valid: {exc}") from exc


def check_customer(form: Mapping[str, str]) -> tuple[dict, dict[str, str]]:
    """Cleaned values and the errors by field name (empty when the record is acceptable).

    ``form`` holds the form's text fields; ``payment_terms_end_of_month`` is present and truthy
    when ticked; ``ibans`` is one IBAN per line. ``parent_code`` is not resolved here: the caller
    knows the database.
    """
    raw = {name: (form.get(name) or "").strip() for name in TEXT_FIELDS}
    errors: dict[str, str] = {}
    out: dict = {}

    out["code"] = raw["code"].upper()
    if not _CODE.match(out["code"]):
        errors["code"] = "Customer code: 2 to 20 capital letters, digits or dashes."
    out["legal_name"] = raw["legal_name"]
    if not out["legal_name"]:
        errors["legal_name"] = "Legal name is required."
    out["category"] = raw["category"]
    if out["category"] not in CATEGORIES:
        errors["category"] = "Choose a category."
    out["country"] = raw["country"].upper() or "FR"
    if not _COUNTRY.match(out["country"]):
        errors["country"] = "Country: a two-letter ISO code such as FR."
    domestic = out["country"] == "FR" and out["category"] != "foreign"
    if out["category"] == "foreign" and out["country"] == "FR":
        errors["country"] = "A foreign customer cannot have its address in France."

    out["siren"] = out["siret"] = None
    if raw["siret"]:
        try:
            out["siret"] = check_siret(raw["siret"])
        except ValueError as exc:
            errors["siret"] = str(exc)
    if raw["siren"]:
        try:
            out["siren"] = check_siren(raw["siren"])
        except ValueError as exc:
            errors["siren"] = str(exc)
    elif out["siret"]:
        out["siren"] = out["siret"][:9]
    if out["siren"] and out["siret"] and not out["siret"].startswith(out["siren"]):
        errors["siret"] = f"SIRET {out['siret']} does not belong to SIREN {out['siren']}."
    if domestic and not out["siren"] and "siren" not in errors:
        errors["siren"] = "SIREN is required for a French customer."
    if out["category"] == "public_body" and not out["siret"] and "siret" not in errors:
        errors["siret"] = "SIRET is required for a public body (Chorus Pro addresses it by SIRET)."

    out["vat_number"] = None
    if raw["vat_number"]:
        vat = eu_vat.compact(raw["vat_number"])
        if vat.startswith("FR"):
            if not fr_tva.is_valid(vat):
                errors["vat_number"] = f"VAT number {raw['vat_number']} is not valid."
            elif out["siren"] and vat[4:] != out["siren"]:
                errors["vat_number"] = f"VAT number {vat} does not match SIREN {out['siren']}."
        elif not eu_vat.is_valid(vat):
            errors["vat_number"] = f"VAT number {raw['vat_number']} is not valid."
        out["vat_number"] = vat
    elif out["category"] == "foreign":
        errors["vat_number"] = "An intra-EU VAT number is required for a foreign customer."

    for name, label in (("address_line1", "Address"), ("postcode", "Postcode"), ("city", "City")):
        out[name] = raw[name]
        if not raw[name]:
            errors[name] = f"{label} is required."
    out["address_line2"] = raw["address_line2"]

    try:
        out["payment_terms_days"] = int(raw["payment_terms_days"])
        if out["payment_terms_days"] < 0:
            raise ValueError
    except ValueError:
        errors["payment_terms_days"] = "Payment terms: a number of days."
        out["payment_terms_days"] = 0
    out["payment_terms_end_of_month"] = bool(form.get("payment_terms_end_of_month"))
    cap = MAX_TERMS_END_OF_MONTH if out["payment_terms_end_of_month"] else MAX_TERMS_NET
    if domestic and out["payment_terms_days"] > cap and "payment_terms_days" not in errors:
        errors["payment_terms_days"] = (
            f"Payment terms over {cap} days{' end of month' if cap == MAX_TERMS_END_OF_MONTH else ''} "
            "are not allowed (Code de commerce L441-10)."
        )

    try:
        out["credit_limit"] = parse_amount(raw["credit_limit"] or "0")
        if out["credit_limit"] < 0:
            raise ValueError("Credit limit cannot be negative.")
    except ValueError as exc:
        errors["credit_limit"] = str(exc)
        out["credit_limit"] = Decimal("0.00")

    out["invoice_channel"] = raw["invoice_channel"]
    out["portal_supplier_id"] = raw["portal_supplier_id"] or None
    out["chorus_service_code"] = raw["chorus_service_code"] or None
    out["billing_email"] = raw["billing_email"] or None
    if out["invoice_channel"] not in CHANNELS:
        errors["invoice_channel"] = "Choose how invoices are sent."
    elif out["invoice_channel"] in PORTAL_CHANNELS and not out["portal_supplier_id"]:
        errors["portal_supplier_id"] = "The supplier id on the customer's portal is required for a portal channel."
    elif out["invoice_channel"] == "chorus_pro" and out["category"] != "public_body":
        errors["invoice_channel"] = "Chorus Pro is for public bodies."
    elif out["invoice_channel"] == "email" and not out["billing_email"]:
        errors["billing_email"] = "A billing e-mail is required when invoices are sent by e-mail."
    if out["billing_email"] and not _EMAIL.match(out["billing_email"]):
        errors["billing_email"] = f"{out['billing_email']} is not an e-mail address."

    out["dunning_contact_name"] = raw["dunning_contact_name"]
    out["dunning_contact_email"] = raw["dunning_contact_email"]
    out["dunning_contact_phone"] = raw["dunning_contact_phone"]
    if out["dunning_contact_email"] and not _EMAIL.match(out["dunning_contact_email"]):
        errors["dunning_contact_email"] = f"{out['dunning_contact_email']} is not an e-mail address."
    out["dunning_language"] = raw["dunning_language"] or "fr"
    if out["dunning_language"] not in LANGUAGES:
        errors["dunning_language"] = "Dunning language: French or English."

    out["ibans"] = []
    for line in raw["ibans"].splitlines():
        if line.strip():
            try:
                out["ibans"].append(check_iban(line.strip()))
            except ValueError as exc:
                errors["ibans"] = str(exc)
    out["parent_code"] = raw["parent_code"].upper() or None
    return out, errors

