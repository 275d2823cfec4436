"""The desk's modal forms: a walk-in's registration, a correction of a person's details, and the
question whether to reprint a badge after a corrected name. Inside a form keys go to the form."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from eventdesk.domain.text import printable

# Longer than any name, organisation or e-mail: pages pasted into a field (as keys, from a terminal
# without bracketed paste) stop here instead of costing a longer edit and repaint at every key.
FIELD_CHARS = 200


class FormField(Input):
    """A form's text field, holding at most ``FIELD_CHARS`` characters: keys beyond are dropped
    silently (no bell per key) and a paste is cut to what fits."""

    def __init__(self, **kwargs) -> None:
        super().__init__(max_length=FIELD_CHARS, **kwargs)

    def insert_text_at_cursor(self, text: str) -> None:
        super().insert_text_at_cursor(text[: max(0, FIELD_CHARS - len(self.value))])

    def restricted(self) -> None:
        """A full field takes no more keys; a bell for each key of a long paste helps nobody."""


class _Form(ModalScreen):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="checkin-form.cancel")]
    FIELDS: tuple[tuple[str, str], ...] = ()
    TITLE_TEXT = ""
    SUBMIT_LABEL = "Save"

    def __init__(self, categories: list[str], values: dict[str, str] | None = None) -> None:
        super().__init__()
        self.categories = categories
        self.values = values or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="checkin-form"):
            yield Static(Text(self.TITLE_TEXT, style="bold"))
            with Grid(classes="form-fields"):  # a label beside each field: the form fits 80×24
                for name, label in self.FIELDS:
                    yield Label(label)
                    yield FormField(value=self.values.get(name, ""), id=f"form-{name}", compact=True)
                yield Label("Category")
                category = self.values.get("category") or self.categories[0]
                options = [(Text(printable(c, 30)), c) for c in dict.fromkeys([*self.categories, category])]
                yield Select(options, value=category, allow_blank=False, id="form-category", compact=True)
            yield Static("", id="form-error")
            with Horizontal(classes="form-buttons"):
                yield Button(self.SUBMIT_LABEL, variant="primary", id="form-submit", compact=True)
                yield Button("Cancel", id="form-cancel", compact=True)

    def form_values(self) -> dict[str, str]:
        values = {name: self.query_one(f"#form-{name}", Input).value for name, _ in self.FIELDS}
        values["category"] = str(self.query_one("#form-category", Select).value)
        return values

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-submit":
            self.submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        self.query_one("#form-error", Static).update(Text(message, style="bold red"))

    def submit(self) -> None:
        self.dismiss(self.form_values())


class WalkInForm(_Form):
    """Name, organisation, e-mail, category of a person arriving without registration."""

    FIELDS = (
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("organisation", "Organisation"),
        ("email", "E-mail"),
        ("badge_name", "Name on the badge (empty: first + last name)"),
        ("pronouns", "Pronouns (optional)"),
    )
    TITLE_TEXT = "Walk-in: register, check in and print the badge"
    SUBMIT_LABEL = "Register and check in"

    def submit(self) -> None:
        values = self.form_values()
        if not (values["first_name"].strip() or values["last_name"].strip()):
            self.show_error("Fill in the first or the last name.")
            return
        self.dismiss(values)


class CorrectionForm(_Form):
    """A person's details, to correct."""

    FIELDS = (
        ("first_name", "First name"),
        ("last_name", "Last name"),
        ("badge_name", "Name on the badge (empty: first + last name)"),
        ("pronouns", "Pronouns"),
        ("organisation", "Organisation"),
        ("role", "Role"),
        ("email", "E-mail"),
        ("country", "Country"),
        ("note", "Note for the desk"),
    )
    TITLE_TEXT = "Correct details"

    def __init__(self, categories: list[str], values: dict[str, str], name: str) -> None:
        super().__init__(categories, values)
        self.TITLE_TEXT = f"Correct the details of {printable(name, 60)}"


class ReprintQuestion(ModalScreen[bool]):
    """Reprint a badge? After a correction ``changed`` names what the badge now shows differently;
    without it the desk asked for a reprint (a lost or damaged badge)."""

    BINDINGS = [Binding("escape", "no", "No", id="checkin-reprint.no")]

    def __init__(self, name: str, changed: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.person_name = name
        self.changed = changed

    def compose(self) -> ComposeResult:
        with Vertical(classes="checkin-form"):
            name = (printable(self.person_name, 80) or "(no name)", "bold")
            if self.changed:
                what = ", ".join(f.replace("_", " ") for f in self.changed)
                question = Text.assemble("The badge of ", name, f" shows a changed {what}. Reprint the badge?")
            else:
                question = Text.assemble("Reprint the badge of ", name, "? The old badge stays valid.")
            yield Static(question, id="reprint-text")
            with Horizontal(classes="form-buttons"):
                yield Button("Reprint", variant="primary", id="reprint-yes", compact=True)
                yield Button("No", id="reprint-no", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "reprint-yes")

    def action_no(self) -> None:
        self.dismiss(False)
