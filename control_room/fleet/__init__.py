"""The fleet: schedules.yaml (schedules_file parses it with line numbers, schedules_sync applies it),
processes and their steps, when schedules fire (fire_times, scheduler), runs and step runs handed to runners
(runs), runner registration tokens, and where a silent runner is declared lost (liveness)."""
