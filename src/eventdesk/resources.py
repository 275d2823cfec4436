"""Where the stylesheets and fixtures are: inside the installed package (wheel), or at the top
of a source checkout (editable install)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"eventdesk's '{name}' folder is missing from this installation")


def stylesheet(name: str) -> Path:
    return resource_dir("styles") / name
