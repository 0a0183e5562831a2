"""The kit's public surface: every module says why it exists and what it offers (``__all__``), and
the package offers the names bots import from it."""
from __future__ import annotations

import importlib
import pkgutil

import pytest

import bots.kit

MODULES = sorted(info.name for info in pkgutil.iter_modules(bots.kit.__path__))


def test_the_kit_has_the_modules_every_bot_needs():
    assert {"browser", "receipts", "retry", "screens", "settings", "sign_in", "web_errors"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_each_module_has_a_docstring_and_declares_what_it_offers(name):
    module = importlib.import_module(f"bots.kit.{name}")
    assert module.__doc__ and module.__doc__.strip()
    assert module.__all__, f"bots.kit.{name} declares no __all__"
    for public in module.__all__:
        assert hasattr(module, public), f"bots.kit.{name}.__all__ names {public!r}, which it does not define"


def test_the_package_re_exports_every_modules_surface_but_the_browsers_asset_cache():
    offered = {public: name for name in MODULES if name != "asset_cache"
               for public in importlib.import_module(f"bots.kit.{name}").__all__}
    assert sorted(bots.kit.__all__) == sorted(offered)
    for public, name in offered.items():
        assert getattr(bots.kit, public) is getattr(importlib.import_module(f"bots.kit.{name}"), public)
