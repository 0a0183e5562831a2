"""Loading portal B's users and purchase orders from seed JSON (see ``portal_common.seed_data``).
A purchase order may also give ``vat_rate`` (percent, default "20"); a line may give
``received_quantity`` (goods received so far, default: the quantity ordered). Loading the same file
twice updates what is there; lines are matched by position."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from sandbox.portal_b.models import PurchaseOrder, PurchaseOrderLine, User
from sandbox.portal_common.seed_data import SeedError, parse_seed, seed_number


def seed(session: Session, payload: dict[str, Any]) -> dict[str, int]:
    users, orders = parse_seed(payload)
    for u in users:
        user = session.scalar(select(User).where(User.login == u.login)) or User(login=u.login)
        user.password_hash = generate_password_hash(u.password)
        user.supplier_id = u.supplier_id
        session.add(user)
    for i, o in enumerate(orders):
        where = f"purchase_orders[{i}]"
        po = session.scalar(select(PurchaseOrder).where(PurchaseOrder.po_number == o.po_number))
        po = po or PurchaseOrder(po_number=o.po_number)
        po.supplier_id, po.buyer, po.currency = o.supplier_id, o.buyer, o.currency
        po.vat_rate = seed_number(o.raw, "vat_rate", where, Decimal("20"))
        existing = {line.line_no: line for line in po.lines}
        if len(existing) > len(o.lines):
            raise SeedError(f"{where}: a reseeded order cannot lose lines")
        for n, seeded in enumerate(o.lines, start=1):
            line = existing.get(n) or PurchaseOrderLine(line_no=n)
            line.description, line.quantity, line.unit_price = seeded.description, seeded.quantity, seeded.unit_price
            line.received_quantity = seed_number(seeded.raw, "received_quantity", f"{where}.lines[{n - 1}]",
                                                 seeded.quantity)
            if n not in existing:
                po.lines.append(line)
        session.add(po)
    session.flush()
    return {"users": len(users), "purchase_orders": len(orders)}
