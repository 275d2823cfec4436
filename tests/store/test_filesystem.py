"""Where the store lives: the mount under a path (from mountinfo), a store on a network share
refused with the way to PostgreSQL, the room left on a real small disk."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from eventdesk.cli import main
from eventdesk.store import filesystem
from eventdesk.store.db import StoreError, make_engine
from eventdesk.store.filesystem import mount_of, room_at


def _mountinfo(tmp_path: Path, share: Path, fstype: str, source: str) -> Path:
    """A mountinfo as Linux writes it, with ``share`` mounted from the network (escaped spaces)."""
    point = str(share).replace(" ", "\\040")
    text = (
        "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
        f"98 22 0:51 / {point} rw,relatime shared:60 - {fstype} {source} rw,vers=4.2\n"
    )
    path = tmp_path / "mountinfo"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_mount_of_a_path_is_the_longest_mount_point_above_it(tmp_path):
    share = tmp_path / "Event share"
    share.mkdir()
    info = _mountinfo(tmp_path, share, "nfs4", "nas:/events")
    found = mount_of(share / "ecc.db", info)
    assert (found.point, found.fstype, found.source, found.network) == (share, "nfs4", "nas:/events", True)
    assert mount_of(tmp_path / "local.db", info).fstype == "ext4"


@pytest.mark.parametrize("fstype", ["nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "fuse.sshfs"])
def test_a_store_on_a_network_share_is_refused_with_the_way_to_postgresql(tmp_path, monkeypatch, fstype):
    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(filesystem, "MOUNTINFO", _mountinfo(tmp_path, share, fstype, "//nas/events"))
    monkeypatch.delenv(filesystem.ALLOW_NETWORK_ENV, raising=False)
    with pytest.raises(
        StoreError, match=rf"is on a network file system \({fstype} //nas/events at {share}\).*PostgreSQL"
    ):
        make_engine(str(share / "ecc.db"))
    assert not (share / "ecc.db").exists()  # nothing created there
    result = CliRunner().invoke(
        main,
        [
            "init",
            "--db",
            str(share / "ecc.db"),
            "--name",
            "X",
            "--tz",
            "Europe/Brussels",
            "--start",
            "2024-05-07",
            "--end",
            "2024-05-08",
        ],
    )
    assert result.exit_code == 1 and "postgresql://" in result.stderr and len(result.stderr.splitlines()) == 1
    make_engine(str(tmp_path / "local.db")).dispose()  # a local disk is fine
    monkeypatch.setenv(filesystem.ALLOW_NETWORK_ENV, "1")  # one desk alone on a network home folder
    make_engine(str(share / "ecc.db")).dispose()


def test_the_room_on_a_small_disk_is_its_free_space_and_its_mount(small_disk):
    room = room_at(small_disk)
    assert room.mount_point == small_disk and 0 < room.free <= 2 * 1024 * 1024
    assert room.full and room.low
