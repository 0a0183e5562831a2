"""Loading portal A's users and purchase orders from seed JSON (see ``portal_common.seed_data``);
each user also needs ``totp_secret`` (base32), the secret of their authenticator app. Loading the
same file twice updates what is there."""
from __future__ import annotations

import binascii
from typing import Any

import pyotp
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from sandbox.portal_a.models import PurchaseOrder, PurchaseOrderLine, User
from sandbox.portal_common.seed_data import SeedError, parse_seed, required_text


def seed(session: Session, payload: dict[str, Any]) -> dict[str, int]:
    users, orders = parse_seed(payload)
    for i, u in enumerate(users):
        secret = required_text(u.raw, "totp_secret", f"users[{i}]")
        try:
            pyotp.TOTP(secret).now()
        except (binascii.Error, ValueError) as exc:
            raise SeedError(f"users[{i}].totp_secret is not a usable base32 secret: {exc}") from None
        user = session.scalar(select(User).where(User.login == u.login)) or User(login=u.login)
        user.password_hash = generate_password_hash(u.password)
        user.supplier_id = u.supplier_id
        user.totp_secret = secret
        session.add(user)
    for o in orders:
        po = session.scalar(select(PurchaseOrder).where(PurchaseOrder.po_number == o.po_number))
        po = po or PurchaseOrder(po_number=o.po_number)
        po.supplier_id, po.buyer, po.currency = o.supplier_id, o.buyer, o.currency
        po.lines = [PurchaseOrderLine(line_no=n, description=line.description, quantity=line.quantity,
                                      unit_price=line.unit_price)
                    for n, line in enumerate(o.lines, start=1)]
        session.add(po)
    session.flush()
    return {"users": len(users), "purchase_orders": len(orders)}
