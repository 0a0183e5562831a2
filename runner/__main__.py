"""`python -m runner` — the same as `arfleet runner`, without the control room installed."""
from runner.cli import runner

if __name__ == "__main__":
    runner()
