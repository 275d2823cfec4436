"""No eventdesk class that subclasses a library class (threading.Thread, Textual's App, Screen,
widgets, ...) gives a private name of its parent a meaning of its own: on Python 3.13 the scan
loop's ``self._handle`` replaced the Thread's own handle and the desk died at its start."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import threading
from functools import cache

import eventdesk

# What threading.Thread uses on the Pythons the README promises (3.11 to 3.13), so that the
# suite on the oldest also catches a name that only a newer Thread uses.
THREAD_NAMES = frozenset(
    {
        "_after_fork",
        "_args",
        "_bootstrap",
        "_bootstrap_inner",
        "_daemonic",
        "_delete",
        "_handle",
        "_ident",
        "_initialized",
        "_invoke_excepthook",
        "_is_stopped",
        "_kwargs",
        "_name",
        "_native_id",
        "_reset_internal_locks",
        "_set_ident",
        "_set_native_id",
        "_set_tstate_lock",
        "_started",
        "_stderr",
        "_stop",
        "_target",
        "_tstate_lock",
        "_wait_for_tstate_lock",
    }
)
# Overrides that tui/textual_compat.py installs on purpose (tests/tui/test_textual_compat.py
# checks each against the installed Textual).
COMPAT_MODULE = "eventdesk.tui.textual_compat"
ASSIGNED = re.compile(r"\bself\.(_[A-Za-z][A-Za-z0-9_]*)\s*(?::[^=\n]+)?=(?!=)")


def private(name: str) -> bool:
    """``_name``: not ``__dunder__`` nor ``_sunder_`` (the names Enum gives every enum)."""
    return name.startswith("_") and not name.startswith("__") and not name.endswith("_")


def eventdesk_classes() -> list[type]:
    found = {}
    for module_info in pkgutil.walk_packages(eventdesk.__path__, "eventdesk."):
        if module_info.name.endswith("__main__"):
            continue  # runs the command line
        module = importlib.import_module(module_info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return list(found.values())


@cache
def assigned_names(cls: type) -> set[str]:
    try:
        return set(ASSIGNED.findall(inspect.getsource(cls)))
    except (OSError, TypeError):  # a class made at run time, or from C
        return set()


@cache
def library_names(base: type) -> set[str]:
    names = {n for n in dir(base) if private(n)} | assigned_names(base)
    for parent in base.__mro__[1:]:
        names |= assigned_names(parent)
    if issubclass(base, threading.Thread):
        names |= THREAD_NAMES
    return {n for n in names if private(n)}


def own_names(cls: type, library: type) -> set[str]:
    """The private names ``cls`` defines or assigns itself, but for those that ``library`` puts on
    every subclass (Textual's bookkeeping of handlers and bindings) or textual_compat installs."""
    try:
        made_by_library = set(vars(type("Probe", (library,), {"__module__": __name__})))
    except (TypeError, AttributeError):  # a library class that takes no plain subclass (Enum)
        made_by_library = set()
    names = assigned_names(cls)
    for name, value in vars(cls).items():
        if name not in made_by_library and getattr(value, "__module__", None) != COMPAT_MODULE:
            names.add(name)
    return {n for n in names if private(n)}


def clashes(cls: type) -> set[str]:
    ours = [c for c in cls.__mro__ if c.__module__.split(".")[0] == "eventdesk"]
    libraries = [c for c in cls.__mro__ if c not in ours and c is not object]
    if not libraries:
        return set()
    theirs = set().union(*(library_names(c) for c in libraries))
    return own_names(cls, libraries[0]) & theirs


def test_no_eventdesk_class_reuses_a_private_name_of_its_library_parent():
    found = {
        f"{cls.__module__}.{cls.__qualname__}": sorted(names) for cls in eventdesk_classes() if (names := clashes(cls))
    }
    assert found == {}


def test_the_check_sees_the_python_3_13_thread_handle():
    class Loop(threading.Thread):
        def __init__(self, handle) -> None:
            super().__init__(daemon=True)
            self._handle = handle

    assert clashes(Loop) == {"_handle"}
