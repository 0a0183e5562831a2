"""schedules.yaml validation: every error with its line and a readable reason."""
from pathlib import Path

import pytest

from control_room.fleet.schedules_file import InvalidFleetFile, parse

REPO = Path(__file__).parents[2]

GOOD = """
processes:
  invoice_distribution:
    lease: 10m
    max_retries: 4
    steps:
      - name: collect
        bot: portal_upload
        task: collect
        labels: [browser]
        timeout: 30m
      - name: deliver
        bot: portal_upload
        task: deliver
        lease: 20m
schedules:
  - name: collect-invoices
    process: invoice_distribution
    cron: "*/15 8-18 * * 1-5"
    business_days: true
    overlap: skip
triggers:
  - process: invoice_distribution
    min_items: 5
    max_active_runs: 2
"""


def test_a_valid_file_gives_processes_schedules_and_triggers():
    fleet = parse(GOOD)
    [process] = fleet.processes
    assert process.lease_seconds == 600 and process.max_retries == 4
    assert [(s.name, s.labels, s.timeout_seconds, s.lease_seconds) for s in process.steps] == [
        ("collect", ("browser",), 1800, None), ("deliver", (), 3600, 1200)]
    assert fleet.schedules[0].timezone == "Europe/Paris" and fleet.schedules[0].business_days_only
    assert (fleet.triggers[0].min_items, fleet.triggers[0].max_active_runs) == (5, 2)


def test_errors_name_the_line_and_the_reason():
    bad = GOOD.replace('cron: "*/15 8-18 * * 1-5"', 'cron: "every quarter hour"') \
              .replace("overlap: skip", "overlap: sometimes").replace("timeout: 30m", "timeout: soon") \
              .replace("    process: invoice_distribution\n    cron", "    process: invoices\n    cron")
    with pytest.raises(InvalidFleetFile) as refused:
        parse(bad)
    messages = {(e.line, e.where): e.message for e in refused.value.errors}
    assert messages[(11, "processes.invoice_distribution.steps[0].timeout")].startswith("must be a duration")
    assert "no process named 'invoices'" in messages[(18, "schedules[0].process")]
    assert "not a valid cron expression" in messages[(19, "schedules[0].cron")]
    assert messages[(21, "schedules[0].overlap")] == "must be 'skip' or 'queue'"


def test_yaml_syntax_error_and_unknown_keys():
    with pytest.raises(InvalidFleetFile, match="line 3: file: not valid YAML"):
        parse("processes:\n  a: [\n  b: ]]\n")
    with pytest.raises(InvalidFleetFile, match="unknown key 'cronn'"):
        parse("schedules:\n  - name: x\n    process: y\n    cronn: '* * * * *'\n")


def test_arfleet_schedules_check_reports_errors_and_exit_code(tmp_path):
    path = tmp_path / "schedules.yaml"
    from click.testing import CliRunner

    from control_room.cli import main

    def check():
        return CliRunner().invoke(main, ["schedules", "check", str(path)], env={"ARFLEET_HOME": str(tmp_path)},
                                  catch_exceptions=False)

    path.write_text(GOOD.replace("max_retries: 4", "max_retries: many"))
    result = check()
    assert result.exit_code == 1
    assert f"{path}:line 5: processes.invoice_distribution.max_retries: must be a whole number" in result.stderr
    path.write_text(GOOD)
    ok = check()
    assert ok.exit_code == 0 and ok.stdout == f"{path} is valid: 1 processes, 1 schedules, 1 queue triggers\n"


def test_the_shipped_schedules_file_is_valid():
    parse((REPO / "schedules.yaml").read_text())


def test_a_lease_shorter_than_three_heartbeats_is_refused_with_what_a_lease_is():
    with pytest.raises(InvalidFleetFile) as refused:
        parse(GOOD.replace("        lease: 20m\n", "        lease: 10s\n"))
    [error] = refused.value.errors
    assert error.where == "processes.invoice_distribution.steps[1].lease"
    assert "shorter than 30s" in error.message and "the time to notice a dead bot" in error.message
    assert "the time to do the work is the step's timeout" in error.message
    assert parse(GOOD.replace("        lease: 20m\n", "        lease: 30s\n")).processes[0].steps[1].lease_seconds == 30


def test_only_a_first_step_can_start_empty():
    fleet = parse(GOOD.replace("        timeout: 30m\n", "        timeout: 30m\n        starts_empty: true\n"))
    assert [s.starts_empty for s in fleet.processes[0].steps] == [True, False]
    with pytest.raises(InvalidFleetFile) as refused:
        parse(GOOD.replace("        lease: 20m\n", "        lease: 20m\n        starts_empty: true\n"))
    [error] = refused.value.errors
    assert (error.line, error.where) == (16, "processes.invoice_distribution.steps[1].starts_empty")
    assert "only a process's first step can start empty" in error.message


def test_a_step_names_the_failure_codes_it_escalates_at_once():
    fleet = parse(GOOD.replace("        lease: 20m\n",
                               "        lease: 20m\n"
                               "        escalate: [SCREEN_CHANGED, LAYOUT_UNKNOWN]\n"))
    assert [s.escalate_codes for s in fleet.processes[0].steps] == [(), ("SCREEN_CHANGED", "LAYOUT_UNKNOWN")]
    with pytest.raises(InvalidFleetFile, match="escalate"):
        parse(GOOD.replace("        lease: 20m\n", "        lease: 20m\n        escalate: SCREEN_CHANGED\n"))
