"""Identifiers that pass the checks real systems apply: SIREN and SIRET with their Luhn key,
French VAT numbers with their key, EU VAT numbers for foreign customers, and IBANs (with the
national check digits, e.g. the French RIB key) from schwifty."""
from __future__ import annotations

import random

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import luhn
from stdnum.iso7064 import mod_11_10

FRENCH_BANKS = ("30004", "30003", "30002", "10278", "20041", "30066", "18206", "13507")
BANQUE_DE_FRANCE = "30001"  # the Treasury's payments to suppliers come from here
LA_POSTE_SIREN = "356000000"  # its SIRETs follow another rule; never generate it


def siren(rng: random.Random, first_digit: str | None = None) -> str:
    """A valid SIREN; public bodies start with 1 (State) or 2 (local authorities, hospitals)."""
    while True:
        body = (first_digit or str(rng.randint(3, 9))) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        number = body + luhn.calc_check_digit(body)
        if number != LA_POSTE_SIREN:
            return number


def siret(siren_number: str, rng: random.Random) -> str:
    """A valid SIRET of the company: its SIREN, an establishment number, the Luhn key."""
    body = siren_number + f"{rng.randint(1, 999):04d}"
    return body + luhn.calc_check_digit(body)


def fr_vat(siren_number: str) -> str:
    """The French VAT number of a SIREN: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97."""
    return f"FR{(12 + 3 * (int(siren_number) % 97)) % 97:02d}{siren_number}"


def eu_vat(country: str, rng: random.Random) -> str:
    """A valid VAT number of a company in BE, DE, IT or LU."""
    if country == "BE":
        body = "0" + "".join(str(rng.randint(0, 9)) for _ in range(7))
        body = body[:1] + str(rng.randint(2, 9)) + body[2:]
        return f"BE{body}{97 - int(body) % 97:02d}"
    if country == "DE":
        body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(7))
        return "DE" + body + mod_11_10.calc_check_digit(body)
    if country == "IT":
        body = "".join(str(rng.randint(0, 9)) for _ in range(7)) + f"{rng.randint(1, 100):03d}"
        return "IT" + body + luhn.calc_check_digit(body)
    if country == "LU":
        body = f"{rng.randint(100000, 999999)}"
        return f"LU{body}{int(body) % 89:02d}"
    raise ValueError(f"no VAT numbers for {country}")


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _candidate(country: str, rng: random.Random, bank_code: str | None) -> IBAN:
    if country == "FR":
        return IBAN.generate("FR", bank_code=bank_code or rng.choice(FRENCH_BANKS), branch_code=_digits(rng, 5),
                             account_code=_digits(rng, 11))
    if country == "BE":
        return IBAN.generate("BE", bank_code=rng.choice(("001", "310", "068", "363")), account_code=_digits(rng, 7))
    if country == "DE":
        return IBAN.generate("DE", bank_code=rng.choice(("37040044", "10070000", "50010517", "20041133")),
                             account_code=_digits(rng, 10))
    if country == "IT":
        return IBAN.generate("IT", bank_code=rng.choice(("03069", "02008", "05034")), branch_code=_digits(rng, 5),
                             account_code=_digits(rng, 12))
    if country == "LU":
        return IBAN.generate("LU", bank_code=rng.choice(("001", "002", "019")), account_code=_digits(rng, 13))
    raise ValueError(f"no IBANs for {country}")


def iban(country: str, rng: random.Random, bank_code: str | None = None) -> tuple[str, str]:
    """A valid IBAN in ``country`` and its bank's BIC. German banks each have their own account
    check-digit method, which schwifty checks but does not compute: draw until one passes."""
    while True:
        value = _candidate(country, rng, bank_code)
        try:
            IBAN(value.compact, validate_bban=True)
        except SchwiftyException:
            continue
        bic = value.bic
        return value.compact, str(bic) if bic else ""
