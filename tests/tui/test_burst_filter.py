"""The burst filter on a starved machine: the hold that runs out on the wall clock while the
scanner's next keys already wait in the app's queue must not hand the first keys to a form."""

from textual import events

from eventdesk.tui.scanning.burst import BurstFilter
from eventdesk.tui.textual_compat import key_for_character


class Desk:
    """The app's side of the filter, driven by hand: timers fire and queued callbacks run when
    the test says so, as they would on a machine too busy to keep up."""

    def __init__(self) -> None:
        self.scans: list[str] = []
        self.released: list[str] = []
        self.timers: list = []
        self.queued: list = []
        self.filter = BurstFilter(
            lambda text, at: self.scans.append(text),
            lambda key: self.released.append(key.character),
            self.start_timer,
            self.queued.append,
        )

    def start_timer(self, seconds, callback):
        timer = Timer(callback)
        self.timers.append(timer)
        return timer

    def fire_timer(self) -> None:
        live = [timer for timer in self.timers if not timer.stopped]
        live[-1].stopped = True
        live[-1].callback()

    def run_queued(self) -> None:
        queued, self.queued[:] = list(self.queued), []
        for callback in queued:
            callback()


class Timer:
    def __init__(self, callback) -> None:
        self.callback = callback
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True


def key(ch: str, at: float) -> events.Key:
    event = events.Key(key_for_character(ch), ch)
    event.time = at
    return event


def enter(at: float) -> events.Key:
    event = events.Key("enter", "\r")
    event.time = at
    return event


def test_a_scan_whose_hold_ran_out_while_its_keys_waited_is_still_one_scan():
    desk = Desk()
    code = "M7Q5PZ7C8"
    desk.filter.feed(key(code[0], 1.000))
    desk.fire_timer()  # the machine stalled 50 ms after the first key; the rest were queued
    for i, ch in enumerate(code[1:], start=1):
        assert desk.filter.feed(key(ch, 1.000 + i * 0.001))
    assert desk.filter.feed(enter(1.010))
    desk.run_queued()  # the stale hold's release comes after the queued keys
    assert desk.scans == [code]
    assert desk.released == []


def test_keys_a_person_typed_are_handed_on_once_nothing_else_came():
    desk = Desk()
    desk.filter.feed(key("A", 1.0))
    desk.fire_timer()
    assert desk.released == []  # not before the keys already queued were seen
    desk.run_queued()
    assert desk.released == ["A"]
    desk.filter.feed(key("n", 1.2))
    desk.fire_timer()
    desk.run_queued()
    assert desk.released == ["A", "n"]
    assert desk.scans == []
