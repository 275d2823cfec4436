"""The README's tables say what the code does: every command in "The command line" is a real
command with the options it names, and every key named in "The screens" is bound where the
README says (screen classes are found by scanning the eventdesk.tui packages, wherever their
modules live)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import warnings
from pathlib import Path

import click
import pytest
from textual.app import App
from textual.screen import Screen

import eventdesk.tui
from eventdesk.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def _table(heading: str) -> list[list[str]]:
    """The rows (cells split, header and rule left out) of the first table after ``heading``."""
    section = README.split(heading, 1)[1]
    rows, started = [], False
    for line in section.splitlines():
        if line.startswith("|"):
            started = True
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1]])
        elif started:
            break
    assert rows, f"no table under {heading!r}"
    return rows[2:]


# --- the command line --------------------------------------------------------------------------


def _commands() -> list[str]:
    """Every command written in the first column, without its leading ``eventdesk``."""
    found = []
    for cells in _table("### The command line"):
        for fragment in re.findall(r"`([^`]+)`", cells[0]):
            words = fragment.replace("\\|", "|").split()
            if words[0] == "eventdesk":
                words = words[1:]
            if words and words[0] in main.commands:
                found.append(" ".join(words))
    return found


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """The click command the words name and the words left for its arguments and options, as
    click resolves them (``checkin CODE`` is the group's ``scan``)."""
    command: click.Command = main
    while words and isinstance(command, click.Group):
        if words[0] not in command.commands:  # a group may pick its command itself (checkin CODE)
            context = click.Context(command, info_name=command.name, resilient_parsing=True)
            rest = command.parse_args(context, list(words))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                picked = list(context.protected_args)
            if not picked or picked[0] not in command.commands:
                break
            words = [*picked, *rest]
        command, words = command.commands[words[0]], words[1:]
    return command, words


def test_the_command_table_names_commands() -> None:
    commands = _commands()
    assert len(commands) > 30
    for text in commands:
        command, _ = _resolve(text.split())
        assert command is not main, text
        assert (
            not isinstance(command, click.Group) or command.invoke_without_command or getattr(command, "callback", None)
        ), f"{text!r} names a group, not a command"


@pytest.mark.parametrize("text", _commands())
def test_each_option_in_the_command_table_exists(text: str) -> None:
    command, rest = _resolve(text.split())
    options = {opt: param for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    for index, word in enumerate(rest):
        name = word.strip("[]").split("=")[0]
        if not name.startswith("--"):
            continue
        assert name in options, f"{text!r}: {command.name} has no option {name}"
        choice = options[name].type
        if isinstance(choice, click.Choice) and index + 1 < len(rest):
            written = rest[index + 1].strip("[]")
            values = set(written.split("|"))
            if "|" in written:  # a list of the values: all of them
                assert values == set(choice.choices), f"{text!r}: {name} takes {sorted(choice.choices)}"
            elif written.isalpha() and written.islower():
                assert written in choice.choices, f"{text!r}: {name} takes {sorted(choice.choices)}"


# --- the screens and their keys -----------------------------------------------------------------

_GLYPHS = {"+": "plus", "−": "minus", "-": "minus", "[": "left_square_bracket", "]": "right_square_bracket"}


def _key(word: str) -> str | None:
    """The Textual key name of a key as the README writes it (F6, Ctrl+N, s, +), else None."""
    if re.fullmatch(r"F\d{1,2}", word):
        return word.lower()
    if re.fullmatch(r"Ctrl\+[A-Z]", word):
        return word.lower()
    if word in _GLYPHS:
        return _GLYPHS[word]
    if re.fullmatch(r"[a-z]", word) and word != "a":  # "a" starts a sentence ("a scanner's Enter ...")
        return word
    return None


def _keys_named(cell: str) -> set[str]:
    """The keys that start the cell's items (``F6 walk-in · + / − 5 min delay · [ ] day``). Arrows
    and Enter are left out: the scan box and the lists take them, not a binding."""
    keys = set()
    for item in cell.split("·"):
        words = item.split()
        for word in words[:3]:  # "+ / −" and "[ ]" name two keys
            if word == "/":
                continue
            key = _key(word)
            if key is None:
                break
            keys.add(key)
            if key.startswith(("f", "ctrl")) and len(word) > 1:
                break
    return keys


def _bound(cls: type) -> set[str]:
    keys = set()
    for klass in inspect.getmro(cls):
        for binding in getattr(klass, "BINDINGS", []):
            key = binding.key if hasattr(binding, "key") else binding[0]
            keys.update(k.strip() for k in key.split(","))
    return keys


def _tui_classes() -> list[type]:
    classes = []
    for module in pkgutil.walk_packages(eventdesk.tui.__path__, "eventdesk.tui."):
        loaded = importlib.import_module(module.name)
        classes += [c for c in vars(loaded).values() if inspect.isclass(c) and c.__module__ == module.name]
    return classes


def _screen_class(mode: str) -> type:
    """The Screen subclass that the app's mode ``mode`` shows (``checkin`` -> ``CheckinScreen``)."""
    wanted = mode.replace("_", "").casefold() + "screen"
    found = {c for c in _tui_classes() if issubclass(c, Screen) and c.__name__.casefold() == wanted}
    assert len(found) == 1, f"screen class for the mode {mode!r}: {found}"
    return found.pop()


def _desk_app() -> type[App]:
    found = [
        c
        for c in _tui_classes()
        if issubclass(c, App)
        and "go" in {b.action.split("(")[0] for b in getattr(c, "BINDINGS", []) if hasattr(b, "action")}
    ]
    assert found, "no App binds a key to go to a screen"
    return found[0]


def _screen_rows() -> list[tuple[str, str, str]]:
    """(key, screen title, keys on that screen) per row of "The screens"."""
    return [(cells[0], re.sub(r"\*", "", cells[1]), cells[3]) for cells in _table("### The screens")]


def test_each_screen_key_opens_that_screen() -> None:
    app = _desk_app()
    by_key = {b.key: b for b in app.BINDINGS}
    for key, title, _ in _screen_rows():
        binding = by_key.get(key.lower())
        assert binding is not None, f"{key} ({title}) is not bound on the app"
        assert binding.description == title, f"{key} opens {binding.description}, the README says {title}"


@pytest.mark.parametrize("row", _screen_rows(), ids=lambda row: row[1])
def test_each_key_named_for_a_screen_is_bound_on_it(row: tuple[str, str, str]) -> None:
    key, title, cell = row
    app = _desk_app()
    action = next(b.action for b in app.BINDINGS if b.key == key.lower())
    mode = re.fullmatch(r"go\('(\w+)'\)", action)
    screen = _screen_class(mode.group(1) if mode else action)
    named = _keys_named(cell)
    assert named, f"no key read from the {title} row"
    missing = named - _bound(screen)
    assert not missing, (
        f"the README names {sorted(missing)} on {title}; {screen.__name__} binds {sorted(_bound(screen))}"
    )


def test_the_keys_for_every_screen_are_bound_on_the_app() -> None:
    app = _desk_app()
    sentence = README.split("F1 lists every key", 1)
    assert len(sentence) == 2, "the README no longer says which keys work everywhere"
    bound = _bound(app) | {app.COMMAND_PALETTE_BINDING}
    assert {"f1", "ctrl+p", "ctrl+q"} <= bound
