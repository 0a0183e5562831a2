"""Signed file URLs: bound to one item and file, expiring, and the upload checked against its size."""
import base64
import io
import time

from itsdangerous import URLSafeTimedSerializer

from control_room.context import derive_key
from tests.support.seeds import declare, register_runner, start_and_assign


def _robot(client, sessions):
    declare(sessions, "invoices")
    runner = register_runner(client, sessions)
    claim = start_and_assign(client, sessions, "invoices", [{"payload": {"n": 1}}], runner)
    return claim, {"Authorization": f"Bearer {claim['env']['RC_API_WORKITEM_TOKEN']}"}


def test_upload_and_download_through_signed_urls(app, sessions):
    client = app.test_client()
    claim, bot = _robot(client, sessions)
    item = claim["env"]["RC_WORKITEM_ID"]
    base = f"/json-v1/workspaces/arfleet/workitems/{item}/files"
    grant = client.post(base, json={"fileName": "proof.png", "fileSize": 4}, headers=bot).get_json()
    too_big = client.post(grant["url"], data={**grant["fields"], "file": (io.BytesIO(b"12345"), "proof.png")},
                          content_type="multipart/form-data")
    assert too_big.status_code == 413
    assert client.get(base, headers=bot).get_json() == []  # nothing half-written
    ok = client.post(grant["url"], data={**grant["fields"], "file": (io.BytesIO(b"1234"), "proof.png")},
                     content_type="multipart/form-data")
    assert ok.status_code == 204
    [listed] = client.get(base, headers=bot).get_json()
    assert (listed["fileName"], listed["fileSize"]) == ("proof.png", 4)
    link = client.get(f"{base}/{listed['fileId']}", headers=bot).get_json()["url"]
    assert client.get(link).data == b"1234"
    tampered = link[:-3] + ("aaa" if not link.endswith("aaa") else "bbb")
    assert client.get(tampered).status_code == 403


def test_signed_links_expire_and_are_bound_to_their_file(app, sessions, settings):
    client = app.test_client()
    claim, bot = _robot(client, sessions)
    item = int(claim["env"]["RC_WORKITEM_ID"])
    key = derive_key(base64.b64decode(settings.master_key), "signed-urls")
    signer = URLSafeTimedSerializer(key, salt="arfleet-files-download")
    forged_other_file = signer.dumps({"item": item, "file": 999})
    assert client.get(f"/api/files/download/{forged_other_file}").status_code == 404
    expired = signer.dumps({"item": item, "file": 1})
    app.extensions["arfleet"].signer.max_age = 0
    time.sleep(1.1)
    answer = client.get(f"/api/files/download/{expired}")
    assert answer.status_code == 403 and "expired" in answer.get_json()["error"]["message"]
    upload_as_download = URLSafeTimedSerializer(key, salt="arfleet-files-upload").dumps({"item": item, "file": 1})
    assert client.get(f"/api/files/download/{upload_as_download}").status_code == 403
