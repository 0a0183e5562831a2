"""An unmodified Robocorp-style bot: it only knows robocorp.workitems and robocorp.vault."""
import hashlib
from pathlib import Path

from robocorp import vault, workitems
from robocorp.tasks import get_output_dir, task


@task
def handle_invoices():
    credentials = vault.get_secret("portal_a")
    fingerprint = hashlib.sha256(credentials["password"].encode()).hexdigest()
    for item in workitems.inputs:
        with item:
            payload = item.payload
            if payload.get("fail") == "business":
                raise workitems.BusinessException(code="PO_MISSING", message="The invoice has no PO number")
            if payload.get("fail") == "application":
                raise workitems.ApplicationException(code="PORTAL_DOWN", message="Portal answered 503")
            pdf = item.get_file("invoice.pdf", Path(get_output_dir() or ".") / f"in-{item.id}.pdf")
            stamped = Path(get_output_dir() or ".") / f"stamped-{item.id}.pdf"
            stamped.write_bytes(pdf.read_bytes() + b"%stamped")
            item.payload = {**payload, "seen": True}
            item.save()
            workitems.outputs.create(
                payload={"invoice": payload["invoice"], "login": credentials["login"], "pw_sha256": fingerprint},
                files=[stamped],
            )
