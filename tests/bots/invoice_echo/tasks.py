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


@task
def rotate_portal_password():
    """Writes a secret back through the vault's transit envelope, as a bot renewing a password does."""
    secret = vault.get_secret("portal_a")
    secret["password"] = "renewed-by-bot"
    vault.set_secret(secret)


@task
def overwrite_portal_secret():
    """Writes a secret without reading it first, as a bot renewing someone else's password would try."""
    vault.set_secret(vault.SecretContainer("portal_a", "", {"login": "mine", "password": "taken-over"}))


@task
def hang_on_first_item():
    """Takes its item, says so, then hangs: the test kills it with SIGKILL."""
    import time

    item = workitems.inputs.current
    marker = Path(item.payload["ready_file"])
    marker.with_suffix(".tmp").write_text(str(item.id))
    marker.with_suffix(".tmp").rename(marker)  # the test sees the file only once it is complete
    time.sleep(600)


@task
def complete_all():
    for item in workitems.inputs:
        with item:
            pass
