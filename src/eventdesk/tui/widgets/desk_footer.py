"""The footer of the main screens: Textual's Footer, rebuilt only when the keys it shows change.

Textual's Footer removes and mounts all its keys again whenever its screen says its bindings
were updated, which a screen says at every change of focus, whether or not a key came or went.
Each rebuild styles ~16 new widgets (~35 ms of CPU here); a desk's start said it four times,
three of them while the first scan's keys waited behind them."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> list:
    """What the footer draws from ``screen.active_bindings``: each binding, whether it is
    enabled and its tooltip."""
    return [(active.binding, active.enabled, active.tooltip) for active in screen.active_bindings.values()]


class DeskFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._composed_for: list | None = None  # the keys of the last rebuild asked for

    def bindings_changed(self, screen: Screen) -> None:
        shown = shown_keys(screen)
        if shown == self._composed_for:
            return
        super().bindings_changed(screen)
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._composed_for = shown  # Footer.bindings_changed asked for a rebuild
