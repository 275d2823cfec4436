"""A scanner's burst recognised wherever the desk is (forms, dialogs, other screens).

A USB scanner is a keyboard: it types a code about one key per millisecond and ends it with Enter
(or CR, LF). Outside the scan boxes, the app holds every printable key for a moment
(``HOLD_S``, just above the slowest scanner gap): keys that keep coming faster than a person types
and end with Enter are a scan and never reach the focused field or button; anything else is
handed on, in order, as if it had never been held (a person's keys arrive ~40 ms late). A Tab ends
no scan here: in a form it is a person moving to the next field, after a name typed fast."""

from __future__ import annotations

from collections.abc import Callable

from textual import events

from eventdesk.domain.checkin import MIN_CODE_LENGTH, SCANNER_KEY_GAP_S, clean_code, strip_scanner_noise, typed_fast

# Slightly longer than the widest gap between a scanner's keys: a key held this long with nothing
# after it was typed by a person.
HOLD_S = SCANNER_KEY_GAP_S + 0.01
# A scanner configured with a CR suffix sends CR and then Enter: the second is part of the scan.
SUFFIX_GAP_S = 3 * SCANNER_KEY_GAP_S
# What ends a scanner's burst outside a scan box (Enter, CR, LF).
ENTER_KEYS = frozenset({"enter", "ctrl+m", "ctrl+j"})


# What a badge code can hold besides letters and digits (AIM "]Q1" and ECI "\\000026" prefixes,
# the separators of imported ticket secrets). Other keys are never held: no delay, no reordering.
CODE_PUNCTUATION = frozenset("]\\-_./:+=*$%#@!?~")


def _in_a_code(character: str) -> bool:
    return character.isalnum() or character in CODE_PUNCTUATION


class BurstFilter:
    """Feed it every key that the app would hand to the focused widget; ``feed`` answers whether
    it took the key (held, or part of a scan). ``release(event)`` hands a held key on, ``on_scan``
    receives a recognised code, ``start_timer(seconds, callback)`` is the app's ``set_timer`` and
    ``after_queued(callback)`` the app's ``call_later``: it runs ``callback`` once the messages
    already waiting (keys among them) have been handled."""

    def __init__(
        self,
        on_scan: Callable[[str, float], None],
        release: Callable[[events.Key], None],
        start_timer: Callable[[float, Callable[[], None]], object],
        after_queued: Callable[[Callable[[], None]], object] | None = None,
    ) -> None:
        self._on_scan = on_scan
        self._release = release
        self._start_timer = start_timer
        self._after_queued = after_queued
        self._held: list[events.Key] = []
        self._timer = None
        self._fed = 0  # keys held so far: a hold that ran out is void if more keys came since
        self._timer_fed = 0  # what ``_fed`` was when the running timer began
        self._scan_ended_at = float("-inf")
        self.scans = 0  # recognised bursts (tests)

    def feed(self, event: events.Key) -> bool:
        now = event.time
        if event.key in ENTER_KEYS:
            burst = self._burst(now)
            if burst:
                head, text = burst
                self.release_held(head)
                self._scan_ended_at = now
                self.scans += 1
                self._on_scan(text, now)
                return True
            if not self._held and now - self._scan_ended_at <= SUFFIX_GAP_S:
                self._scan_ended_at = now  # the Enter after the scan's CR
                return True
            self.release_held()
            return False
        if event.is_printable and event.character and _in_a_code(event.character):
            self._held.append(event)
            self._fed += 1
            self._restart_timer()
            return True
        self.release_held()
        return False

    def _burst(self, enter_at: float) -> tuple[int, str] | None:
        """(keys before the burst, the code) when the held keys end in a scanner's burst."""
        if not self._held:
            return None
        times = [key.time for key in self._held] + [enter_at]
        start = len(self._held) - 1
        # The burst is the newest run of fast keys; a person's key just before it is not part of it.
        while start > 0 and times[start] - times[start - 1] <= SCANNER_KEY_GAP_S:
            start -= 1
        keys = self._held[start:]
        text = "".join(key.character or "" for key in keys)
        stripped = strip_scanner_noise(text)
        if (
            len(clean_code(text)) < MIN_CODE_LENGTH
            or any(ch.isspace() for ch in stripped)
            or not typed_fast(times[start:])
        ):
            return None
        return start, text

    def _restart_timer(self) -> None:
        """One timer a run of keys, not one a key (a long paste typed as keys made thousands of
        timers, each a task started and stopped on the UI thread): it looks when it fires."""
        if self._timer is None:
            self._timer_fed = self._fed
            self._timer = self._start_timer(HOLD_S, self._hold_over)

    def _hold_over(self) -> None:
        """The hold ran out on the clock. Keys fed since it began hold on for another while. On a
        starved machine the scanner's next keys may already be waiting in the app's queue, stamped
        a millisecond after the last: they are handled first, and the held keys are handed on only
        if none of them came."""
        self._timer = None
        if self._fed != self._timer_fed:
            self._restart_timer()
            return
        if self._after_queued is None:
            self.release_held()
            return
        fed = self._fed
        self._after_queued(lambda: self._release_if_quiet(fed))

    def _release_if_quiet(self, fed: int) -> None:
        if self._fed == fed and self._timer is None:
            self.release_held()

    def release_held(self, count: int | None = None) -> None:
        """Hand the held keys on (the first ``count`` of them; the rest are dropped)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        held, self._held = self._held, []
        for key in held[:count]:
            self._release(key)

    @property
    def holding(self) -> bool:
        return bool(self._held)
