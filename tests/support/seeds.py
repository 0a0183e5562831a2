"""Small builders the control-room tests share: processes, people (with a password to log in, or an
API token), runners, claims, bare step runs."""
from __future__ import annotations

import secrets

from control_room.access.models import Role
from control_room.access.users import create_api_token, create_user
from control_room.audit.actors import Actor
from control_room.fleet.processes import ProcessSpec, StepSpec, apply_spec

ADMIN = Actor.user("test-admin")
PASSWORD = "correct horse battery"  # every person the tests create has it
ROLES = [r.value for r in Role]


def declare(sessions, name: str = "invoices", steps: tuple[str, ...] = ("collect",), bot: str = "echo",
            task: str = "run", **options) -> None:
    spec = ProcessSpec(name=name, steps=tuple(StepSpec(name=s, bot=bot, task=task) for s in steps), **options)
    with sessions.begin() as session:
        apply_spec(session, spec, ADMIN)


def make_user(sessions, role: str, username: str | None = None) -> str:
    """A person with ``role`` who logs in with PASSWORD; their user name."""
    username = username or f"{role}-user"
    with sessions.begin() as session:
        create_user(session, username, PASSWORD, Role(role), ADMIN)
    return username


def user_token(sessions, role: str = "ops", username: str | None = None) -> str:
    """An API token of a new person with ``role``."""
    username = username or f"{role}-{secrets.token_hex(3)}"
    with sessions.begin() as session:
        user = create_user(session, username, PASSWORD, Role(role), ADMIN)
        return create_api_token(session, user, "tests", ADMIN)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def register_runner(client, sessions, name: str = "vm-1", labels: list[str] | None = None, capacity: int = 4) -> str:
    """A registered runner's credential, through the real registration flow."""
    it = user_token(sessions, "it")
    reg = client.post("/api/v1/registration-tokens", json={}, headers=auth(it))
    assert reg.status_code == 201, reg.get_json()
    answer = client.post("/api/v1/runners/register", json={"token": reg.get_json()["token"], "name": name,
                                                           "labels": labels or [], "capacity": capacity})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["credential"]


def start_and_assign(client, sessions, process: str, payloads: list[dict], runner_credential: str) -> dict:
    """Start a run with payloads and take its first step run as the runner would."""
    ops = user_token(sessions, "ops")
    started = client.post(f"/api/v1/processes/{process}/runs", json={"payloads": payloads}, headers=auth(ops))
    assert started.status_code == 201, started.get_json()
    claim = client.post("/api/v1/runners/assignments", json={"wait_seconds": 0}, headers=auth(runner_credential))
    assert claim.status_code == 200, claim.data
    return claim.get_json()


def bare_step_run(sessions, process: str) -> tuple[int, int]:
    """(input queue id, step run id) of a step run of `process`'s first step, without a runner: for tests
    that drive reservation and transitions directly."""
    from control_room.fleet.models import ProcessRun, StepRun
    from control_room.fleet.processes import get_process

    with sessions.begin() as session:
        found = get_process(session, process)
        run = ProcessRun(process_id=found.id)
        session.add(run)
        session.flush()
        step_run = StepRun(process_run_id=run.id, step_id=found.steps[0].id)
        session.add(step_run)
        session.flush()
        return found.steps[0].queue_id, step_run.id
