"""The printer panel (F7) and the print workers of the app: health per printer, failed jobs
moved to another printer, and what the desk is told when a printer is dead."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from eventdesk.domain.codes import new_badge_code
from eventdesk.services.context import open_context
from eventdesk.settings import Settings
from eventdesk.store import print_jobs
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee, PrintJob
from eventdesk.tui import textual_compat
from eventdesk.tui.app import make_app
from eventdesk.tui.screens.printers.screen import PrintersScreen
from eventdesk.tui.widgets.badge_preview import BadgePreview, badge_blocks
from eventdesk.tui.widgets.live_table import LiveTable


@pytest.fixture
def desk(tmp_db, tmp_path, refused_url):
    dead = refused_url
    settings = Settings(
        db=tmp_db,
        printers={"front": dead, "back": f"preview://{tmp_path}/back"},
        default_printer="front",
        printer_timeout_s=0.5,
    )
    context = open_context(tmp_db, settings)
    with context.session() as session:
        person = save_attendee(
            session,
            Attendee(
                first_name="Kíncső",
                last_name="Izsak",
                organisation="Technopolis",
                category="speaker",
                badge_code=new_badge_code(),
            ),
        )
    return context, person, dead, tmp_path / "back"


async def wait_for(pilot, condition, timeout: float = 8.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if condition():
            return
        await pilot.pause(0.1)
    assert condition(), "the app did not reach the expected state in time"


def job_state(context, job_id: int) -> str:
    with Session(context.engine) as session:
        return session.get(PrintJob, job_id).state


def notifications(app) -> list[str]:
    return [n.message for n in textual_compat.notifications(app)]


async def test_f7_shows_printers_with_health(desk):
    context, _, dead, _ = desk
    app = make_app(context, watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintersScreen))
        screen = app.screen
        table = screen.query_one("#printers-table", LiveTable)
        await wait_for(pilot, lambda: len(screen.health) == 2)
        await pilot.pause()
        assert table.keys == ["printer:front", "printer:back"]  # the default printer first
        assert table.cell_text("printer:front", "health").startswith("offline")
        assert f"Printer {dead} refused the connection" in table.cell_text("printer:front", "health")
        assert table.cell_text("printer:back", "health").startswith("online")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PrintersScreen))


async def test_dead_printer_is_reported_and_the_job_moves_to_another_printer(desk):
    context, person, dead, back = desk
    from eventdesk.services.printing import queue_badge

    app = make_app(context, watch_store=True)
    async with app.run_test(size=(160, 50)) as pilot:
        job = queue_badge(context, person.id)  # as a check-in does: the desk does not wait
        await wait_for(pilot, lambda: any("will retry" in m for m in notifications(app)))
        [message] = [m for m in notifications(app) if "will retry" in m]
        assert message.startswith(f"Printer {dead} refused the connection")
        assert "(F7 shows the queue)" in message
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintersScreen) and app.screen.overview is not None)
        jobs = app.screen.query_one("#jobs-table", LiveTable)
        await wait_for(pilot, lambda: f"job:{job.id}" in jobs.keys)
        assert "Kíncső Izsak" in jobs.row_text(f"job:{job.id}")
        assert "refused the connection" in jobs.row_text(f"job:{job.id}")
        jobs.move_cursor(row=jobs.keys.index(f"job:{job.id}"))
        await pilot.press("ctrl+o")  # to the other printer
        await wait_for(pilot, lambda: job_state(context, job.id) == "printed")
        assert len(list(back.glob("*.png"))) == 1
        with Session(context.engine) as session:
            assert session.get(PrintJob, job.id).printer == "back"
        await wait_for(pilot, lambda: f"job:{job.id}" not in jobs.keys)  # the panel follows the store


async def test_failed_job_is_retried_from_the_panel(desk):
    context, person, _, back = desk
    with context.session() as session:
        job = print_jobs.enqueue(session, kind="badge", attendee_id=person.id, printer="back", desk="Desk 1")
        session.flush()
        print_jobs.mark_failed(session, job.id, "Printer preview://x: cannot write")
    app = make_app(context, watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintersScreen) and app.screen.overview is not None)
        jobs = app.screen.query_one("#jobs-table", LiveTable)
        await wait_for(pilot, lambda: jobs.keys == [f"job:{job.id}"])
        assert jobs.cell_text(f"job:{job.id}", "state") == "failed"
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: job_state(context, job.id) == "printed")
        assert len(list(back.glob("*.png"))) == 1


async def test_badge_preview_widget_shows_the_badge_as_blocks(desk):
    context, person, _, _ = desk
    from eventdesk.services.attendees import Person

    app = make_app(context, watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        preview = BadgePreview(columns=40)
        await app.screen.mount(preview)
        preview.show_person(Person.of(person))
        await app.workers.wait_for_complete()
        await wait_for(pilot, lambda: str(preview.render()).strip() != "")
        lines = str(preview.render()).splitlines()
        assert all(len(line) == 40 for line in lines)
        assert 20 < len(lines) < 40
        assert any("█" in line for line in lines)


def test_badge_blocks_map_two_by_two_dots_to_one_cell():
    from PIL import Image

    image = Image.new("1", (4, 2), 255)
    image.putpixel((0, 0), 0)  # upper-left dot of the first cell
    image.putpixel((2, 1), 0)
    image.putpixel((3, 1), 0)  # lower half of the second cell
    assert badge_blocks(image, 2) == ["▘▄"]


async def test_the_readiness_check_from_the_printers_screen_names_the_dead_printer(desk):
    from eventdesk.tui.screens.doctor.screen import DoctorScreen

    context, _, dead, _ = desk
    app = make_app(context, watch_store=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintersScreen))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Printers: readiness check" in titles
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, DoctorScreen) and app.screen.report is not None)
        screen = app.screen
        assert not screen.report.ok
        rows = {
            str(screen.query_one("#doctor-checks").get_row_at(i)[1]): screen.query_one("#doctor-checks").get_row_at(i)
            for i in range(len(screen.report.checks))
        }
        assert str(rows["printer front"][0]) == "FAIL" and f"{dead}" in str(rows["printer front"][2])
        assert str(rows["printer back"][0]) == "OK"
        assert "NOT READY" in str(screen.query_one("#doctor-verdict").render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PrintersScreen))
