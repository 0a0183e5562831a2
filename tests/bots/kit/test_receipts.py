"""What a bot keeps on its work items: JSON receipts, safe file names, and the evidence of a failed
block attached before the item is released."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from bots.kit import FailureEvidence, failures_attached, safe_file_name, write_receipt


class Item:
    def __init__(self) -> None:
        self.files: list[Path] = []
        self.saves = 0

    def add_file(self, path: Path) -> None:
        self.files.append(path)

    def save(self) -> None:
        self.saves += 1


def test_a_receipt_is_kept_as_json(tmp_path):
    kept = write_receipt(tmp_path / "a" / "r.json", {"numeroFluxDepot": "CPP1", "montant": "12,50 €"})
    assert json.loads(kept.read_text(encoding="utf-8")) == {"numeroFluxDepot": "CPP1", "montant": "12,50 €"}


def test_a_reference_becomes_a_file_name():
    assert safe_file_name("FA/2026 00042.v2") == "FA_2026_00042.v2"


def test_only_the_failures_of_the_failed_block_are_attached(tmp_path):
    earlier = FailureEvidence("earlier", tmp_path / "earlier.png", None)
    failures, item = [earlier], Item()
    with pytest.raises(RuntimeError), failures_attached(item, lambda: failures):
        failures.append(FailureEvidence("now", tmp_path / "now.png", tmp_path / "now-trace.zip"))
        raise RuntimeError("the portal fell over")
    assert item.files == [tmp_path / "now.png", tmp_path / "now-trace.zip"] and item.saves == 1


def test_nothing_is_attached_when_the_block_succeeds():
    item = Item()
    with failures_attached(item, list):
        pass
    assert item.files == [] and item.saves == 0
