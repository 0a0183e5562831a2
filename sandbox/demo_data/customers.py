"""The customer book: large accounts, SMEs (some of them subsidiaries of a large account),
public bodies and foreign customers, each with a payment behaviour the invoices and payments
will follow, and the invoicing channel and its details (portal supplier id, Chorus Pro structure
and service codes, billing e-mail)."""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from faker import Faker

from sandbox.demo_data import identifiers
from sandbox.demo_data.money import to_json

BEHAVIOURS = ("punctual", "chronically_late", "deteriorating", "disputing")
BEHAVIOUR_WEIGHTS = (45, 25, 15, 15)
LEGAL_FORMS = ("SAS", "SARL", "SA", "SASU", "SNC")
FOREIGN_PLACES = {
    "BE": [("1000", "Bruxelles"), ("4000", "Liège"), ("5000", "Namur"), ("7000", "Mons"), ("2000", "Antwerpen")],
    "LU": [("L-1212", "Luxembourg"), ("L-4001", "Esch-sur-Alzette"), ("L-9001", "Ettelbruck")],
    # Faker's it_IT city() draws from a set, so it differs between processes: Italian places are listed here
    "IT": [("20121", "Milano"), ("00184", "Roma"), ("10121", "Torino"), ("40121", "Bologna"), ("50122", "Firenze")],
}
FOREIGN_FORMS = {
    "BE": ("SA", "SRL", "NV"), "DE": ("GmbH", "AG", "KG"), "IT": ("S.p.A.", "S.r.l."), "LU": ("S.A.", "S.à r.l."),
}
PUBLIC_KINDS = (
    ("2", "Commune de {city}", ("Services techniques", "Direction des finances", "Service des achats")),
    ("2", "Centre hospitalier de {city}", ("Services économiques", "Direction des achats", "Pharmacie")),
    ("2", "Communauté d'agglomération de {city}", ("Direction du patrimoine", "Service de l'eau")),
    ("2", "Conseil départemental - {department}", ("Direction des routes", "Direction des collèges")),
    ("1", "Préfecture - {department}", ("Secrétariat général", "Service immobilier")),
    ("1", "Université de {city}", ("Direction du patrimoine immobilier", "Services centraux")),
)


@dataclass
class Profile:
    """A customer as the generator sees it: its ERP record plus how it behaves and pays."""

    code: str
    segment: str
    behaviour: str
    record: dict
    payer_name: str
    payer_iban: str
    payer_bic: str
    parent: Profile | None = None
    early_discount: bool = False
    batch_payments: bool = False
    bank_fee: Decimal | None = None
    structure: dict | None = None
    subsidiaries: list[Profile] = field(default_factory=list)


def slug(text: str) -> str:
    """An ASCII name usable in an e-mail domain: "Colas Salmon SA" -> "colas-salmon-sa"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _with_legal_form(name: str, rng: random.Random, forms=LEGAL_FORMS) -> str:
    known = ("SA", "SAS", "SARL", "S.A.", "S.A.S.", "S.A.R.L.", "SNC", "EURL", "et Fils", "GmbH", "AG", "S.p.A.",
             "S.r.l.")
    return name if name.endswith(known) else f"{name} {rng.choice(forms)}"


def _segments(count: int) -> list[str]:
    public = max(1, round(count * 0.15))
    foreign = max(1, round(count * 0.10))
    large = max(1, round(count * 0.20))
    sme = max(1, count - public - foreign - large)
    segments = ["large_account"] * large + ["sme"] * sme + ["public_body"] * public + ["foreign"] * foreign
    return segments[:count]


def _behaviours(rng: random.Random, count: int) -> list[str]:
    """Every behaviour at least once (when there are enough customers), the rest by weight."""
    chosen = list(BEHAVIOURS[: min(count, len(BEHAVIOURS))])
    chosen += rng.choices(BEHAVIOURS, weights=BEHAVIOUR_WEIGHTS, k=count - len(chosen))
    rng.shuffle(chosen)
    return chosen


def _contact(fake: Faker, domain: str, language: str) -> dict:
    first, last = fake.first_name(), fake.last_name()
    return {"name": f"{first} {last}", "email": f"{slug(first)}.{slug(last)}@{domain}", "phone": fake.phone_number(),
            "language": language}


def _french_address(fake: Faker) -> dict:
    return {"line1": fake.street_address(), "line2": None, "postcode": fake.postcode(), "city": fake.city(),
            "country": "FR"}


def _note(rng: random.Random, behaviour: str, as_of_dt: datetime, author: str) -> list[dict]:
    texts = {
        "chronically_late": "Paie systématiquement avec 1 à 2 mois de retard ; relancer par téléphone avant le 10.",
        "deteriorating": "Retards en hausse depuis quelques mois, surveiller l'encours.",
        "disputing": "Conteste régulièrement les quantités livrées : joindre les bons de livraison signés.",
    }
    if behaviour not in texts or rng.random() < 0.3:
        return []
    when = as_of_dt - timedelta(days=rng.randint(10, 200), minutes=rng.randint(0, 600))
    return [{"created_at": when.isoformat(), "author": author, "text": texts[behaviour]}]


def make_customers(rng: random.Random, fakers: dict[str, Faker], count: int, as_of_dt: datetime) -> list[Profile]:
    """``count`` customers, codes C00001..; deterministic for a given ``rng`` state and fakers."""
    fake = fakers["fr_FR"]
    segments = _segments(count)
    behaviours = _behaviours(rng, count)
    names: set[str] = set()
    profiles: list[Profile] = []
    nth = {segment: 0 for segment in segments}
    for index, (segment, behaviour) in enumerate(zip(segments, behaviours, strict=True), start=1):
        code = f"C{index:05d}"
        profile = {"large_account": _large_account, "sme": _sme, "public_body": _public_body,
                   "foreign": _foreign}[segment](rng, fakers, code, behaviour, nth[segment])
        nth[segment] += 1
        while profile.record["legal_name"] in names:  # names must tell customers apart
            profile.record["legal_name"] += f" {fake.city()}"
            if segment != "public_body":
                profile.payer_name = profile.record["legal_name"].upper()
        names.add(profile.record["legal_name"])
        profile.record["notes"] = _note(rng, behaviour, as_of_dt, "c.martin")
        profiles.append(profile)
    _attach_subsidiaries(rng, profiles)
    return profiles


def _record(code: str, legal_name: str, category: str, address: dict, *, siren: str | None, siret: str | None,
            vat: str | None, terms: tuple[int, bool], credit_limit: int, channel: str, contact: dict,
            billing_email: str | None, ibans: list[str], supplier_id: str | None = None,
            service_code: str | None = None) -> dict:
    return {
        "code": code, "legal_name": legal_name, "category": category, "siren": siren, "siret": siret,
        "vat_number": vat, "address": address, "payment_terms": {"days": terms[0], "end_of_month": terms[1]},
        "credit_limit": to_json(Decimal(credit_limit)), "currency": "EUR", "invoice_channel": channel,
        "portal_supplier_id": supplier_id, "chorus_service_code": service_code, "billing_email": billing_email,
        "dunning_contact": {k: contact[k] for k in ("name", "email", "phone")},
        "dunning_language": contact["language"], "ibans": ibans, "parent_code": None, "notes": [],
    }


def _large_account(rng: random.Random, fakers: dict[str, Faker], code: str, behaviour: str, nth: int) -> Profile:
    """The first three use portal A, portal B and e-mail, so every channel has customers."""
    fake = fakers["fr_FR"]
    name = _with_legal_form(fake.company(), rng, ("SA", "SAS"))
    domain = f"{slug(name)}.example"
    siren = identifiers.siren(rng)
    iban, bic = identifiers.iban("FR", rng)
    channel = ("portal_a", "portal_b", "email")[nth] if nth < 3 else rng.choices(
        ("portal_a", "portal_b", "email"), weights=(40, 35, 25))[0]
    supplier_id = {"portal_a": f"SUP-{rng.randint(100000, 999999)}",
                   "portal_b": f"AN{rng.randint(10**10, 10**11 - 1)}"}.get(channel)
    terms = rng.choice(((60, False), (45, True)))
    record = _record(code, name, "large_account", _french_address(fake), siren=siren,
                     siret=identifiers.siret(siren, rng), vat=identifiers.fr_vat(siren), terms=terms,
                     credit_limit=rng.randrange(150_000, 500_001, 10_000), channel=channel,
                     contact=_contact(fake, domain, "fr"), billing_email=f"factures@{domain}", ibans=[iban],
                     supplier_id=supplier_id)
    return Profile(code, "large_account", behaviour, record, name.upper(), iban, bic, batch_payments=True)


def _sme(rng: random.Random, fakers: dict[str, Faker], code: str, behaviour: str, nth: int) -> Profile:
    fake = fakers["fr_FR"]
    name = _with_legal_form(fake.company(), rng, ("SARL", "SAS", "SASU", "EURL"))
    domain = f"{slug(name)}.example"
    siren = identifiers.siren(rng)
    iban, bic = identifiers.iban("FR", rng)
    channel = rng.choices(("email", "letter"), weights=(75, 25))[0]
    record = _record(code, name, "sme", _french_address(fake), siren=siren,
                     siret=identifiers.siret(siren, rng) if rng.random() < 0.6 else None,
                     vat=identifiers.fr_vat(siren), terms=rng.choice(((30, False), (45, True), (60, False))),
                     credit_limit=rng.randrange(5_000, 60_001, 1_000), channel=channel,
                     contact=_contact(fake, domain, "fr"),
                     billing_email=f"compta@{domain}" if channel == "email" or rng.random() < 0.5 else None,
                     ibans=[iban])
    early = behaviour == "punctual" and rng.random() < 0.4
    return Profile(code, "sme", behaviour, record, name.upper(), iban, bic, early_discount=early)


def _service_code(name: str, rng: random.Random) -> str:
    """"Direction du patrimoine" -> "DIR-PAT-57", as buyers name their services on Chorus Pro."""
    words = [w[:3].upper() for w in slug(name).split("-") if len(w) > 3]
    return "-".join(words + [str(rng.randint(10, 99))])


def _public_body(rng: random.Random, fakers: dict[str, Faker], code: str, behaviour: str, nth: int) -> Profile:
    """The first requires a service code and a commitment number, the second neither."""
    fake = fakers["fr_FR"]
    first_digit, pattern, service_names = rng.choice(PUBLIC_KINDS)
    department = fake.department_name()
    name = pattern.format(city=fake.city(), department=department)
    siren = identifiers.siren(rng, first_digit)
    siret = identifiers.siret(siren, rng)
    services = [{"code": _service_code(s, rng), "name": s}
                for s in rng.sample(service_names, rng.randint(1, len(service_names)))]
    service_required, commitment_required = rng.random() < 0.6, rng.random() < 0.6
    if nth < 2:
        service_required = commitment_required = nth == 0
    structure = {"siret": siret, "name": name, "service_code_required": service_required,
                 "commitment_required": commitment_required, "services": services}
    service_code = services[0]["code"] if service_required or rng.random() < 0.5 else None
    domain = f"{slug(name)}.example"
    treasury = f"DDFIP {slug(department).replace('-', ' ').upper()}"
    treasury_iban, treasury_bic = identifiers.iban("FR", rng, identifiers.BANQUE_DE_FRANCE)
    record = _record(code, name, "public_body", _french_address(fake), siren=siren, siret=siret,
                     vat=identifiers.fr_vat(siren), terms=(30, False),
                     credit_limit=rng.randrange(50_000, 300_001, 10_000),
                     channel="chorus_pro", contact=_contact(fake, domain, "fr"), billing_email=None, ibans=[],
                     service_code=service_code)
    return Profile(code, "public_body", behaviour, record, treasury, treasury_iban, treasury_bic, structure=structure)


def _foreign(rng: random.Random, fakers: dict[str, Faker], code: str, behaviour: str, nth: int) -> Profile:
    country = rng.choice(("BE", "DE", "IT", "LU"))
    fake = fakers.get({"DE": "de_DE", "IT": "it_IT"}.get(country, "fr_FR"))
    name = _with_legal_form(fake.company(), rng, FOREIGN_FORMS[country])
    if country in FOREIGN_PLACES:
        postcode, city = rng.choice(FOREIGN_PLACES[country])
        address = {"line1": fake.street_address(), "line2": None, "postcode": postcode, "city": city,
                   "country": country}
    else:
        address = {"line1": fake.street_address(), "line2": None, "postcode": fake.postcode(), "city": fake.city(),
                   "country": country}
    domain = f"{slug(name)}.example"
    iban, bic = identifiers.iban(country, rng)
    language = "fr" if country in ("BE", "LU") else "en"
    record = _record(code, name, "foreign", address, siren=None, siret=None, vat=identifiers.eu_vat(country, rng),
                     terms=(30, False), credit_limit=rng.randrange(10_000, 80_001, 5_000), channel="email",
                     contact=_contact(fakers["fr_FR"], domain, language), billing_email=f"accounts@{domain}",
                     ibans=[iban])
    fee = Decimal(rng.choice(("7.50", "12.00", "15.00", "25.00")))
    return Profile(code, "foreign", behaviour, record, name.upper(), iban, bic, bank_fee=fee)


def _attach_subsidiaries(rng: random.Random, profiles: list[Profile]) -> None:
    """About one SME in five belongs to a large account's group, which often pays for it."""
    parents = [p for p in profiles if p.segment == "large_account"]
    if not parents:
        return
    for profile in profiles:
        if profile.segment == "sme" and rng.random() < 0.2:
            parent = rng.choice(parents)
            profile.parent = parent
            profile.record["parent_code"] = parent.code
            parent.subsidiaries.append(profile)

