"""The names of Textual that eventdesk uses although Textual does not publish them
(``tui/textual_compat.py``): a Textual without one of them, or with another signature, fails here
by name rather than slowing or breaking the desk without a word."""

from __future__ import annotations

import inspect

import pytest
import textual
import textual.keys
from textual import events
from textual.app import App, ComposeResult
from textual.driver import Driver
from textual.geometry import Size
from textual.notifications import Notifications
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Input

from eventdesk.tui import textual_compat
from eventdesk.tui.textual_compat import PREEMPTED_HANDLERS, before_input_value_watcher


def params(function) -> list[str]:
    return list(inspect.signature(function).parameters)


@pytest.mark.parametrize(
    "owner, name, expected",
    [
        (Widget, "_forward_event", ["self", "event"]),
        (Widget, "_check_refresh", ["self"]),
        (Screen, "_on_timer_update", ["self"]),
        (Input, "_watch_value", ["self", "value"]),
        *[(owner, name, ["self", "event"]) for owner, names in PREEMPTED_HANDLERS.items() for name in names],
    ],
    ids=lambda v: v if isinstance(v, str) else getattr(v, "__name__", None),
)
def test_the_private_methods_eventdesk_calls_are_there(owner, name, expected):
    method = getattr(owner, name, None)
    assert callable(method), f"Textual {textual.__version__}: {owner.__name__}.{name} is gone (tui/textual_compat.py)"
    assert params(method) == expected, (
        f"Textual {textual.__version__}: {owner.__name__}.{name}{inspect.signature(method)} changed "
        "(tui/textual_compat.py)"
    )


def test_the_private_helpers_and_fields_the_tests_read_are_there():
    assert callable(getattr(textual.keys, "_character_to_key", None)), (
        f"Textual {textual.__version__}: textual.keys._character_to_key is gone (tui/textual_compat.py)"
    )
    assert params(textual.keys._character_to_key) == ["character"], (
        f"Textual {textual.__version__}: textual.keys._character_to_key changed (tui/textual_compat.py)"
    )
    app = ProbeApp()
    assert isinstance(getattr(app, "_notifications", None), Notifications), (
        f"Textual {textual.__version__}: App._notifications is no Notifications any more (tui/textual_compat.py)"
    )
    assert hasattr(app, "_driver"), f"Textual {textual.__version__}: App._driver is gone (tui/textual_compat.py)"
    assert callable(getattr(getattr(Screen(), "_compositor", None), "render_strips", None)), (
        f"Textual {textual.__version__}: Screen._compositor.render_strips is gone (tui/textual_compat.py)"
    )
    timer = Timer(app, 7)
    assert getattr(timer, "_interval", None) == 7, (
        f"Textual {textual.__version__}: Timer._interval is gone or no longer the interval (tui/textual_compat.py)"
    )


def test_the_footer_still_has_its_bindings_ready_reactive():
    assert isinstance(vars(Footer).get("_bindings_ready"), Reactive), (
        f"Textual {textual.__version__}: Footer._bindings_ready is no reactive any more (tui/textual_compat.py)"
    )


class Probe(Widget):
    def render(self) -> str:
        return "probe"


class ProbeApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Probe()
        yield Input(id="plain")


async def test_the_compat_functions_work_on_a_running_app():
    app = ProbeApp()
    assert textual_compat.app_size(app) is None  # before the first resize
    async with app.run_test(size=(50, 10)) as pilot:
        assert textual_compat.app_size(app) == Size(50, 10)
        probe = app.query_one(Probe)
        assert textual_compat.can_paint_now(probe, app.screen)
        probe.refresh()
        textual_compat.hand_refresh_to_screen(probe)
        textual_compat.paint_now(app.screen)

        box = app.query_one("#plain", Input)
        box.focus()
        await pilot.pause()
        textual_compat.forward_event(box, events.Key("x", "x"))
        await pilot.pause()
        assert box.value == "x"  # a forwarded key reaches the widget as a typed one

        footer = Footer()
        textual_compat.mark_footer_bindings_ready(footer)
        assert footer._bindings_ready is True

        app.notify("Toast one")
        await pilot.pause()
        assert [n.message for n in textual_compat.notifications(app)] == ["Toast one"]

        driver = textual_compat.app_driver(app)
        assert isinstance(driver, Driver), (
            f"Textual {textual.__version__}: App._driver is no Driver (tui/textual_compat.py)"
        )
        for ch in "a-":
            driver.send_message(events.Key(textual_compat.key_for_character(ch), ch))
        await pilot.pause()
        assert box.value == "xa-"  # keys queued on the driver are typed as a terminal's
        assert textual_compat.key_for_character("-") == "minus"

        await pilot.pause()
        lines = textual_compat.rendered_lines(app.screen)
        assert len(lines) == 10 and all(len(line) == 50 for line in lines)
        assert any("xa-" in line for line in lines)  # the box's text as the terminal shows it

        assert textual_compat.timer_interval(app.set_interval(3, lambda: None, pause=True)) == 3


class Recording(Input):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, int]] = []

    def changing(self, value: str) -> None:
        self.virtual_size = Size(999, 1)  # Input's own watcher, if it runs after, sets it anew

    def watch_value(self, value: str) -> None:
        self.seen.append((value, self.virtual_size.width))


async def test_the_value_watcher_hook_runs_before_inputs_own():
    box = before_input_value_watcher("changing")(Recording)()

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield box

    async with One().run_test() as pilot:
        box.focus()
        await pilot.press("a", "b")
        assert [value for value, _ in box.seen] == ["a", "ab"]
        assert all(width != 999 for _, width in box.seen)
        assert box.value == "ab"


async def test_a_public_handler_of_a_subclass_runs_before_textuals_private_one():
    """What ``PREEMPTED_HANDLERS`` rely on: one event's handlers run along the class hierarchy,
    the subclass's public ``on_*`` first, and ``prevent_default`` holds back Textual's ``_on_*``."""

    class Held(Input):
        def on_key(self, event: events.Key) -> None:
            if event.key == "x":
                event.prevent_default()

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Held()

    app = One()
    async with app.run_test() as pilot:
        app.query_one(Held).focus()
        await pilot.press("x", "y")
        assert app.query_one(Held).value == "y"
