"""The search results under the scan box, as a desk person uses them: the list follows what is
typed, an unchanged answer leaves the highlight where the person put it, a new answer starts at its
best match, the highlighted person stays on screen however many match, and names are drawn as
written."""

from __future__ import annotations

from checkin_desk import change_attendee, open_desk, records
from textual import events

from eventdesk.tui.textual_compat import app_driver, rendered_lines


async def _type(pilot, *keys: str) -> None:
    screen = pilot.app.screen
    await pilot.press(*[("space" if key == " " else key) for key in keys])
    await screen.wait_idle()
    await pilot.pause()


def _shown(app) -> str:
    """What the terminal shows, as plain characters."""
    return "\n".join(rendered_lines(app.screen))


def _painted_rows(results) -> list[str]:
    """The rows of the list as painted, top to bottom."""
    return [results.render_line(y).text.strip() for y in range(results.size.height)]


def _checked_in(db: str) -> list[int]:
    return [record.attendee_id for record in records(db)]


async def test_the_list_follows_the_typed_text(demo_db):
    async with open_desk(demo_db) as (app, pilot, screen):
        results = screen.results
        await _type(pilot, *"anna")
        annas = [p.name for p in results.people]
        assert len(annas) >= 2 and all("Anna" in name for name in annas)
        assert all(name in _shown(app) for name in annas[:5])
        await _type(pilot, "ctrl+u", *"nogel")
        assert [p.name for p in results.people] == ["Lukas Nögel"]
        shown = _shown(app)
        assert "Lukas Nögel" in shown
        assert not any(name in shown for name in annas), "a person of the former answer is still drawn"
        assert _painted_rows(results)[1:] == [""] * (results.size.height - 1)


async def test_an_unchanged_answer_keeps_the_highlight_and_enter_takes_that_person(demo_db):
    async with open_desk(demo_db) as (app, pilot, screen):
        results = screen.results
        await _type(pilot, *"anna")
        people = list(results.people)
        await _type(pilot, "down", "down")
        assert results.selected == people[2]
        await _type(pilot, " ")  # "anna " finds the same people
        assert results.people == people and results.selected == people[2]
        await _type(pilot, "wait:150", "enter")
        assert people[2].name in screen.banner.text
    assert _checked_in(demo_db) == [people[2].id]


async def test_a_new_answer_starts_at_its_best_match(demo_db):
    async with open_desk(demo_db) as (app, pilot, screen):
        results = screen.results
        await _type(pilot, *"anna")
        await _type(pilot, "down")
        first = results.people[0]
        await _type(pilot, "ctrl+u", *"nogel")
        assert results.selected.name == "Lukas Nögel"
        await _type(pilot, "ctrl+u", *"anna")
        assert results.selected == first
        await _type(pilot, "wait:150", "enter")
    assert _checked_in(demo_db) == [first.id]


async def test_the_highlighted_row_is_drawn_apart_from_the_others(demo_db):
    async with open_desk(demo_db) as (app, pilot, screen):
        results = screen.results
        await _type(pilot, *"anna")

        def backgrounds() -> list:
            return [next(iter(results.render_line(y))).style.bgcolor for y in range(2)]

        lit, plain = backgrounds()
        assert lit != plain
        await _type(pilot, "down")
        assert backgrounds() == [plain, lit]
        assert results.people[1].name in _painted_rows(results)[1]


async def test_the_highlighted_person_stays_on_screen_when_more_match_than_fit(demo_db):
    async with open_desk(demo_db, (80, 24)) as (app, pilot, screen):
        results = screen.results
        await _type(pilot, *"mar")
        count, rows = len(results.people), results.size.height
        assert rows >= 4, "a short terminal still shows a few people"
        assert count > rows, "the terminal is too tall for this test's answer"
        assert f"{count} found" in _shown(app)
        await _type(pilot, *["down"] * (count + 2))  # past the end: stays on the last
        last = results.people[-1]
        assert results.selected == last
        assert last.name in _painted_rows(results)[-1]
        assert last.name in _shown(app)
        await _type(pilot, *["up"] * count)
        first = results.people[0]
        assert results.selected == first
        assert first.name in _painted_rows(results)[0]
        await _type(pilot, "wait:150", "enter")
    assert _checked_in(demo_db) == [first.id]


async def test_what_decides_the_answer_is_not_cut_off_on_a_narrow_list(demo_db):
    change_attendee(demo_db, "Izsak", organisation="A very long organisation name " * 4, blocked=True)
    async with open_desk(demo_db, (80, 24)) as (app, pilot, screen):
        await _type(pilot, *"izsak")
        row = _painted_rows(screen.results)[0]
        assert row.startswith("Kíncső Izsak") and "BLOCKED" in row
        assert row.endswith("…")


async def test_names_from_outside_are_drawn_as_written(demo_db):
    change_attendee(demo_db, "Izsak", first_name="[bold red]Evil", organisation="\x1b[2J\x07Org")
    async with open_desk(demo_db) as (app, pilot, screen):
        await _type(pilot, *"evil")
        shown = _shown(app)
        assert "[bold red]Evil Izsak" in shown
        assert "\x1b" not in shown and "\x07" not in shown


async def test_a_name_typed_as_fast_as_a_scanner_is_searched_once_the_keys_pause(demo_db):
    """Keys a millisecond apart may be a scanner's: the search waits for the pause after the last
    of them, then answers the whole text (not the text as it was when the first keys came)."""
    async with open_desk(demo_db) as (app, pilot, screen):
        driver = app_driver(app)
        for ch in "nogel":
            driver.send_message(events.Key(ch, ch))
        await pilot.pause()
        await screen.wait_idle()
        await pilot.pause()
        assert screen.results.query_text == "nogel"
        assert [p.name for p in screen.results.people] == ["Lukas Nögel"]
        assert screen.searches_shown == 1, "one search for the burst, not one for each key"
