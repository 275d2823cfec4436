"""The accent-blind, order-blind prefix search as the desk types: several words find the one
person who has them all, however many people share the common word."""

from __future__ import annotations

from sqlmodel import Session

import itertools
from eventdesk.services.context import open_context
from eventdesk.store.attendees import save_attendee, search_people_rows
from eventdesk.store.models import Attendee


def test_a_rare_word_beside_a_common_one_finds_its_person_among_hundreds(tmp_db):
    context = open_context(tmp_db)
    codes = itertools.count()  # codes that start with no searched letters
    with context.session() as session:
        for n in range(300):
            save_attendee(session, Attendee(first_name="Marek", last_name=f"Nowak{n:03d}", organisation="Silesia Hub",
                                            badge_code=f"BX{next(codes):08d}"))
        save_attendee(session, Attendee(first_name="Marek", last_name="Przeor", organisation="DG GROW",
                                        badge_code=f"BX{next(codes):08d}"))
        save_attendee(session, Attendee(first_name="Zsófia", last_name="Prágai", organisation="Silesia Hub",
                                        badge_code=f"BX{next(codes):08d}"))
    with Session(context.engine) as session:
        for typed in ("marek pr", "PR MAREK", "marek przeor", "przeor mar"):
            hits = search_people_rows(session, typed)
            assert [h.person["last_name"] for h in hits] == ["Przeor"], typed
        assert [h.person["last_name"] for h in search_people_rows(session, "silesia prag")] == ["Prágai"]
        assert len(search_people_rows(session, "marek", limit=20)) == 20
        exact = search_people_rows(session, "marek nowak007")
        assert exact[0].person["last_name"] == "Nowak007" and exact[0].rank == 0
        assert exact[0].person["blocked"] is False
    context.engine.dispose()
