"""The core of eventdesk is importable without Textual (a script or a second desk process can use
the services without a terminal UI), and the domain without any I/O library at all."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import eventdesk

PACKAGE = Path(eventdesk.__file__).parent

BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def __init__(self, names): self.names = names
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ImportError(name + " must not be imported here")
sys.meta_path.insert(0, Block(BLOCKED))
import importlib
for module in MODULES:
    importlib.import_module(module)
print("ok")
"""


def _modules(subpackage: str) -> list[str]:
    folder = PACKAGE / subpackage
    return [f"eventdesk.{subpackage}.{m.name}" for m in pkgutil.iter_modules([str(folder)])]


def _import_with_blocked(modules: list[str], blocked: set[str]) -> subprocess.CompletedProcess:
    code = f"BLOCKED = {blocked!r}\nMODULES = {modules!r}\n" + BLOCKER
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)


def test_core_modules_import_without_textual():
    modules = [*_modules("domain"), *_modules("store"), *_modules("services"), *_modules("importers"),
               "eventdesk.settings"]
    assert len(modules) > 10
    result = _import_with_blocked(modules, {"textual"})
    assert result.returncode == 0, result.stderr


def test_domain_imports_neither_textual_nor_escpos_nor_sql():
    result = _import_with_blocked(_modules("domain"), {"textual", "escpos", "sqlalchemy", "sqlmodel", "PIL"})
    assert result.returncode == 0, result.stderr
