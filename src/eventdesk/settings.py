"""One typed settings object, read from a TOML file, then ``EVENTDESK_*`` environment variables,
then command-line options (later wins).

The TOML file is ``--config PATH``, else ``$EVENTDESK_CONFIG``, else ``./eventdesk.toml`` if
present. Example::

    db = "ecc2024.db"
    desk = "Desk 1"
    day_boundary = "04:00"   # presence on the lists ends at this local time each night

    [search]
    min_chars = 3

    [printers]
    default = "badge-1"
    badge-1 = "tcp://10.0.0.7:9100"
    badge-2 = "usb://04b8:0e15"

    [badge]
    paper_mm = 80
    dpi = 203
    font = "/path/to/font.ttf"   # optional; Noto Sans ships with eventdesk

    [meetings]
    no_show_minutes = 5

    [checkin]
    exit_fallback_minutes = 3   # a desk left in exit mode is back to entry after this idle time

    [backup]
    dir = "backups"        # default: <database name>-backups beside the database
    every_minutes = 10     # the open app copies the store this often (0: never)
    keep = 12              # and keeps the newest this many
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from eventdesk.domain.clock import parse_day_boundary


class SettingsError(Exception):
    pass


@dataclass(frozen=True)
class BadgeSettings:
    paper_mm: int = 80
    dpi: int = 203
    font: str | None = None
    profile: str = "TM-T20II"  # 80 mm paper, 203 dpi, 576 dots: the common thermal printer


@dataclass(frozen=True)
class Settings:
    db: str | None = None
    desk: str = "Desk 1"
    search_min_chars: int = 3
    search_limit: int = 20
    printers: dict[str, str] = field(default_factory=dict)  # name -> URL
    default_printer: str | None = None
    printer_timeout_s: float = 3.0
    badge: BadgeSettings = field(default_factory=BadgeSettings)
    no_show_minutes: int = 5
    undo_minutes: int = 15
    # A desk left in exit mode goes back to entry after this many minutes without a scan.
    exit_fallback_minutes: float = 3.0
    # Presence on a list ends at this local time each night (the event's zone): the first scan of
    # a later day is a "welcome back", not "already checked in".
    day_boundary: str = "04:00"
    # Backups the open app takes during the event ([backup] dir, every_minutes (0: none), keep).
    backup_dir: str | None = None  # default: a folder beside the database, <name>-backups
    backup_every_minutes: int = 10
    backup_keep: int = 12
    config_path: str | None = None
    # Self check-in kiosk: the PIN that leaves it (the kiosk refuses to start without one);
    # ``kiosk = true`` makes ``eventdesk run`` open the kiosk; ``kiosk_list`` the list it checks in on.
    kiosk_pin: str | None = None
    kiosk: bool = False
    kiosk_list: str | None = None
    # The last names this desk serves ("A–F", from ``eventdesk desks split``), shown on the check-in screen.
    desk_range: str | None = None
    data_dir: str | None = None  # where a desk keeps its offline file (default: the user's data folder)

    def printer_url(self, name_or_url: str | None = None) -> str | None:
        """A configured printer's URL by name, a URL as given, or the default printer."""
        key = name_or_url or self.default_printer
        if key is None:
            return None
        return self.printers.get(key, key)

    @classmethod
    def load(
        cls, config: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None, **overrides: Any
    ) -> Settings:
        env = os.environ if env is None else env
        path = config or env.get("EVENTDESK_CONFIG")
        if path is None and Path("eventdesk.toml").is_file():
            path = "eventdesk.toml"
        settings = cls()
        if path is not None:
            settings = _from_toml(settings, Path(path))
        settings = _from_env(settings, env)
        clean = {k: v for k, v in overrides.items() if v is not None}
        settings = replace(settings, **clean)
        try:
            parse_day_boundary(str(settings.day_boundary))
        except ValueError as error:
            raise SettingsError(str(error)) from None
        return settings


def _from_toml(settings: Settings, path: Path) -> Settings:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SettingsError(f"Settings file {path} does not exist.") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"Settings file {path} is not valid TOML: {error}") from None
    values: dict[str, Any] = {"config_path": str(path)}
    for key in (
        "db",
        "desk",
        "no_show_minutes",
        "undo_minutes",
        "printer_timeout_s",
        "day_boundary",
        "kiosk_pin",
        "kiosk",
        "kiosk_list",
        "desk_range",
        "data_dir",
    ):
        if key in data:
            values[key] = data[key]
    if values.get("kiosk_pin") is not None:
        values["kiosk_pin"] = str(values["kiosk_pin"])  # kiosk_pin = 4711 as well as "4711"
    search = data.get("search", {})
    if "min_chars" in search:
        values["search_min_chars"] = int(search["min_chars"])
    if "limit" in search:
        values["search_limit"] = int(search["limit"])
    printers = dict(data.get("printers", {}))
    if printers:
        values["default_printer"] = printers.pop("default", None) or next(iter(printers), None)
        values["printers"] = {str(k): str(v) for k, v in printers.items()}
    checkin = data.get("checkin", {})
    if "exit_fallback_minutes" in checkin:
        minutes = float(checkin["exit_fallback_minutes"])
        if minutes <= 0:
            raise SettingsError(f"[checkin] exit_fallback_minutes in {path} must be above 0 minutes.")
        values["exit_fallback_minutes"] = minutes
    if "no_show_minutes" in data.get("meetings", {}):
        values["no_show_minutes"] = int(data["meetings"]["no_show_minutes"])
    backup = data.get("backup", {})
    unknown = set(backup) - {"dir", "every_minutes", "keep"}
    if unknown:
        raise SettingsError(f"Unknown [backup] keys in {path}: {', '.join(sorted(unknown))}")
    if "dir" in backup:
        values["backup_dir"] = str(backup["dir"])
    for key in ("every_minutes", "keep"):
        if key in backup:
            try:
                values[f"backup_{key}"] = max(0, int(backup[key]))
            except (TypeError, ValueError):
                raise SettingsError(f"[backup] {key} in {path} must be a whole number.") from None
    badge = data.get("badge", {})
    if badge:
        known = {f.name for f in fields(BadgeSettings)}
        unknown = set(badge) - known
        if unknown:
            raise SettingsError(f"Unknown [badge] keys in {path}: {', '.join(sorted(unknown))}")
        values["badge"] = replace(settings.badge, **badge)
    return replace(settings, **values)


def _from_env(settings: Settings, env: Mapping[str, str]) -> Settings:
    values: dict[str, Any] = {}
    if env.get("EVENTDESK_DB"):
        values["db"] = env["EVENTDESK_DB"]
    if env.get("EVENTDESK_DESK"):
        values["desk"] = env["EVENTDESK_DESK"]
    if env.get("EVENTDESK_DATA_DIR"):
        values["data_dir"] = env["EVENTDESK_DATA_DIR"]
    if env.get("EVENTDESK_PRINTER"):
        values["default_printer"] = env["EVENTDESK_PRINTER"]
    if env.get("EVENTDESK_DAY_BOUNDARY"):
        values["day_boundary"] = env["EVENTDESK_DAY_BOUNDARY"]
    if env.get("EVENTDESK_DESK_RANGE"):
        values["desk_range"] = env["EVENTDESK_DESK_RANGE"]
    if env.get("EVENTDESK_KIOSK_PIN"):
        values["kiosk_pin"] = env["EVENTDESK_KIOSK_PIN"]
    if env.get("EVENTDESK_SEARCH_MIN_CHARS"):
        values["search_min_chars"] = int(env["EVENTDESK_SEARCH_MIN_CHARS"])
    return replace(settings, **values)
