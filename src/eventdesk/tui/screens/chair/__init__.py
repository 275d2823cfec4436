"""The chair's view of one room (``eventdesk chair --room NAME`` or from the agenda)."""

from eventdesk.tui.screens.chair.screen import ChairScreen

__all__ = ["ChairScreen"]
