"""The scan box: where a USB scanner (a keyboard that types ~1 key per millisecond) and a person
typing a name both land.

Enter is handled here, in the box's own message queue, and the box is emptied in the same step:
so a code is never concatenated with the next one, however fast the next arrives (an Enter
handled later as an app binding would read characters of the next scan)."""

from __future__ import annotations

import time

from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Input

from eventdesk.domain.checkin import MAX_CODE_LENGTH, MIN_CODE_LENGTH, SCANNER_KEY_GAP_S, typed_fast
from eventdesk.domain.text import printable
from eventdesk.tui.textual_compat import before_input_value_watcher

SUBMIT_KEYS = frozenset({"enter", "ctrl+m", "ctrl+j", "tab"})  # Enter, CR, LF, a Tab suffix
MOVE_KEYS = {"up": -1, "down": 1, "pageup": -5, "pagedown": 5}
# Longer than any code or name: pages pasted into the box (as keys, from a terminal without
# bracketed paste) are cut here at once instead of costing a longer edit and repaint at every key.
MAX_TEXT = 2 * MAX_CODE_LENGTH


@before_input_value_watcher("value_changing")
class ScanInput(Input):
    """An Input that submits synchronously and tells how fast its text was typed."""

    class Scanned(Message):
        """Enter (or CR/LF/Tab) with the text typed since the previous one."""

        def __init__(self, text: str, typed_fast: bool, at: float, burst: str = "") -> None:
            super().__init__()
            self.text = text
            self.typed_fast = typed_fast
            self.at = at  # monotonic time of the Enter
            # The newest run of fast keys after a pause, when shorter than the text: a badge
            # scanned into a half-typed name. Only a fallback: a scanner's code can also arrive in
            # two chunks (a loaded machine, a remote terminal), so the whole text is tried first.
            self.burst = burst

    class Move(Message):
        """Arrow keys: move the highlight in the search results."""

        def __init__(self, delta: int) -> None:
            super().__init__()
            self.delta = delta

    def __init__(self, **kwargs) -> None:
        # Selecting the text on focus would let the next key replace what was typed before.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(**kwargs)
        self._key_times: list[float] = []
        self._burst_start = 0  # where in the text the newest run of fast keys began
        self.last_key_at = 0.0  # monotonic time of the newest key (search latency is measured from it)

    async def on_key(self, event: events.Key) -> None:
        now = getattr(event, "time", None) or time.monotonic()
        self.last_key_at = now
        if event.key in SUBMIT_KEYS:
            event.stop()
            event.prevent_default()
            if event.key == "tab" and not self.value:
                return
            self._key_times.append(now)
            self.submit_now(now)
            return
        if event.key in MOVE_KEYS:
            event.stop()
            event.prevent_default()
            self.post_message(self.Move(MOVE_KEYS[event.key]))
            return
        if event.is_printable:
            if self.drops(event):
                event.stop()
                event.prevent_default()
                return
            if len(self.value) >= MAX_TEXT:
                self.value = ""  # keys after a pause start anew: a scan is not glued to a cut paste
            if not self.value:
                self._key_times.clear()
            if not self._key_times or now - self._key_times[-1] > SCANNER_KEY_GAP_S:
                self._burst_start = len(self.value)  # a new run of keys starts after a pause
            self._key_times.append(now)
        # Input's own key handler (next in the MRO) inserts the character.

    def drops(self, event: events.Key) -> bool:
        """Whether ``event`` is the rest of a paste that no longer fits: keys that keep coming at
        scanner speed into a full box (the app asks before it hands the key on, which is most of a
        key's cost)."""
        if not (event.is_printable and len(self.value) >= MAX_TEXT and self._key_times):
            return False
        now = getattr(event, "time", None) or time.monotonic()
        if now - self._key_times[-1] > SCANNER_KEY_GAP_S:
            return False
        self._key_times[-1] = self.last_key_at = now  # the run goes on
        return True

    def value_changing(self, value: str) -> None:
        """Textual's Input sets its virtual size on every change, and that asks for a layout of the
        whole screen: at a scanner's key per millisecond, most of the desk's work (and the time the
        scan thread waits for the interpreter). The box's own size never depends on its text: while
        the text fits (a code, a name) the new size is set quietly beforehand, so Input's own
        watcher finds nothing to lay out and the box is only repainted; a longer text scrolls as
        before."""
        if self.content_width < self.scrollable_content_region.width and not self.scroll_x:
            self.set_reactive(Input.virtual_size, Size(self.content_width, 1))

    def submit_now(self, now: float | None = None) -> None:
        """Hand the text over and start empty, in one step."""
        now = now if now is not None else time.monotonic()
        text, fast = self.value, typed_fast(self._key_times)
        burst = text[self._burst_start :] if 0 < self._burst_start < len(text) else ""
        if len(burst) < MIN_CODE_LENGTH or not typed_fast(self._key_times[-len(burst) - 1 :]):
            burst = ""
        self._key_times.clear()
        # Scanned before the emptying's Changed: the screen still sees the search results for ``text``.
        self.post_message(self.Scanned(text, fast, now, burst))
        self.value = ""

    def deliver(self, text: str, at: float) -> None:
        """A scan read elsewhere (the app's burst filter): submitted as if scanned here, without
        touching what the box holds."""
        self.post_message(self.Scanned(text, True, at))

    def insert_text_at_cursor(self, text: str) -> None:
        # Pasted text: control characters (escape sequences) shown as marks, never sent to the terminal.
        super().insert_text_at_cursor(printable(text)[: max(0, MAX_TEXT - len(self.value))])

    def on_paste(self, event: events.Paste) -> None:
        # A paste is not a scan. Textual then calls Input's own paste handler itself (handlers run along the
        # class hierarchy): calling it here too inserted every paste twice.
        self._key_times.clear()
