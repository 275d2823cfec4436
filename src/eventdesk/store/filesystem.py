"""Where a SQLite store lives: the file system under it (read from /proc/self/mountinfo) and the
room left there. A full disk and a network share each need their own advice, not "check --db"."""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

MOUNTINFO = Path("/proc/self/mountinfo")
# SQLite's locks and its write-ahead log (shared memory beside the file) need every process on one
# host: on these file systems two desks on two laptops corrupt or lock the store.
NETWORK_TYPES = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "9p",
        "fuse.sshfs",
        "afs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "davfs",
        "fuse.davfs2",
    }
)
# What a desk needs free beside its store: a day of scans, badge previews and a backup copy.
ROOM_NEEDED = 200 * 1000 * 1000
ROOM_LOW = 1000 * 1000 * 1000  # below this, warn before the day runs out of room
SQLITE_FULL = 13


@dataclass(frozen=True)
class Mount:
    point: Path
    fstype: str
    source: str

    @property
    def network(self) -> bool:
        return self.fstype in NETWORK_TYPES


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash in paths as octal escapes (``\\040``)."""
    out, index = [], 0
    while index < len(field):
        if field[index] == "\\" and field[index + 1 : index + 4].isdigit():
            out.append(chr(int(field[index + 1 : index + 4], 8)))
            index += 4
        else:
            out.append(field[index])
            index += 1
    return "".join(out)


def mounts(mountinfo: Path | None = None) -> list[Mount]:
    """The mounts this process sees ([] where there is no mountinfo: not Linux)."""
    mountinfo = mountinfo or MOUNTINFO
    try:
        lines = mountinfo.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    found = []
    for line in lines:
        before, sep, after = line.partition(" - ")
        fields, tail = before.split(), after.split()
        if not sep or len(fields) < 5 or len(tail) < 2:
            continue
        found.append(Mount(Path(_unescape(fields[4])), tail[0], _unescape(tail[1])))
    return found


def mount_of(path: Path, mountinfo: Path | None = None) -> Mount | None:
    """The mount holding ``path`` (a file, or the folder it would be created in): the longest
    mount point above it; the last mounted wins where two share a point."""
    target = Path(os.path.realpath(path))
    best: Mount | None = None
    for mount in mounts(mountinfo):
        above = target == mount.point or mount.point in target.parents
        if above and (best is None or len(mount.point.parts) >= len(best.point.parts)):
            best = mount
    return best


# One desk alone on a network home folder may say so: nobody else writes there.
ALLOW_NETWORK_ENV = "EVENTDESK_SQLITE_ON_NETWORK"


def network_mount(path: Path) -> Mount | None:
    """The network file system holding the SQLite file ``path`` (None: a local disk, or allowed by
    $EVENTDESK_SQLITE_ON_NETWORK=1)."""
    if os.environ.get(ALLOW_NETWORK_ENV) == "1":
        return None
    mount = mount_of(path if path.exists() else path.parent)
    return mount if mount is not None and mount.network else None


def network_refusal(path: Path, mount: Mount) -> str:
    return (
        f"{path} is on a network file system ({mount.fstype} {mount.source} at {mount.point}): SQLite there "
        "breaks when desks on several computers share the file (its write-ahead log needs every desk on one "
        "host). For several desks use PostgreSQL (--db postgresql://USER@HOST/DATABASE; README 'Several "
        f"desks'); for one desk keep the file on a local disk (or set {ALLOW_NETWORK_ENV}=1 if this computer "
        "is the only one using it)."
    )


@dataclass(frozen=True)
class Room:
    """Free space where the store is (bytes)."""

    folder: Path
    mount_point: Path | None
    free: int
    needed: int = ROOM_NEEDED

    @property
    def full(self) -> bool:
        return self.free < self.needed

    @property
    def low(self) -> bool:
        return self.free < ROOM_LOW


def room_at(folder: Path, mountinfo: Path | None = None) -> Room:
    usage = os.statvfs(folder)
    mount = mount_of(folder, mountinfo)
    return Room(folder, mount.point if mount else None, usage.f_bavail * usage.f_frsize)


def is_disk_full(error: BaseException | None) -> bool:
    """Whether ``error`` (or what it wraps) says the disk is full: SQLite's SQLITE_FULL, or ENOSPC."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, sqlite3.Error) and getattr(error, "sqlite_errorcode", None) == SQLITE_FULL:
            return True
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if "database or disk is full" in str(error):
            return True
        error = getattr(error, "orig", None) or error.__cause__ or error.__context__
        seen += 1
    return False
