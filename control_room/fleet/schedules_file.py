"""schedules.yaml: the fleet's processes, schedules and queue triggers, parsed and validated with the
line of every error, so `arfleet schedules check` can say exactly what is wrong and where."""
from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger

from control_room.fleet.processes import ProcessSpec, StepSpec

NAME = re.compile(r"^[a-z][a-z0-9_.-]{0,119}$")
DURATION = re.compile(r"^(\d+)\s*(s|m|h)?$")
UNITS = {"s": 1, "m": 60, "h": 3600, None: 1}
DEFAULT_HEARTBEAT_SECONDS = 10  # `arfleet runner --heartbeat-seconds`
MIN_LEASE_SECONDS = 3 * DEFAULT_HEARTBEAT_SECONDS


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    process: str
    cron: str
    timezone: str = "Europe/Paris"
    business_days_only: bool = False
    overlap: str = "skip"  # skip | queue


@dataclass(frozen=True)
class TriggerSpec:
    process: str
    min_items: int = 1
    max_active_runs: int = 1


@dataclass
class Fleet:
    processes: list[ProcessSpec] = field(default_factory=list)
    schedules: list[ScheduleSpec] = field(default_factory=list)
    triggers: list[TriggerSpec] = field(default_factory=list)


@dataclass(frozen=True)
class FleetError:
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.where}: {self.message}"


class InvalidFleetFile(ValueError):
    def __init__(self, path: str, errors: list[FleetError]) -> None:
        self.path, self.errors = path, errors
        super().__init__("\n".join(f"{path}:{e}" for e in errors))


class _Reader:
    """Turns the YAML node tree into values while keeping each node's line for error messages."""

    def __init__(self) -> None:
        self.errors: list[FleetError] = []

    def fail(self, node: yaml.Node, where: str, message: str) -> None:
        self.errors.append(FleetError(node.start_mark.line + 1, where, message))

    def mapping(self, node: yaml.Node, where: str, allowed: AbstractSet[str],
                required: AbstractSet[str] = frozenset()) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, where, "must be a mapping (key: value)")
            return {}
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value
            if key not in allowed:
                self.fail(key_node, where, f"unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
            elif key in out:
                self.fail(key_node, where, f"{key!r} is given twice")
            else:
                out[key] = value_node
        for key in sorted(required - set(out)):
            self.fail(node, where, f"{key!r} is required")
        return out

    def sequence(self, node: yaml.Node, where: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, where, "must be a list")
            return []
        return list(node.value)

    def text(self, node: yaml.Node | None, where: str, default: str | None = None) -> str | None:
        if node is None:
            return default
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith((":null", ":map", ":seq")) or node.value == "":
            self.fail(node, where, "must be a text value")
            return default
        value: str = node.value  # a scalar node's value is its text
        return value

    def name(self, node: yaml.Node | None, where: str) -> str | None:
        value = self.text(node, where)
        if value is not None and not NAME.match(value):
            self.fail(node, where, f"{value!r} is not a valid name (lower-case letters, digits, '_', '-', '.')")
            return None
        return value

    def integer(self, node: yaml.Node | None, where: str, default: int | None, minimum: int = 0) -> int | None:
        if node is None:
            return default
        try:
            value = int(node.value) if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":int") else None
        except ValueError:
            value = None
        if value is None or value < minimum:
            self.fail(node, where, f"must be a whole number ≥ {minimum}")
            return default
        return value

    def boolean(self, node: yaml.Node | None, where: str, default: bool) -> bool:
        if node is None:
            return default
        if not (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":bool")):
            self.fail(node, where, "must be true or false")
            return default
        return node.value.lower() in ("true", "yes", "on")

    def duration(self, node: yaml.Node | None, where: str, default: int | None) -> int | None:
        """Seconds, from `90`, `90s`, `15m` or `2h`."""
        if node is None:
            return default
        match = DURATION.match(str(node.value).strip()) if isinstance(node, yaml.ScalarNode) else None
        if not match or int(match.group(1)) <= 0:
            self.fail(node, where, "must be a duration such as 90s, 15m or 2h")
            return default
        return int(match.group(1)) * UNITS[match.group(2)]


def _check_cron(reader: _Reader, node: yaml.Node, where: str, cron: str, timezone: str) -> None:
    try:
        CronTrigger.from_crontab(cron, timezone=ZoneInfo(timezone))
    except (ValueError, TypeError) as exc:
        reader.fail(node, where, f"{cron!r} is not a valid cron expression (minute hour day month weekday): {exc}")


def parse(text: str, path: str = "schedules.yaml") -> Fleet:
    """Parse and validate; raises InvalidFleetFile listing every error with its line."""
    reader = _Reader()
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InvalidFleetFile(path, [FleetError(mark.line + 1 if mark else 1, "file",
                                                 f"not valid YAML: {getattr(exc, 'problem', exc)}")]) from None
    fleet = Fleet()
    if root is None:
        return fleet
    top = reader.mapping(root, "file", {"processes", "schedules", "triggers"})
    process_names: set[str] = set()
    if "processes" in top:
        fleet.processes = _processes(reader, top["processes"], process_names)
    if "schedules" in top:
        fleet.schedules = _schedules(reader, top["schedules"], process_names)
    if "triggers" in top:
        fleet.triggers = _triggers(reader, top["triggers"], process_names)
    if reader.errors:
        raise InvalidFleetFile(path, sorted(reader.errors, key=lambda e: e.line))
    return fleet


def _processes(reader: _Reader, node: yaml.Node, names: set[str]) -> list[ProcessSpec]:
    specs: list[ProcessSpec] = []
    if not isinstance(node, yaml.MappingNode):
        reader.fail(node, "processes", "must be a mapping of process name to its definition")
        return specs
    for key_node, value in node.value:
        name = reader.name(key_node, "processes")
        where = f"processes.{key_node.value}"
        fields = reader.mapping(value, where, {"description", "steps", "lease", "max_retries", "retry_backoff"},
                                {"steps"})
        steps = []
        step_names: set[str] = set()
        for i, step_node in enumerate(reader.sequence(fields["steps"], f"{where}.steps") if "steps" in fields else []):
            sw = f"{where}.steps[{i}]"
            s = reader.mapping(step_node, sw, {"name", "bot", "task", "queue", "labels", "timeout", "lease",
                                               "max_retries", "poll", "escalate", "starts_empty"},
                               {"name", "bot", "task"})
            poll_codes, poll_seconds = _poll(reader, s.get("poll"), f"{sw}.poll")
            step_name, bot, task = reader.name(s.get("name"), f"{sw}.name"), reader.text(s.get("bot"), f"{sw}.bot"), \
                reader.text(s.get("task"), f"{sw}.task")
            if step_name in step_names:
                reader.fail(s["name"], f"{sw}.name", f"step {step_name!r} is declared twice")
            step_names.add(step_name or "")
            labels = [reader.text(n, f"{sw}.labels") for n in reader.sequence(s["labels"], f"{sw}.labels")] \
                if "labels" in s else []
            if bot and not re.match(r"^[a-z][a-z0-9_]*$", bot):
                reader.fail(s["bot"], f"{sw}.bot", f"{bot!r} must be a folder name under bots/")
            steps.append(StepSpec(
                name=step_name or "?", bot=bot or "?", task=task or "?",
                queue=reader.name(s.get("queue"), f"{sw}.queue") if "queue" in s else None,
                labels=tuple(label for label in labels if label),
                timeout_seconds=reader.duration(s.get("timeout"), f"{sw}.timeout", 3600) or 3600,
                lease_seconds=_lease(reader, s.get("lease"), f"{sw}.lease", None),
                max_retries=reader.integer(s.get("max_retries"), f"{sw}.max_retries", None),
                poll_codes=poll_codes, poll_seconds=poll_seconds,
                escalate_codes=_codes(reader, s.get("escalate"), f"{sw}.escalate"),
                starts_empty=reader.boolean(s.get("starts_empty"), f"{sw}.starts_empty", False)))
            if steps[-1].starts_empty and i > 0:
                reader.fail(s["starts_empty"], f"{sw}.starts_empty",
                            "only a process's first step can start empty: later steps read the previous step's outputs")
        if "steps" in fields and not steps:
            reader.fail(fields["steps"], f"{where}.steps", "a process needs at least one step")
        if name in names:
            reader.fail(key_node, "processes", f"process {name!r} is declared twice")
        if name:
            names.add(name)
            specs.append(ProcessSpec(
                name=name, steps=tuple(steps),
                description=reader.text(fields.get("description"), f"{where}.description", "") or "",
                lease_seconds=_lease(reader, fields.get("lease"), f"{where}.lease", 600) or 600,
                max_retries=reader.integer(fields.get("max_retries"), f"{where}.max_retries", 3) or 0,
                retry_base_seconds=reader.duration(fields.get("retry_backoff"), f"{where}.retry_backoff", 30) or 30))
    return specs


def _lease(reader: _Reader, node: yaml.Node | None, where: str, default: int | None) -> int | None:
    """A lease is the time to notice that a bot, its runner or its VM died (a live bot's lease is renewed at
    each of its runner's heartbeats), not the time to do the work (that is the step's `timeout`): shorter
    than a few heartbeats, a live bot would lose its item to one late heartbeat."""
    seconds = reader.duration(node, where, default)
    if node is not None and seconds is not None and seconds < MIN_LEASE_SECONDS:
        reader.fail(node, where, f"a lease of {seconds}s is shorter than {MIN_LEASE_SECONDS}s (three runner "
                                 f"heartbeats at the default {DEFAULT_HEARTBEAT_SECONDS}s): the lease is the time "
                                 "to notice a dead bot, renewed while its runner is alive; the time to do the "
                                 "work is the step's timeout")
    return seconds


def _poll(reader: _Reader, node: yaml.Node | None, where: str) -> tuple[tuple[str, ...], int | None]:
    """`poll: {codes: [STATUS_PENDING], every: 1h}`: failures with these codes wait, spending no retry."""
    if node is None:
        return (), None
    fields = reader.mapping(node, where, {"codes", "every"}, {"codes", "every"})
    return (_codes(reader, fields.get("codes"), f"{where}.codes"),
            reader.duration(fields.get("every"), f"{where}.every", None))


def _codes(reader: _Reader, node: yaml.Node | None, where: str) -> tuple[str, ...]:
    """A list of failure codes, e.g. `[STATUS_PENDING]`."""
    if node is None:
        return ()
    return tuple(c for c in (reader.text(n, where) for n in reader.sequence(node, where)) if c)


def _schedules(reader: _Reader, node: yaml.Node, processes: set[str]) -> list[ScheduleSpec]:
    specs, seen = [], set()
    for i, item in enumerate(reader.sequence(node, "schedules")):
        where = f"schedules[{i}]"
        s = reader.mapping(item, where, {"name", "process", "cron", "timezone", "business_days", "overlap"},
                           {"name", "process", "cron"})
        name = reader.name(s.get("name"), f"{where}.name")
        process = reader.text(s.get("process"), f"{where}.process")
        if process and process not in processes:
            reader.fail(s["process"], f"{where}.process", f"no process named {process!r} is declared")
        timezone = reader.text(s.get("timezone"), f"{where}.timezone", "Europe/Paris") or "Europe/Paris"
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            reader.fail(s["timezone"], f"{where}.timezone", f"unknown time zone {timezone!r}")
            timezone = "Europe/Paris"
        cron = reader.text(s.get("cron"), f"{where}.cron")
        if cron:
            _check_cron(reader, s["cron"], f"{where}.cron", cron, timezone)
        overlap = reader.text(s.get("overlap"), f"{where}.overlap", "skip")
        if overlap not in ("skip", "queue"):
            reader.fail(s["overlap"], f"{where}.overlap", "must be 'skip' or 'queue'")
        if name in seen:
            reader.fail(s["name"], f"{where}.name", f"schedule {name!r} is declared twice")
        seen.add(name)
        if name and process and cron:
            specs.append(ScheduleSpec(name, process, cron, timezone,
                                      reader.boolean(s.get("business_days"), f"{where}.business_days", False),
                                      overlap or "skip"))
    return specs


def _triggers(reader: _Reader, node: yaml.Node, processes: set[str]) -> list[TriggerSpec]:
    specs = []
    for i, item in enumerate(reader.sequence(node, "triggers")):
        where = f"triggers[{i}]"
        t = reader.mapping(item, where, {"process", "min_items", "max_active_runs"}, {"process"})
        process = reader.text(t.get("process"), f"{where}.process")
        if process and process not in processes:
            reader.fail(t["process"], f"{where}.process", f"no process named {process!r} is declared")
        min_items = reader.integer(t.get("min_items"), f"{where}.min_items", 1, minimum=1)
        max_active = reader.integer(t.get("max_active_runs"), f"{where}.max_active_runs", 1, minimum=1)
        if process:
            specs.append(TriggerSpec(process, min_items or 1, max_active or 1))
    return specs


def load(path: Path) -> Fleet:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidFleetFile(str(path), [FleetError(0, "file", f"cannot be read: {exc.strerror}")]) from None
    return parse(text, str(path))
