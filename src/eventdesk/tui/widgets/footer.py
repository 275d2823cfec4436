"""The footer of the main screens: Textual's Footer, built with the screen and rebuilt only when
the keys it shows change.

Textual's Footer starts empty and fills itself once its screen says its bindings were updated,
then removes and mounts all its keys again at every such word, which a screen says at every
change of focus, whether or not a key came or went. Each rebuild styles a dozen new widgets, and
a desk's start would do it several times while the first scan's keys wait."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer

from eventdesk.tui.textual_compat import mark_footer_bindings_ready


def shown_keys(screen: Screen) -> list:
    """What the footer draws from ``screen.active_bindings``: the bindings it shows (and the
    command palette's), each with whether it is enabled and its tooltip."""
    palette = screen.app.COMMAND_PALETTE_BINDING
    return [
        (active.binding, active.enabled, active.tooltip)
        for key, active in screen.active_bindings.items()
        if active.binding.show or key == palette
    ]


class MainFooter(Footer):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._composed_for: list | None = None  # the keys the footer was last built with

    def compose(self) -> ComposeResult:
        mark_footer_bindings_ready(self)  # the screen's bindings are known already
        self._composed_for = shown_keys(self.screen)
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        if shown_keys(screen) != self._composed_for:
            super().bindings_changed(screen)  # rebuilds once the screen is refreshed
