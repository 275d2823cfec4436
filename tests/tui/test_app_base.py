"""The desk, the board, the chair view and the kiosk start through one base: each adds its own
screens and keys, none cancels the shared start-up (the live link, the print workers)."""

from __future__ import annotations

import pytest

from eventdesk.tui.app import EventDeskApp
from eventdesk.tui.app_base import AppBase
from eventdesk.tui.board_app import BoardApp
from eventdesk.tui.chair_app import ChairApp
from eventdesk.tui.kiosk_app import KioskApp

APPS = [EventDeskApp, BoardApp, ChairApp, KioskApp]


@pytest.mark.parametrize("app_class", APPS, ids=lambda c: c.__name__)
def test_every_app_starts_through_the_base(app_class):
    assert issubclass(app_class, AppBase)
    for cls in app_class.__mro__:
        if cls is AppBase:
            break
        assert "on_mount" not in vars(cls), f"{cls.__name__} has an on_mount of its own"
        assert "open_screens" in vars(app_class)


def test_only_the_desk_and_the_kiosk_print_and_only_the_desk_beats():
    assert [a.__name__ for a in APPS if a.PRINTS] == ["EventDeskApp", "KioskApp"]
    assert [a.__name__ for a in APPS if a.HEARTBEAT] == ["EventDeskApp"]
