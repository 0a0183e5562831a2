"""What each page does, through HTTP as a browser would (both databases): the inbox's claims and
labelled examples, filters and keyset pages, schedules, runners, write-only secrets, the audit log,
users, the live console, times and amounts per locale."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select, update

from control_room.audit.models import AuditEvent
from control_room.clock import SYSTEM_CLOCK
from control_room.fleet.models import Process, ProcessRun, Runner, Schedule
from control_room.inbox.models import ItemClaim, LabelledExample
from control_room.queue import transitions
from control_room.queue.models import ItemState, WorkItem
from tests.support import ui_seed
from tests.support.seeds import ADMIN, auth
from tests.support.ui_client import Browser


def _text(answer) -> str:
    return answer.get_data(as_text=True)


def test_handler_claims_fixes_and_retries_and_the_fix_is_kept_as_an_example(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    hana, hugo = browser_for("handler", "hana"), browser_for("handler", "hugo")
    inbox = _text(hana.get("/inbox"))
    assert "PO_MISSING" in inbox and "No purchase order number on the invoice" in inbox
    assert f"/runs/artifacts/{fleet.artifact_id}" in inbox  # the screenshot of the failing screen
    assert hana.post(f"/inbox/{fleet.item_id}/claim", {"back": "/inbox"}).status_code == 302
    assert "Claimed by hana" in _text(hugo.get("/inbox"))
    # hugo cannot take it or resolve it while hana holds it
    hugo.post(f"/inbox/{fleet.item_id}/claim")
    hugo.post(f"/inbox/{fleet.item_id}/resolve", {"action": "done", "reason": "mine now"})
    assert ui_seed.item(app, fleet.item_id).state is ItemState.EXCEPTION
    form = {"action": "retry", "field:invoice": "F-1", "field:po": "PO-778", "field:amount": "1234.50",
            "field:currency": "EUR", "reason": "PO found in the customer's mail"}
    assert hana.post(f"/inbox/{fleet.item_id}/resolve", form).status_code == 302
    item = ui_seed.item(app, fleet.item_id)
    assert item.state is ItemState.NEW and item.payload["po"] == "PO-778" and item.attempts == 0
    with sessions() as session:
        example = session.scalars(select(LabelledExample)).one()
        assert (example.kind, example.item_id, example.queue, example.outcome, example.username) == (
            "portal_upload", fleet.item_id, "invoices.collect", "retried", "hana")
        assert example.original["payload"]["po"] == "" and example.original["exception"]["code"] == "PO_MISSING"
        assert example.label["payload"]["po"] == "PO-778" and example.label["changed_fields"] == ["po"]
        assert session.get(ItemClaim, fleet.item_id) is None
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(fleet.item_id),
                                                                  AuditEvent.object_type == "work_item")).all()
        assert actions[-2:] == ["item.claimed", "item.retried"]


def test_bulk_resolution_is_all_or_nothing_and_labels_every_item(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    with sessions.begin() as session:
        process = session.get(Process, fleet.process_id)
        second = ui_seed.escalate(session, process, {"invoice": "F-3"}, "F-3", priority=1)[0]
    handler, other = browser_for("handler", "hana"), browser_for("handler", "hugo")
    other.post(f"/inbox/{second}/claim")
    handler.post("/inbox/bulk", {"action": "done", "reason": "paid by cheque", "ids": [fleet.item_id, second]})
    assert ui_seed.item(app, fleet.item_id).state is ItemState.EXCEPTION  # hugo holds the second: nothing changed
    other.post(f"/inbox/{second}/release")
    handler.post("/inbox/bulk", {"action": "done", "reason": "paid by cheque", "ids": [fleet.item_id, second]})
    assert {ui_seed.item(app, i).state for i in (fleet.item_id, second)} == {ItemState.DONE}
    with sessions() as session:
        labels = session.scalars(select(LabelledExample).order_by(LabelledExample.item_id)).all()
        assert [(e.item_id, e.outcome, e.label["reason"]) for e in labels] == [
            (fleet.item_id, "done", "paid by cheque"), (second, "done", "paid by cheque")]


def test_queue_filters_and_keyset_pages(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    with sessions.begin() as session:
        process = session.get(Process, fleet.process_id)
        for n in range(120):
            transitions.create(session, process.input_queue,
                               transitions.NewItem({"customer": "ACME" if n % 2 else "Globex", "n": n}, f"R-{n:03}"),
                               ADMIN, process_id=process.id)
    viewer = browser_for("viewer")
    page = _text(viewer.get(f"/queues/{fleet.queue_id}?state=new"))
    shown = re.findall(r"<td>(R-\d{3})</td>", page)
    assert shown[0] == "R-119" and len(shown) == 50
    older = re.search(r'rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "state=new" in older
    second = re.findall(r"<td>(R-\d{3})</td>", _text(viewer.get(older)))
    assert second[0] == "R-069" and len(second) == 50 and not set(shown) & set(second)
    by_reference = _text(viewer.get(f"/queues/{fleet.queue_id}?reference=R-007"))
    assert re.findall(r"<td>(R-\d{3})</td>", by_reference) == ["R-007"]
    globex = re.findall(r"<td>(R-\d{3})</td>", _text(viewer.get(f"/queues/{fleet.queue_id}?q=Globex")))
    assert len(globex) == 50 and all(int(r[2:]) % 2 == 0 for r in globex)
    today = datetime.now(UTC).date().isoformat()
    assert "R-119" in _text(viewer.get(f"/queues/{fleet.queue_id}?from={today}"))
    assert "R-119" not in _text(viewer.get(f"/queues/{fleet.queue_id}?to=2020-01-01"))


def test_batch_actions_change_nothing_when_one_item_is_refused(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    ops = browser_for("ops")
    with sessions.begin() as session:  # the other item is held by a run
        session.execute(update(WorkItem).where(WorkItem.id == fleet.other_item_id).values(state=ItemState.RESERVED))
    ops.post("/items/batch", {"action": "done", "reason": "x", "ids": [fleet.item_id, fleet.other_item_id],
                              "back": f"/queues/{fleet.queue_id}"})
    assert ui_seed.item(app, fleet.item_id).state is ItemState.EXCEPTION
    assert "refused; nothing was changed" in _text(ops.get(f"/queues/{fleet.queue_id}"))
    ops.post("/items/batch", {"action": "move", "reason": "x", "ids": [fleet.item_id], "queue": fleet.queue_id})
    assert ui_seed.item(app, fleet.item_id).state is ItemState.NEW
    detail = _text(ops.get(f"/items/{fleet.item_id}"))
    assert "item.moved" in detail and "user:ops-user" in detail and "item.failed" in detail


def test_schedules_pause_resume_run_now_and_next_fire(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    it, ops = browser_for("it", "ida"), browser_for("ops")
    page = _text(it.get("/schedules"))
    assert "invoices-morning" in page and "0 8 * * 1-5" in page and "portal_upload.run" in page
    assert re.search(r"\b8:00:00\sAM", page), "the next fire time, 8 o'clock in Paris"
    assert ops.post(f"/schedules/{fleet.schedule_id}/pause").status_code == 403
    it.post(f"/schedules/{fleet.schedule_id}/pause")
    with sessions() as session:
        assert session.get(Schedule, fleet.schedule_id).paused is True
    it.post(f"/schedules/{fleet.schedule_id}/resume")
    answer = it.post(f"/schedules/{fleet.schedule_id}/run")
    run_id = int(answer.headers["Location"].rsplit("/", 1)[1])
    with sessions() as session:
        assert session.get(Schedule, fleet.schedule_id).paused is False
        assert session.get(ProcessRun, run_id).requested_by == "user:ida"
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.object_type == "schedule")).all()
        assert actions == ["schedule.paused", "schedule.resumed"]


def test_runners_status_tokens_and_retirement(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    it = browser_for("it", "ida")
    assert 'class="badge busy"' in _text(it.get("/runners"))  # vm-1 runs the seeded step
    ui_seed.age_heartbeat(app, fleet.runner_id, minutes=3)
    lost = _text(it.get("/runners"))
    assert 'class="badge lost"' in lost and "3 minutes ago" in lost
    created = it.post("/runners/tokens", {"hours": "24"})
    token = re.search(r'data-testid="registration-token">([^<]+)<', _text(created)).group(1)
    assert created.status_code == 201 and token.startswith("reg_")
    assert token not in _text(it.get("/runners"))  # shown once
    client = app.test_client()
    registered = client.post("/api/v1/runners/register", json={"token": token, "name": "vm-2", "labels": ["fr"]})
    assert registered.status_code == 201
    again = client.post("/api/v1/runners/register", json={"token": token, "name": "vm-3"})
    assert again.status_code == 401
    credential = registered.get_json()["credential"]
    assert client.post("/api/v1/runners/heartbeat", headers=auth(credential)).status_code == 200
    vm2 = next(r for r in _runners(sessions) if r.name == "vm-2")
    it.post(f"/runners/{vm2.id}/retire")
    assert client.post("/api/v1/runners/heartbeat", headers=auth(credential)).status_code == 401
    with sessions() as session:
        details = session.scalars(select(AuditEvent.details).where(AuditEvent.action.in_(
            ("registration_token.created", "runner.retired")))).all()
        assert all(token not in str(d) for d in details) and len(details) == 2


def _runners(sessions) -> list[Runner]:
    with sessions() as session:
        return list(session.scalars(select(Runner)))


def test_a_secret_value_never_leaves_the_vault(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    it = browser_for("it", "ida")
    value, rotated = "Fresh-Value-4-portal-B!", "Rotated-Value-9-portal-B!"
    it.post("/credentials", {"name": "portal_b", "description": "Portal B login", "scope": "invoices",
                             "values": f"login=acme\npassword={value}"})
    refused = it.post("/credentials", {"name": "bad name!", "values": f"password={value}"})
    assert refused.status_code == 400 and value not in _text(refused)  # never echoed back
    it.post("/credentials/portal_b/rotate", {"values": f"login=acme\npassword={rotated}"})
    admin = browser_for("admin")
    pages = [it.get(p) for p in ("/credentials", "/audit", "/audit/export.csv", "/", "/runs",
                                 f"/runs/{fleet.run_id}", f"/items/{fleet.item_id}", "/inbox")]
    pages.append(admin.get("/audit?object_type=secret"))
    pages.append(app.test_client().get("/api/v1/openapi.json"))
    for answer in pages:
        body = answer.get_data(as_text=True)
        for secret in (value, rotated, ui_seed.SECRET_VALUE):
            assert secret not in body, answer.request.path
    with sessions() as session:
        events = session.scalars(select(AuditEvent)).all()
        assert all(s not in repr(e.details) for e in events for s in (value, rotated, ui_seed.SECRET_VALUE))
        assert [e.action for e in events if e.object_id == "portal_b"] == ["secret.created", "secret.rotated"]
    listed = _text(it.get("/credentials"))
    assert "portal_b" in listed and "v2" in listed and "invoices" in listed
    with sessions.begin() as session:  # and the vault still gives the rotated value to the process's runs
        assert app.extensions["arfleet"].vault.read(session, "portal_b", "invoices", ADMIN)["password"] == rotated


def test_audit_filters_export_and_chain_verification(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    viewer = browser_for("viewer", "vera")
    filtered = _text(viewer.get("/audit?action=item.failed"))
    assert "item.failed" in filtered and "item.created" not in filtered
    by_object = _text(viewer.get(f"/audit?object_type=work_item&object_id={fleet.item_id}"))
    assert "item.reserved" in by_object and "secret.created" not in by_object
    csv_text = _text(viewer.get("/audit/export.csv?action=item.failed"))
    lines = csv_text.strip().splitlines()
    assert lines[0] == "id,at,actor_type,actor_id,action,object_type,object_id,details,hash"
    assert len(lines) == 2 and ",item.failed," in lines[1]
    verdict = _text(viewer.post("/audit/verify"))
    assert re.search(r"Chain intact: \d+ events checked", verdict)
    with sessions() as session:
        assert session.scalar(select(AuditEvent.actor_id).where(AuditEvent.action == "audit.exported")) == "vera"


def test_admin_manages_users(app, sessions, browser_for):
    admin = browser_for("admin", "root")
    weak = admin.post("/users", {"username": "nina", "password": "short", "role": "handler"})
    assert weak.status_code == 400 and "at least 10" in _text(weak)
    admin.post("/users", {"username": "nina", "password": "a long enough password", "role": "handler"})
    nina = Browser(app)
    assert nina.login("nina", "a long enough password").status_code == 302
    assert nina.get("/inbox").status_code == 200 and nina.get("/users").status_code == 403
    from control_room.access.models import User

    with sessions() as session:
        ids = dict(session.execute(select(User.username, User.id)).all())
    admin.post(f"/users/{ids['nina']}/role", {"role": "viewer"})
    assert nina.get("/inbox").status_code == 403  # the new role applies at once
    admin.post(f"/users/{ids['root']}/active", {"active": "0"})  # refused: not yourself
    assert admin.get("/users").status_code == 200


def test_console_streams_lines_after_the_cursor_until_the_run_ends(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    ops = browser_for("ops")
    first = _text(ops.get(f"/runs/{fleet.run_id}/console?step=0&seq=-1"))
    assert re.findall(r'<div class="line">([^<]*)</div>', first) == ["line 0", "line 1", "line 2"]
    assert f"step={fleet.step_run_id}&amp;seq=2" in first  # the next poll asks for what follows
    with sessions.begin() as session:
        from control_room.fleet.models import StepRunLog

        session.add(StepRunLog(step_run_id=fleet.step_run_id, seq=3, line="<b>line 3</b>"))
    nxt = _text(ops.get(f"/runs/{fleet.run_id}/console?step={fleet.step_run_id}&seq=2"))
    assert "&lt;b&gt;line 3&lt;/b&gt;" in nxt and "line 2" not in nxt
    with sessions.begin() as session:
        from control_room.fleet import runs

        runs.finish(session, session.get(runs.StepRun, fleet.step_run_id), 0, ADMIN)
    done = _text(ops.get(f"/runs/{fleet.run_id}/console?step={fleet.step_run_id}&seq=3"))
    assert "console-poll" not in done  # the run ended: polling stops


def test_artifacts_open_sandboxed_or_download(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    import io

    from control_room.fleet.models import Artifact

    with sessions.begin() as session:
        ids = {}
        for name, data in (("output/log.html", b"<script>1</script>"), ("trace.zip", b"PK\x03\x04")):
            row = Artifact(step_run_id=fleet.step_run_id, name=name, size=0, sha256="")
            session.add(row)
            session.flush()
            row.size, row.sha256 = app.extensions["arfleet"].files.write(
                "artifacts", fleet.step_run_id, row.id, io.BytesIO(data), 1000)
            ids[name] = row.id
    ops = browser_for("ops")
    log = ops.get(f"/runs/artifacts/{ids['output/log.html']}")
    assert log.mimetype == "text/html" and log.headers["Content-Security-Policy"].startswith("sandbox")
    assert "attachment" not in log.headers.get("Content-Disposition", "")
    trace = ops.get(f"/runs/artifacts/{ids['trace.zip']}?download=1")
    assert "attachment" in trace.headers["Content-Disposition"]
    screenshot = ops.get(f"/runs/artifacts/{fleet.artifact_id}")
    assert screenshot.mimetype == "image/png" and screenshot.data == ui_seed.PNG


def test_times_in_paris_and_amounts_per_locale(app, sessions, browser_for):
    fleet = ui_seed.build(app)
    with sessions.begin() as session:
        session.execute(update(WorkItem).where(WorkItem.id == fleet.item_id).values(
            created_at=datetime(2026, 7, 14, 10, 30, tzinfo=UTC)))
    ops = browser_for("ops")
    english = _text(ops.get(f"/queues/{fleet.queue_id}"))
    assert "Jul 14, 2026, 12:30:00" in english.replace("\u202f", " ") and "€1,234.50" in english
    ops.post("/language", {"language": "fr", "next": "/"})
    french = _text(ops.get(f"/queues/{fleet.queue_id}")).replace("\u202f", " ").replace("\xa0", " ")
    assert "14 juil. 2026, 12:30:00" in french and "1 234,50 €" in french
    assert "Queue" not in french.split("<main>")[1].split("</h1>")[0]  # the heading is French: « File »


def test_start_a_run_with_a_payload_and_a_file_then_preview_it(app, sessions, browser_for):
    from tests.support.seeds import declare

    declare(sessions, "invoices")
    ops = browser_for("ops")
    with sessions() as session:
        process_id = session.scalar(select(Process.id))
    bad = ops.post("/runs/new", {"process": process_id, "payload": '{"invoice": '})
    assert bad.status_code == 400 and "not valid JSON" in _text(bad) and '{"invoice": ' in _text(bad)
    pdf = b"%PDF-1.4 invoice F-7\n%%EOF"
    import io

    started = ops.post("/runs/new", {"process": process_id, "payload": '{"invoice": "F-7"}', "reference": "F-7",
                                     "files": (io.BytesIO(pdf), "F-7.pdf")}, content_type="multipart/form-data")
    assert started.status_code == 302
    with sessions() as session:
        item = session.scalars(select(WorkItem)).one()
        assert (item.reference, item.payload, [f.name for f in item.files]) == ("F-7", {"invoice": "F-7"}, ["F-7.pdf"])
        file_id = item.files[0].id
        assert session.scalars(select(ProcessRun)).one().requested_by == "user:ops-user"
    page = _text(ops.get(f"/items/{item.id}"))
    assert f'<iframe class="preview" title="F-7.pdf" src="/items/{item.id}/files/{file_id}"' in page
    preview = ops.get(f"/items/{item.id}/files/{file_id}")
    assert preview.mimetype == "application/pdf" and preview.data == pdf
    assert "attachment" not in preview.headers.get("Content-Disposition", "")
    duplicate = ops.post("/runs/new", {"process": process_id, "payload": "{}", "reference": "F-7"})
    assert duplicate.status_code == 400 and "already exists" in _text(duplicate)


def test_inbox_orders_by_priority_then_deadline_and_pages_by_keyset(app, sessions, browser_for):
    from datetime import timedelta

    fleet = ui_seed.build(app)  # item F-1: priority 0, no deadline
    base = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with sessions.begin() as session:
        for n in range(24):
            session.add(WorkItem(queue_id=fleet.queue_id, process_id=fleet.process_id, state=ItemState.EXCEPTION,
                                 reference=f"X-{n:02}", payload={"n": n}, priority=n % 3,
                                 deadline=None if n % 4 == 0 else base + timedelta(days=n % 5),
                                 exception_code="MANUAL"))
    with sessions() as session:
        rows = session.scalars(select(WorkItem).where(WorkItem.state == ItemState.EXCEPTION)).all()
        far = datetime.max.replace(tzinfo=UTC)
        expected = [r.reference for r in sorted(rows, key=lambda r: (-r.priority, r.deadline or far, r.id))]
    handler = browser_for("handler")
    first = _text(handler.get("/inbox"))
    refs = re.findall(r"</a> ([A-Z]-\d+) · invoices.collect", first)
    nxt = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    refs += re.findall(r"</a> ([A-Z]-\d+) · invoices.collect", _text(handler.get(nxt)))
    assert refs == expected and len(refs) == 25
    only_po = re.findall(r"</a> ([A-Z]-\d+) · invoices.collect", _text(handler.get("/inbox?reason=PO_MISSING")))
    assert only_po == ["F-1"]


def test_payload_form_round_trip_keeps_types():
    from control_room.ui import payload_form

    payload = {"invoice": "F-1", "amount": 12.5, "lines": 3, "paid": False, "note": None, "match": {"ids": [1, 2]}}
    kinds = {f.key: f.kind for f in payload_form.fields(payload)}
    assert kinds == {"invoice": "text", "amount": "number", "lines": "number", "paid": "boolean", "note": "null",
                     "match": "json"}
    form = {"field:invoice": "F-1b", "field:amount": "13", "field:paid": "true", "field:note": "",
            "field:match": '{"ids": [3]}'}
    assert payload_form.parse(form, payload) == {"invoice": "F-1b", "amount": 13, "lines": 3, "paid": True,
                                                 "note": None, "match": {"ids": [3]}}
    import pytest

    with pytest.raises(payload_form.PayloadError, match="amount"):
        payload_form.parse({"field:amount": "twelve"}, payload)


def test_queue_depth_history_and_success_rate_feed_the_dashboard_charts(app, sessions, browser_for):
    from datetime import timedelta

    from control_room.fleet.models import ProcessRun, RunState
    from control_room.fleet.processes import get_process
    from control_room.fleet.scheduler import FleetScheduler
    from control_room.queue import depths, transitions
    from tests.support.seeds import ADMIN, declare

    declare(sessions, "invoices")
    now = SYSTEM_CLOCK.now()
    with sessions.begin() as session:
        process = get_process(session, "invoices")
        for n in range(3):
            transitions.create(session, process.input_queue, transitions.NewItem(payload={"n": n}), ADMIN,
                               process_id=process.id)
        for state in (RunState.COMPLETED, RunState.COMPLETED, RunState.COMPLETED, RunState.FAILED):
            session.add(ProcessRun(process_id=process.id, state=state, created_at=now - timedelta(minutes=5),
                                   ended_at=now - timedelta(minutes=1)))
    with sessions.begin() as session:
        assert depths.sample(session, now - timedelta(minutes=10)) == 1
    FleetScheduler(sessions).tick()  # the scheduler samples the current slot
    with sessions.begin() as session:
        assert depths.sample(session, now) == 0  # already sampled: once per slot
    charts = browser_for("viewer").get("/dashboard/charts.json").get_json()
    assert [p["waiting"] for p in charts["queue_depth"]["invoices.collect"]] == [3, 3]
    assert charts["success_rate"] == [{"process": "invoices", "percent": 75.0, "ended": 4}]


def test_a_done_item_shows_an_earlier_failure_as_history(app, sessions, browser_for, clock):
    from datetime import timedelta

    from control_room.audit.actors import Actor
    from control_room.queue.models import ExceptionType
    from control_room.queue.reservation import reserve_next
    from tests.support.seeds import bare_step_run, declare

    declare(sessions, "invoices")
    queue_id, step_run_id = bare_step_run(sessions, "invoices")
    bot = Actor.run(step_run_id)
    with sessions.begin() as session:
        process = session.scalar(select(Process).where(Process.name == "invoices"))
        item = transitions.create(session, process.input_queue, transitions.NewItem({"invoice": "F-1"}, "F-1"),
                                  ADMIN, process_id=process.id)
        assert reserve_next(session, queue_id, step_run_id, 600, bot) == item.id
        transitions.fail(session, item.id, step_run_id, ExceptionType.APPLICATION, "PORTAL_DOWN", "503", bot)
        item_id = item.id
    clock.advance(timedelta(hours=1))  # its back-off passes; the second attempt goes through
    with sessions.begin() as session:
        assert reserve_next(session, queue_id, step_run_id, 600, bot) == item_id
        transitions.complete(session, item_id, step_run_id, bot)
    page = _text(browser_for("viewer").get(f"/items/{item_id}"))
    assert "Earlier attempt failed (history, not the current state): PORTAL_DOWN" in page
    assert "Reason:" not in page
