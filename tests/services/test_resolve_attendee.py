"""ATTENDEE on the command line and at the desks: one way to name a person everywhere."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from eventdesk.domain.codes import new_badge_code
from eventdesk.services.attendees import PersonNotFound, resolve_attendee
from eventdesk.services.context import open_context
from eventdesk.store.attendees import save_attendee
from eventdesk.store.models import Attendee


@pytest.fixture
def people(tmp_db):
    context = open_context(tmp_db)
    with context.session() as session:
        made = [
            save_attendee(session, Attendee(first_name=f, last_name=last, email=e, badge_code=new_badge_code()))
            for f, last, e in (
                ("Lukas", "Nögel", "lukas@example.org"),
                ("Lukas", "Nögelmann", "ln@example.org"),
                ("Kíncső", "Izsak", "kincso@example.org"),
            )
        ]
    return context, {a.last_name: a for a in made}


@pytest.mark.parametrize("text", ["{code}", "{lower}", "{id}", "kincso@example.org", "izsak", "  Kíncső Izsak "])
def test_a_person_is_named_by_code_id_email_or_a_unique_name(people, text):
    context, made = people
    izsak = made["Izsak"]
    typed = text.format(code=izsak.badge_code, lower=izsak.badge_code.lower(), id=izsak.id)
    with Session(context.engine) as session:
        assert resolve_attendee(session, typed).id == izsak.id


def test_an_exact_full_name_wins_over_longer_names(people):
    context, made = people
    with Session(context.engine) as session:
        assert resolve_attendee(session, "lukas nogel").id == made["Nögel"].id
        with pytest.raises(PersonNotFound, match=r"'lukas' matches 2 people: .*Use the badge code"):
            resolve_attendee(session, "lukas")
        with pytest.raises(PersonNotFound, match="Nobody has the e-mail x@example.org"):
            resolve_attendee(session, "x@example.org")
        with pytest.raises(PersonNotFound, match="Nobody matches 'zzz'"):
            resolve_attendee(session, "zzz")
