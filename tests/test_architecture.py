"""The core of eventdesk is importable without Textual (a script or a second desk process can use
the services without a terminal UI), and the domain without any I/O library at all.

The layers as a contract (STYLE.md, "The house"): each part imports only the parts below it. Read
from every module's source (its ``import`` statements, lazy imports inside functions and
``TYPE_CHECKING`` blocks included, and ``import_module("eventdesk....")`` strings), so a new
upward import fails in the README's test command, whichever code path runs:

    domain  <-  store  <-  services  <-  tui, web, cli
    printing and importers below services (a printing module that needs a use case is given it);
    tui and web never touch the store; services build no SQL."""

from __future__ import annotations

import ast
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
    modules = [
        *_modules("domain"),
        *_modules("store"),
        *_modules("services"),
        *_modules("importers"),
        "eventdesk.settings",
    ]
    assert len(modules) > 10
    result = _import_with_blocked(modules, {"textual"})
    assert result.returncode == 0, result.stderr


def test_domain_imports_neither_textual_nor_escpos_nor_sql():
    result = _import_with_blocked(_modules("domain"), {"textual", "escpos", "sqlalchemy", "sqlmodel", "PIL"})
    assert result.returncode == 0, result.stderr


# -- the layers -----------------------------------------------------------------------------------
# The package root (its version), configuration, logging, packaged files: usable everywhere above domain.
BASE = {"__init__", "settings", "logs", "resources"}
# What each part of eventdesk may import from eventdesk (itself included).
ALLOWED: dict[str, set[str]] = {
    "domain": {"domain"},
    "store": {"domain", "store"},
    "importers": {"domain", "importers"},
    "printing": {"domain", "store", "printing"} | BASE,
    "services": {"domain", "store", "printing", "importers", "services"} | BASE,
    "tui": {"domain", "printing", "services", "tui"} | BASE,
    "web": {"domain", "services", "web"} | BASE,
    "cli": {"domain", "store", "printing", "importers", "services", "tui", "web", "cli"} | BASE,
    "settings": {"domain", "settings"},
    "logs": {"logs"},
    "resources": {"resources"},
    "__main__": {"cli"},
    "__init__": set(),
}

# Query builders and raw SQL: the store's business, never a service's.
SQL_NAMES = {
    "select",
    "insert",
    "update",
    "delete",
    "text",
    "func",
    "inspect",
    "and_",
    "or_",
    "case",
    "literal",
    "column",
    "table",
    "exists",
    "bindparam",
    "upsert",
}


def _all_modules() -> dict[str, Path]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if "migrations" in parts:  # alembic revisions: the store's own scripts
            continue
        modules[".".join(("eventdesk",) + parts).removesuffix(".__init__")] = path
    return modules


def _part(module: str) -> str:
    """The layer a module belongs to: eventdesk.services.offline.desk -> services."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imported(module: str, path: Path) -> set[str]:
    """Every eventdesk module ``module`` imports, wherever in the file the import stands."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}  # "from eventdesk import store"
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return {name for name in found if name.split(".")[0] == "eventdesk" and name != "eventdesk"}


def _parts_known(names: set[str], modules: dict[str, Path]) -> set[str]:
    # "from eventdesk.store import print_jobs" names a module; "from eventdesk.store.db import ping" a
    # name in one, which belongs to that module's part ("from eventdesk import __version__": the root).
    return {
        _part(name if name in modules else name.rpartition(".")[0])
        for name in names
        if name in modules or name.rpartition(".")[0] in modules
    }


def test_every_part_imports_only_the_parts_below_it():
    modules = _all_modules()
    assert {"eventdesk.tui.app", "eventdesk.services.printing", "eventdesk.store.db"} <= set(modules)
    unknown = {_part(m) for m in modules} - set(ALLOWED)
    assert not unknown, f"new parts of eventdesk need a place in ALLOWED: {sorted(unknown)}"
    wrong = []
    for module, path in modules.items():
        part = _part(module)
        for other in sorted(_parts_known(_imported(module, path), modules) - ALLOWED[part]):
            wrong.append(f"{module} imports eventdesk.{other} ({part} may import {sorted(ALLOWED[part])})")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_lazy_relative_and_string_imports(tmp_path):
    source = tmp_path / "sample.py"
    source.write_text(
        "def f():\n    from ..store import db\n    import_module('eventdesk.tui.app')\n"
        "from eventdesk import services\n",
        encoding="utf-8",
    )
    found = _imported("eventdesk.printing.sample", source)
    assert {"eventdesk.store.db", "eventdesk.tui.app", "eventdesk.services"} <= found


def test_tui_and_web_never_import_the_store():
    modules = _all_modules()
    wrong = [
        f"{m} imports {sorted(n for n in _imported(m, p) if _part(n) == 'store')}"
        for m, p in modules.items()
        if _part(m) in ("tui", "web") and "store" in _parts_known(_imported(m, p), modules)
    ]
    assert not wrong, "\n".join(wrong)


def test_services_build_no_sql():
    """Services join domain, store and devices; the SQL (query builders, text, driver SQL) is in store/."""
    wrong = []
    for module, path in _all_modules().items():
        if _part(module) != "services":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ("sqlalchemy", "sqlmodel"):
                names = {alias.name for alias in node.names} & SQL_NAMES
                if names or (node.module or "").startswith(("sqlalchemy.sql", "sqlalchemy.dialects")):
                    wrong.append(f"{module}:{node.lineno} imports {sorted(names) or node.module} from {node.module}")
            elif isinstance(node, ast.Import) and any(
                a.name.startswith(("sqlalchemy.sql", "sqlalchemy.dialects")) for a in node.names
            ):
                wrong.append(f"{module}:{node.lineno} imports {[a.name for a in node.names]}")
            elif isinstance(node, ast.Attribute) and node.attr in ("exec_driver_sql", "execute", "executemany"):
                wrong.append(f"{module}:{node.lineno} runs SQL with .{node.attr}")
    assert not wrong, "\n".join(wrong)
