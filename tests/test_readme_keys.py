"""The README's table of screens names the Ctrl keys each screen really binds."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

from textual.binding import Binding

import eventdesk.tui

README = Path(__file__).resolve().parents[1] / "README.md"


def _bindings() -> list[Binding]:
    found = []
    for module_info in pkgutil.walk_packages(eventdesk.tui.__path__, "eventdesk.tui."):
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if isinstance(value, type):
                found.extend(b for b in getattr(value, "BINDINGS", []) if isinstance(b, Binding))
    return found


def test_every_ctrl_key_in_the_screens_table_is_bound_on_that_screen():
    bindings = _bindings()
    checked = 0
    for row in re.findall(r"^\| (F\d+) \| \*\*([^*]+)\*\* \|[^|]*\|(.*)\|$", README.read_text(encoding="utf-8"), re.M):
        prefix = row[1].lower().replace("-", "") + "."
        keys = {key for b in bindings if (b.id or "").startswith(prefix) for key in b.key.split(",")}
        if not keys:
            continue
        for letter in re.findall(r"Ctrl\+([A-Z])\b", row[2]):
            assert f"ctrl+{letter.lower()}" in keys, (
                f"README: {row[1]} says Ctrl+{letter}, the screen binds {sorted(keys)}"
            )
            checked += 1
    assert checked >= 2
