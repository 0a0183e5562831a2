"""What the demo company sells (industrial maintenance: contracts, call-outs, parts, training),
and how an invoice's lines are drawn from it."""
from __future__ import annotations

import random
from decimal import Decimal

# description, unit price, quantity kind ("hours" in half hours, "units", "one")
ITEMS = (
    ("Contrat de maintenance préventive - forfait mensuel", "1450.00", "one"),
    ("Intervention technicien (heure)", "85.00", "hours"),
    ("Intervention technicien - astreinte week-end (heure)", "127.50", "hours"),
    ("Frais de déplacement", "65.00", "units"),
    ("Roulement SKF 6205-2RS", "18.40", "units"),
    ("Filtre hydraulique HF35", "42.90", "units"),
    ("Kit joints d'étanchéité", "27.50", "units"),
    ("Lubrifiant industriel ISO VG 68 - bidon 20 L", "134.00", "units"),
    ("Télésurveillance des équipements - mois", "320.00", "one"),
    ("Étalonnage de capteurs de pression", "210.00", "units"),
    ("Remplacement moteur asynchrone 4 kW", "1180.00", "units"),
    ("Audit énergétique du site", "2400.00", "one"),
    ("Formation sécurité électrique (jour)", "950.00", "units"),
    ("Courroie trapézoïdale SPA 1250", "23.60", "units"),
)


def draw_lines(rng: random.Random, segment: str, vat_rate: Decimal) -> list[dict]:
    """One to five lines; large accounts buy more of each."""
    scale = {"large_account": 3, "public_body": 2}.get(segment, 1)
    lines = []
    for description, price, kind in rng.sample(ITEMS, rng.randint(1, 5)):
        if kind == "hours":
            quantity = Decimal(rng.randint(2, 16 * scale)) / 2
        elif kind == "units":
            quantity = Decimal(rng.randint(1, 6 * scale))
        else:
            quantity = Decimal(1)
        lines.append({"description": description, "quantity": str(quantity), "unit_price": price,
                      "vat_rate": str(vat_rate)})
    return lines
