"""Every name eventdesk uses that Textual does not publish, in one place, each behind a small
function: a Textual upgrade that renames or changes one of them fails
tests/tui/test_textual_compat.py instead of breaking the desk quietly."""

from __future__ import annotations

from collections.abc import Callable

from textual import events, keys
from textual.app import App
from textual.dom import DOMNode
from textual.driver import Driver
from textual.geometry import Size
from textual.notifications import Notification
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input

# Textual's own handlers that a subclass's public handler of the same event runs ahead of (the
# handlers of one event run along the class hierarchy, the subclass first, until one calls
# ``prevent_default``): these are what ``prevent_default`` in such a handler holds back.
PREEMPTED_HANDLERS = {App: ("_on_resize",), Input: ("_on_key", "_on_paste")}


def app_size(app: App) -> Size | None:
    """The terminal size the app last laid out for; None before the first resize."""
    return app._size


def forward_event(node: DOMNode, event: events.Event) -> None:
    """Hand ``event`` to ``node`` as the app hands a key to the focused widget."""
    node._forward_event(event)  # type: ignore[attr-defined]


def can_paint_now(widget: Widget, screen: Screen) -> bool:
    """Whether ``paint_now`` can work with this Textual; otherwise the next screen update paints."""
    return callable(getattr(widget, "_check_refresh", None)) and callable(getattr(screen, "_on_timer_update", None))


def hand_refresh_to_screen(widget: Widget) -> None:
    """Move ``widget``'s pending repaint and layout requests onto its screen's queue now."""
    widget._check_refresh()


def paint_now(screen: Screen) -> None:
    """Lay out if needed, render the dirty widgets and write the frame, as the screen's own
    update timer would at its next tick."""
    screen._on_timer_update()


def mark_footer_bindings_ready(footer: Footer) -> None:
    """The footer builds its keys in its first compose instead of after the first frame."""
    footer.set_reactive(Footer._bindings_ready, True)


def before_input_value_watcher(name: str) -> Callable[[type[Input]], type[Input]]:
    """Class decorator: ``Input``'s own (private) watcher of ``value`` runs right after the
    subclass's method ``name``, which thus acts before Input lays itself out anew; a public
    ``watch_value`` would run only after it."""

    def decorate(cls: type[Input]) -> type[Input]:
        def _watch_value(self: Input, value: str) -> None:
            getattr(self, name)(value)
            Input._watch_value(self, value)

        cls._watch_value = _watch_value  # type: ignore[attr-defined]
        return cls

    return decorate


# What the tests (and benchmarks) read of a running app that Textual keeps to itself.


def notifications(app: App) -> list[Notification]:
    """The app's toasts still on show, oldest first."""
    return list(app._notifications)


def app_driver(app: App) -> Driver:
    """The driver the app runs on: ``send_message`` on it queues input as a terminal delivers it."""
    assert app._driver is not None, "the app is not running"
    return app._driver


def rendered_lines(screen: Screen) -> list[str]:
    """The screen's rows as plain characters, as its compositor would write them to the terminal."""
    return [strip.text for strip in screen._compositor.render_strips()]


def key_for_character(character: str) -> str:
    """The key name Textual gives a typed ``character`` ("-" is "minus", "a" is "a")."""
    return keys._character_to_key(character)


def timer_interval(timer: Timer) -> float:
    """The seconds between a timer's ticks."""
    return timer._interval
