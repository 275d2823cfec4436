"""A small matchmaking morning for the meetings tests (importable from every test: pytest puts
tests/ on the path for the root conftest). Wednesday 8 May 2024, Europe/Brussels, tables 1-4:

    10:00-10:30  T1 Ana Šermukšnytė / Ben Okafor   T2 Kíncső Izsák / Kristina Šermukšnytė-Alešiūnienė
                 T3 Chen Wei / Dara Ó Briain        T4 free
    10:30-11:00  T1 Ana / Chen                      T2 Ben / Dara
    11:00-11:30  T1 Dara / Ana                      T3 Kíncső / Ben

Eve Walker and Finn Larsen have no meetings (for ad-hoc bookings)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from eventdesk.domain.clock import Clock
from eventdesk.services.context import Context, open_context
from eventdesk.store.attendees import save_attendee
from eventdesk.store.meetings import add_table
from eventdesk.store.models import Attendee

BRUSSELS = ZoneInfo("Europe/Brussels")
DATA = Path(__file__).resolve().parent / "data" / "meetings"
MEETINGS_CSV = DATA / "meetings.csv"

PEOPLE = {
    # key: (first, last, organisation, e-mail, badge code)
    "ana": ("Ana", "Šermukšnytė", "Baltic Hydrogen Cluster", "ana@example.eu", "ANA0000000000000000000000A"),
    "ben": ("Ben", "Okafor", "Lagos Tech Hub", "", "BEN0000000000000000000000B"),
    "kincso": ("Kíncső", "Izsák", "Pannon Textile Cluster", "kincso@example.hu", "KINCSO00000000000000000000"),
    "kristina": (
        "Kristina",
        "Šermukšnytė-Alešiūnienė",
        "Lithuanian Textile",
        "kristina@example.lt",
        "KRISTINA000000000000000000",
    ),
    "chen": ("Chen", "Wei", "Shenzhen Batteries", "chen@example.cn", "CHEN0000000000000000000000"),
    "dara": ("Dara", "Ó Briain", "Irish Photonics [Cluster]", "dara@example.ie", "DARA0000000000000000000000"),
    "eve": ("Eve", "Walker", "Walker & Co", "eve@example.uk", "EVE0000000000000000000000E"),
    "finn": ("Finn", "Larsen", "Nordic Maritime", "finn@example.dk", "FINN000000000000000000000F"),
}


def at(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(2024, 5, 8, hh, mm, ss, tzinfo=BRUSSELS)


def add_people(context: Context) -> dict[str, int]:
    ids = {}
    with context.session() as session:
        for key, (first, last, org, email, code) in PEOPLE.items():
            person = save_attendee(
                session, Attendee(first_name=first, last_name=last, organisation=org, email=email, badge_code=code)
            )
            ids[key] = person.id
    return ids


def build(db: str, now: datetime | None = None) -> Context:
    """The sample morning in the (empty-event) database ``db``, with a frozen clock at ``now``."""
    from eventdesk.services.meetings import import_meetings

    context = open_context(db, clock=Clock.frozen(now or at(9, 0)))
    add_people(context)
    import_meetings(context, MEETINGS_CSV)
    with context.session() as session:
        add_table(session, 4)
    return context


@pytest.fixture
def meetings(tmp_db: str) -> Context:
    """The sample morning in a fresh database, clock frozen at 09:00 on 8 May (import it into a
    test module: ``from meetings_sample import meetings``)."""
    return build(tmp_db)
