"""Seeds for the other practice systems, cut from the same company so everything agrees: the
purchase orders the supplier portals know (one per invoice sent through them, lines as invoiced)
and the public buyers' structures on Chorus Pro."""
from __future__ import annotations

from sandbox.demo_data.customers import Profile
from sandbox.demo_data.invoices import Draft


def portal_seed(invoices: list[Draft], portal: str) -> dict:
    """{"purchase_orders": [...]} for ``portal`` ("portal_a" or "portal_b")."""
    orders = []
    for invoice in invoices:
        record = invoice.profile.record
        if invoice.kind != "invoice" or record["invoice_channel"] != portal or not invoice.po_number:
            continue
        orders.append({
            "po_number": invoice.po_number,
            "supplier_id": record["portal_supplier_id"],
            "buyer": record["legal_name"],
            "currency": "EUR",
            "lines": [{"description": line["description"], "quantity": line["quantity"],
                       "unit_price": line["unit_price"]}
                      for line in invoice.lines],
        })
    return {"purchase_orders": orders}


def chorus_pro_seed(profiles: list[Profile]) -> dict:
    """{"structures": [...]}: every public customer, with whether it requires a service code and a
    commitment number, and its services."""
    return {"structures": [p.structure for p in profiles if p.structure is not None]}
