"""Pieces shared by the commands: the --db option, opening the store, the clock options,
clean error exits."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from sqlalchemy.exc import SQLAlchemyError

from eventdesk.domain.clock import Clock
from eventdesk.settings import Settings, SettingsError
from eventdesk.store.db import StoreError, database_url, sqlite_path
from eventdesk.store.filesystem import is_disk_full, room_at


class Failure(click.ClickException):
    """An error a person can meet: printed to stderr as one clear line, exit status 1."""

    def show(self, file=None) -> None:  # no "Error:" noise, just the message
        click.echo(f"eventdesk: {self.format_message()}", err=True)


def db_option(func: Callable) -> Callable:
    return click.option(
        "--db",
        "db",
        metavar="PATH|URL",
        default=None,
        help="Database file or URL (default: $EVENTDESK_DB, then the settings file).",
    )(func)


def desk_option(func: Callable) -> Callable:
    return click.option("--desk", default=None, help="Name of this desk (default: 'Desk 1').")(func)


def clock_options(func: Callable) -> Callable:
    func = click.option(
        "--speed",
        type=float,
        default=None,
        help="With --now: how fast the rehearsal clock runs (e.g. 60 = a minute per second).",
    )(func)
    return click.option(
        "--now",
        "now",
        metavar="ISO-DATETIME",
        default=None,
        help="Start the event clock at this moment and let it run (rehearsal). "
        "Without an offset it is read in the event's time zone.",
    )(func)


def settings_from(ctx_obj: dict[str, Any], **overrides: Any) -> Settings:
    try:
        return Settings.load(ctx_obj.get("config"), **overrides)
    except SettingsError as error:
        raise Failure(str(error)) from None


def require_db(settings: Settings) -> str:
    if not settings.db:
        raise Failure('No database given: use --db PATH, set EVENTDESK_DB, or put db = "..." in eventdesk.toml.')
    return settings.db


def make_clock(now: str | None, speed: float | None, zone_name: str | None) -> Clock:
    if now is None:
        if speed not in (None, 1.0):
            raise Failure("--speed needs --now (the moment the rehearsal clock starts).")
        return Clock.system()
    return Clock.rehearsal(parse_moment(now, zone_name), speed if speed is not None else 1.0)


def parse_moment(text: str, zone_name: str | None) -> datetime:
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Failure(
            f"'{text}' is not a date and time; write it like 2024-05-08T10:15 or 2024-05-08T10:15+02:00."
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone_name or "UTC"))
    return moment


def friendly_errors(func: Callable) -> Callable:
    """Turn store and settings errors into one clear line on stderr and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (StoreError, SettingsError) as error:
            raise Failure(str(error)) from None
        except (SQLAlchemyError, OSError) as error:
            db = _db_of(args, kwargs)
            if is_disk_full(error) or (_io_error(error) and _no_room_left(db)):
                raise Failure(disk_full_words(db)) from None
            if isinstance(error, OSError):
                raise
            # not a database file, a server that refuses, a lock held too long
            reason = getattr(error, "orig", None) or error
            raise Failure(
                f"The database could not be used: {reason}. Check --db (a file made by eventdesk, "
                "or a postgresql:// URL of a running server)."
            ) from None

    return wrapper


def _db_of(args: tuple, kwargs: dict) -> str | None:
    """The store a command was given (--db, else the settings), for an error's words."""
    obj = args[0] if args and isinstance(args[0], dict) else {}
    try:
        return Settings.load(obj.get("config"), db=kwargs.get("db")).db
    except SettingsError:
        return kwargs.get("db")


def _io_error(error: BaseException) -> bool:
    return "disk I/O error" in str(getattr(error, "orig", None) or error)


def _no_room_left(db: str | None) -> bool:
    """SQLite says "disk I/O error" when the disk fills while it creates its write-ahead log."""
    path = sqlite_path(database_url(db)) if db else None
    try:
        return path is not None and room_at(path.parent).free < 1_000_000
    except OSError:
        return False


def megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB" if size < 10e6 else f"{size / 1e6:,.0f} MB"


def disk_full_words(db: str | None) -> str:
    """What to say when the disk under the store is full: which disk, how much room is left and
    how much the desk needs (nothing that was answered is lost: each scan commits alone)."""
    path = sqlite_path(database_url(db)) if db else None
    if path is None:
        return (
            "The disk is full (the database server's or this computer's): free some room, then run the "
            "command again. Every answer already given was recorded."
        )
    room = room_at(path.parent)
    where = f"{path.parent}" + (
        f" (on {room.mount_point})" if room.mount_point and room.mount_point != path.parent else ""
    )
    return (
        f"The disk is full: {where} has {megabytes(room.free)} free, and the desk needs at least "
        f"{megabytes(room.needed)} there for scans, badges and backups. Every answer already given was "
        "recorded. Free some room there (old backups, badge previews) or move the store to a disk with room, "
        "then run the command again."
    )


def say(message: Any = "", **kwargs: Any) -> None:
    """``click.echo`` for human-readable lines that may hold outside text (names, titles, codes):
    control characters (escape sequences) never reach the terminal; line breaks stay."""
    from eventdesk.domain.text import printable

    text = "\n".join(printable(line) for line in str(message).split("\n"))
    click.echo(text, **kwargs)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def stderr_is_tty() -> bool:
    return sys.stderr.isatty()
