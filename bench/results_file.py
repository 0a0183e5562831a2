"""Writing bench/results/<bench>.json in the format of DESIGN.md §10, and printing the same figures."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

RESULTS = Path(__file__).parent / "results"


def machine() -> str:
    cores = os.cpu_count() or 0
    mem_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return f"{cores} cores, {mem_gib} GiB"


def write(bench: str, results: list[dict]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    doc = {"bench": bench, "when": datetime.now(ZoneInfo("Europe/Paris")).isoformat(timespec="seconds"),
           "machine": machine(), "results": results}
    path = RESULTS / f"{bench}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    for r in results:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        print(f"{r['metric']:>16} = {r['value']:>10} {r['unit']:<8} goal {r['goal']:<8} ({params})")
    print(f"written to {path}")
    return path
