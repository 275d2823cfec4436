"""A one-line question before an action that cannot be taken back by a key (closing the desk,
annulling a check-in): Enter or y does it, Esc or n does not. It has nothing to focus, so a
scanner's burst (taken by the app's burst filter) neither answers it nor lands in it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class Confirm(ModalScreen[bool]):
    DEFAULT_CSS = """
    Confirm {
        align: center middle;
    }
    Confirm > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        border: thick $warning;
        background: $surface;
        padding: 0 2;
    }
    Confirm #confirm-keys {
        color: $text-muted;
        margin-top: 1;
    }
    """
    BINDINGS = [
        Binding("enter,y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("escape,n", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: Text, yes: str, no: str, key: str = "") -> None:
        super().__init__()
        self.question = question
        self.yes, self.no = yes, no
        self.key = key  # the key that asked: pressed again, it answers yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.question, id="confirm-question")
            yield Static(Text(f"Enter / y: {self.yes}   ·   Esc / n: {self.no}"), id="confirm-keys")

    @property
    def text(self) -> str:
        return self.question.plain

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
