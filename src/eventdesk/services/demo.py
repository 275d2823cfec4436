"""The European Cluster Conference 2024 demo event, built from the data files in
``fixtures/ecc2024`` (shipped in the wheel).

Everybody named in the seeds comes from ``people.json``; the 6 May agenda from
``agenda-2024-05-06.json`` (exactly as seed 004 gives it); the conference from
``agenda-2024-05-07-08.json``. The other people are generated with a fixed random seed from the
per-country name files in ``names/`` and ``organisations.csv``, so every build holds the same
people (badge codes come from ``code_factory``: random unless a test seeds it). The matchmaking
meetings are placed by a simple deterministic greedy pass (nobody and no table double-booked); the
real scheduler lives with the meetings."""

from __future__ import annotations

import csv
import json
import random
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session as DbSession

from eventdesk.domain.codes import CodeFactory, new_badge_code
from eventdesk.domain.text import fold
from eventdesk.resources import resource_dir
from eventdesk.services.events import EventError, ensure_main_entrance
from eventdesk.store import migrate
from eventdesk.store.attendees import index_new_attendees
from eventdesk.store.db import StoreError, bump, current_event, drop_tables, holds_event, make_engine, session_scope
from eventdesk.store.models import (
    Attendee,
    CheckinList,
    Event,
    Meeting,
    MeetingRequest,
    MeetingSlot,
    MeetingTable,
    Room,
    Session,
    SessionSpeaker,
)
from eventdesk.store.rows import saved_id

DEMO_FOLDER = "ecc2024"


def fixture_dir() -> Path:
    return resource_dir("fixtures") / DEMO_FOLDER


# --------------------------------------------------------------------------------------------
# The fixture files


@dataclass(frozen=True)
class Organisation:
    name: str
    domain: str
    country: str


@dataclass(frozen=True)
class CountryNames:
    country: str
    name: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    surnames: tuple[str, ...]  # "Kowalski|Kowalska" where the surname has a female form

    def surname(self, raw: str, female: bool) -> str:
        forms = raw.split("|")
        return forms[-1] if female else forms[0]


@dataclass
class DemoFixture:
    config: dict[str, Any]
    named: list[dict[str, Any]]
    agenda_day0: dict[str, Any]
    conference: dict[str, Any]
    names: dict[str, CountryNames]
    organisations: dict[str, list[Organisation]]  # by country

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.config["event"]["timezone"])

    def known_organisation(self, name: str) -> Organisation | None:
        groups = self.config["people"]["organisations"]
        for org in [o for group in groups.values() for o in group]:
            if org["name"] == name:
                return Organisation(org["name"], org["domain"], org["country"])
        for orgs in self.organisations.values():
            for org in orgs:
                if org.name == name:
                    return org
        return None


def load_fixture(folder: Path | None = None) -> DemoFixture:
    folder = folder or fixture_dir()
    with (folder / "event.toml").open("rb") as handle:
        config = tomllib.load(handle)
    names = {}
    for path in sorted((folder / "names").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        names[data["country"]] = CountryNames(
            data["country"], data["name"], tuple(data["female"]), tuple(data["male"]), tuple(data["surnames"])
        )
    organisations: dict[str, list[Organisation]] = {}
    with (folder / "organisations.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            organisations.setdefault(row["country"], []).append(
                Organisation(row["name"], row["domain"], row["country"])
            )
    return DemoFixture(
        config=config,
        named=json.loads((folder / "people.json").read_text(encoding="utf-8"))["people"],
        agenda_day0=json.loads((folder / "agenda-2024-05-06.json").read_text(encoding="utf-8")),
        conference=json.loads((folder / "agenda-2024-05-07-08.json").read_text(encoding="utf-8")),
        names=names,
        organisations=organisations,
    )


# --------------------------------------------------------------------------------------------
# People (pure and deterministic: no database, no badge codes)


@dataclass
class Person:
    first_name: str
    last_name: str
    role: str
    organisation: str
    email: str
    country: str
    category: str
    ref: str | None = None  # key in people.json for the people the seeds name

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def email_local_part(first_name: str, last_name: str, country: str = "") -> str:
    """``Kristina Šermukšnytė-Alešiūnienė`` -> ``kristina.sermuksnyte-alesiuniene``; German and
    Austrian addresses spell umlauts out (``Nögel`` -> ``noegel``)."""

    def part(text: str) -> str:
        if country in ("DE", "AT"):
            text = text.translate(_UMLAUTS)
        return re.sub(r"[^a-z0-9-]", "", fold(text).replace(" ", ""))

    return f"{part(first_name)}.{part(last_name)}"


class _Registry:
    """Hands out unique names and e-mail addresses."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.emails: set[str] = set()

    def email(self, first_name: str, last_name: str, domain: str, country: str) -> str:
        local = email_local_part(first_name, last_name, country)
        # Invented people get addresses under the reserved .example TLD (RFC 2606): a demo
        # address can never reach a real organisation's mailbox.
        domain = domain.rsplit(".", 1)[0] + ".example"
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate)
        return candidate


@dataclass
class PeoplePlan:
    named: list[Person]
    speakers: list[Person]  # generated speakers, in the order the agenda uses them
    organisers: list[Person]
    staff: list[Person]
    press: list[Person]
    participants: list[Person]

    def everybody(self) -> list[Person]:
        return self.named + self.speakers + self.organisers + self.staff + self.press + self.participants


def generated_speaker_slots(fixture: DemoFixture) -> list[dict[str, Any]]:
    return [
        speaker
        for day in fixture.conference["days"]
        for item in day["sessions"]
        for speaker in item.get("speakers", [])
        if speaker.get("generated")
    ]


def plan_people(fixture: DemoFixture) -> PeoplePlan:
    conf = fixture.config["people"]
    rng = random.Random(conf["seed"])
    registry = _Registry()
    roles = conf["roles"]

    def new_person(country: str, category: str, role: str, org: Organisation) -> Person:
        names = fixture.names[country]
        while True:
            female = rng.random() < 0.5
            first = rng.choice(names.female if female else names.male)
            last = names.surname(rng.choice(names.surnames), female)
            if f"{first} {last}" not in registry.names:
                break
        registry.names.add(f"{first} {last}")
        return Person(
            first, last, role, org.name, registry.email(first, last, org.domain, country), org.country, category
        )

    named = []
    for entry in fixture.named:
        registry.names.add(f"{entry['first_name']} {entry['last_name']}")
        named.append(
            Person(
                entry["first_name"],
                entry["last_name"],
                entry["role"],
                entry["organisation"],
                registry.email(entry["first_name"], entry["last_name"], entry["domain"], entry["country"]),
                entry["country"],
                entry["category"],
                ref=entry["ref"],
            )
        )

    countries = list(conf["country_weights"])
    weights = [conf["country_weights"][c] for c in countries]

    def weighted_country() -> str:
        return rng.choices(countries, weights)[0]

    def org_of(country: str) -> Organisation:
        return rng.choice(fixture.organisations[country])

    n_speakers = conf["speakers"] - sum(p.category == "speaker" for p in named)
    slots = generated_speaker_slots(fixture)
    if len(slots) < n_speakers:
        raise ValueError(f"the conference agenda has {len(slots)} generated speaker places for {n_speakers} speakers")
    speakers = []
    for slot in slots[:n_speakers]:
        org = fixture.known_organisation(slot["organisation"]) if "organisation" in slot else None
        if "organisation" in slot and org is None:
            raise ValueError(f"unknown organisation {slot['organisation']!r} in the conference agenda")
        country = org.country if org else weighted_country()
        # EU officials come from every member state; their organisation is in Brussels.
        name_country = weighted_country() if org and org.country == "BE" else country
        person = new_person(
            name_country, "speaker", slot.get("role") or rng.choice(roles["speaker"]), org or org_of(country)
        )
        person.country = country
        speakers.append(person)

    def group(category: str, count: int) -> list[Person]:
        orgs = [Organisation(o["name"], o["domain"], o["country"]) for o in conf["organisations"][category]]
        people = []
        for _ in range(count):
            org = rng.choice(orgs)
            name_country = weighted_country() if category == "organiser" else org.country
            person = new_person(name_country, category, rng.choice(roles[category]), org)
            person.country = org.country
            people.append(person)
        return people

    organisers = group("organiser", conf["organisers"] - sum(p.category == "organiser" for p in named))
    staff = group("staff", conf["staff"])
    press = group("press", conf["press"])

    n_participants = conf["total"] - len(named) - len(speakers) - len(organisers) - len(staff) - len(press)
    # Every country at least once, then by weight.
    participant_countries = countries + [weighted_country() for _ in range(n_participants - len(countries))]
    participants = [
        new_person(c, "participant", rng.choice(roles["participant"]), org_of(c)) for c in participant_countries
    ]
    return PeoplePlan(named, speakers, organisers, staff, press, participants)


# --------------------------------------------------------------------------------------------
# Matchmaking (pure): requests between participants and their greedy placement


@dataclass
class PlacedRequest:
    a: int  # indexes into the matchmaking participants
    b: int
    topic: str
    slot: int | None = None
    table: int | None = None  # table number, 1..N


def plan_requests(
    rng: random.Random, participants: int, count: int, max_per_person: int, topics: list[str]
) -> list[PlacedRequest]:
    """``count`` distinct pairs, nobody in more than ``max_per_person`` of them."""
    seen: set[tuple[int, int]] = set()
    degree = [0] * participants
    requests: list[PlacedRequest] = []
    attempts = 0
    while len(requests) < count and attempts < count * 50:
        attempts += 1
        a, b = rng.sample(range(participants), 2)
        pair = (min(a, b), max(a, b))
        if pair in seen or degree[a] >= max_per_person or degree[b] >= max_per_person:
            continue
        seen.add(pair)
        degree[a] += 1
        degree[b] += 1
        requests.append(PlacedRequest(a, b, rng.choice(topics)))
    return requests


def place_requests(requests: Iterable[PlacedRequest], slots: int, tables: int) -> None:
    """Greedy: each request in turn goes to the least-used slot in which both people and a table are
    free, at the lowest free table number. Requests that fit nowhere keep ``slot = None``."""
    busy_people: list[set[int]] = [set() for _ in range(slots)]
    used_tables: list[int] = [0] * slots  # tables fill from 1 upwards, so a count says which is next
    for request in requests:
        free = [
            s
            for s in range(slots)
            if used_tables[s] < tables and request.a not in busy_people[s] and request.b not in busy_people[s]
        ]
        if not free:
            continue
        slot = min(free, key=lambda s: (used_tables[s], s))
        busy_people[slot].update((request.a, request.b))
        used_tables[slot] += 1
        request.slot, request.table = slot, used_tables[slot]


def slot_times(day: date, blocks: list[list[str]], minutes: int, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    result = []
    for start_text, end_text in blocks:
        start = datetime.combine(day, time.fromisoformat(start_text), zone)
        end = datetime.combine(day, time.fromisoformat(end_text), zone)
        while start + timedelta(minutes=minutes) <= end:
            result.append((start, start + timedelta(minutes=minutes)))
            start += timedelta(minutes=minutes)
    return result


# --------------------------------------------------------------------------------------------
# Writing the store


def demo_exists(db: str) -> bool:
    """Whether the database at ``db`` (path or URL) already holds an event."""
    try:
        engine = make_engine(db, create=False)
    except StoreError:
        return False
    try:
        return holds_event(engine)
    finally:
        engine.dispose()


def remove_demo(db: str) -> None:
    """Delete the demo at ``db`` before a rebuild (``--fresh``): its files, or on a server its
    tables, but only when what is there is the demo: another event is never dropped."""
    if "://" not in db:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        return
    if not demo_exists(db):
        return
    name = load_fixture().config["event"]["name"]
    engine = make_engine(db, create=False)
    try:
        with DbSession(engine) as session:
            existing = current_event(session)
        if existing is not None and existing.name != name:
            raise EventError(
                f"This database holds the event '{existing.name}', not the demo; "
                "--fresh rebuilds only the demo. Give the demo a database of its own."
            )
        drop_tables(engine)
    finally:
        engine.dispose()


def create_demo(db: str, *, code_factory: CodeFactory = new_badge_code) -> None:
    """Build the demo event in a new (or empty) database at ``db``, in one transaction."""
    fixture = load_fixture()
    plan = plan_people(fixture)
    engine = make_engine(db)
    try:
        migrate.upgrade(engine)
        with DbSession(engine) as session:
            existing = current_event(session)
        if existing is not None:
            raise EventError(
                f"This database already holds the event '{existing.name}'; "
                "use 'eventdesk demo --fresh' to rebuild the demo."
            )
        with session_scope(engine) as session:
            _Builder(session, fixture, plan, code_factory).build()
    finally:
        engine.dispose()


@dataclass
class _Builder:
    session: DbSession
    fixture: DemoFixture
    plan: PeoplePlan
    code_factory: CodeFactory
    attendees: dict[int, Attendee] = field(default_factory=dict)  # id(Person) -> Attendee
    rooms: dict[str, Room] = field(default_factory=dict)

    def build(self) -> None:
        cfg = self.fixture.config["event"]
        self.session.add(
            Event(
                name=cfg["name"],
                venue=cfg["venue"],
                timezone=cfg["timezone"],
                start_date=cfg["start"],
                end_date=cfg["end"],
            )
        )
        self._rooms_and_lists()
        self._attendees()
        self._agenda()
        self._matchmaking()
        for area in ("attendees", "agenda", "meetings", "checkin"):
            bump(self.session, area)

    def _rooms_and_lists(self) -> None:
        ensure_main_entrance(self.session)
        for position, spec in enumerate(self.fixture.config["rooms"]):
            room = Room(name=spec["name"], capacity=spec.get("capacity"), position=position)
            self.session.add(room)
            self.rooms[room.name] = room
        self.session.flush()
        for spec in self.fixture.config["rooms"]:
            if spec.get("checkin"):
                self.session.add(
                    CheckinList(name=spec["name"], kind=spec["checkin"], room_id=self.rooms[spec["name"]].id)
                )

    def _attendees(self) -> None:
        people = self.plan.everybody()
        rows = [
            Attendee(
                first_name=p.first_name,
                last_name=p.last_name,
                role=p.role,
                organisation=p.organisation,
                email=p.email,
                country=p.country,
                category=p.category,
                badge_code=self.code_factory(),
            )
            for p in people
        ]
        self.session.add_all(rows)
        self.session.flush()
        for person, attendee in zip(people, rows):
            self.attendees[id(person)] = attendee
        index_new_attendees(self.session, rows)

    def _attendee(self, person: Person) -> Attendee:
        return self.attendees[id(person)]

    def _at(self, day: str, clock: str) -> datetime:
        return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), self.fixture.zone)

    def _agenda(self) -> None:
        named = {p.ref: p for p in self.plan.named if p.ref is not None}  # every named person has one
        day0 = self.fixture.agenda_day0
        for item in day0["sessions"]:
            speakers = [
                (named[s["ref"]], s["role"], s["organisation"], s.get("talk", "")) for s in item.get("speakers", [])
            ]
            self._session(day0["day"], item, day0["track"], speakers, named)
        generated = iter(self._generated_speaker_turns())
        for day in self.fixture.conference["days"]:
            for item in day["sessions"]:
                speakers = []
                for s in item.get("speakers", []):
                    person = next(generated) if s.get("generated") else named[s["ref"]]
                    speakers.append(
                        (person, s.get("role", person.role), s.get("organisation", person.organisation), "")
                    )
                self._session(day["day"], item, item.get("track", ""), speakers, named)

    def _generated_speaker_turns(self) -> list[Person]:
        """Generated speakers in agenda order: each once, then again from the first."""
        count = len(generated_speaker_slots(self.fixture))
        speakers = self.plan.speakers
        return [speakers[i % len(speakers)] for i in range(count)]

    def _session(
        self,
        day: str,
        item: dict[str, Any],
        track: str,
        speakers: list[tuple[Person, str, str, str]],
        named: dict[str, Person],
    ) -> None:
        chair = item.get("chair")
        chair_name = speakers[chair][0].name if isinstance(chair, int) else named[chair].name if chair else ""
        session = Session(
            source_ref=f"{DEMO_FOLDER}:{item['id']}",
            title=item["title"],
            type=item["type"],
            start=self._at(day, item["start"]),
            end=self._at(day, item["end"]),
            room_id=self.rooms[item["room"]].id,
            track=track,
            chair=chair_name,
            description=_description(item.get("description", ""), speakers),
        )
        self.session.add(session)
        self.session.flush()
        for position, (person, role, organisation, _talk) in enumerate(speakers):
            self.session.add(
                SessionSpeaker(
                    session_id=saved_id(session),
                    position=position,
                    name=person.name,
                    role=role,
                    organisation=organisation,
                    attendee_id=self._attendee(person).id,
                )
            )

    def _matchmaking(self) -> None:
        cfg = self.fixture.config["matchmaking"]
        rng = random.Random(self.fixture.config["people"]["seed"] + 1)
        times = slot_times(cfg["day"], cfg["blocks"], cfg["slot_minutes"], self.fixture.zone)
        slots = [MeetingSlot(start=start, end=end) for start, end in times]
        tables = [MeetingTable(number=n, label=f"Table {n}") for n in range(1, cfg["tables"] + 1)]
        self.session.add_all([*slots, *tables])
        participants = sorted(rng.sample(range(len(self.plan.participants)), cfg["participants"]))
        people = [self._attendee(self.plan.participants[i]) for i in participants]
        requests = plan_requests(rng, len(people), cfg["requests"], cfg["max_requests_per_person"], cfg["topics"])
        place_requests(requests, len(slots), len(tables))
        self.session.flush()
        placed = [r for r in requests if r.slot is not None]
        meetings = []
        for r in placed:
            assert r.slot is not None and r.table is not None  # place_requests sets both or neither
            meetings.append(
                Meeting(
                    slot_id=saved_id(slots[r.slot]),
                    table_id=saved_id(tables[r.table - 1]),
                    attendee_a_id=saved_id(people[r.a]),
                    attendee_b_id=saved_id(people[r.b]),
                    state="scheduled",
                    notes=r.topic,
                )
            )
        self.session.add_all(meetings)
        self.session.flush()
        meeting_of = {id(r): m for r, m in zip(placed, meetings)}
        self.session.add_all(
            [
                MeetingRequest(
                    attendee_a_id=saved_id(people[r.a]),
                    attendee_b_id=saved_id(people[r.b]),
                    notes=r.topic,
                    meeting_id=meeting_of[id(r)].id if id(r) in meeting_of else None,
                    unplaced_reason="" if id(r) in meeting_of else "no slot free for both",
                )
                for r in requests
            ]
        )


def _description(text: str, speakers: list[tuple[Person, str, str, str]]) -> str:
    """The talks of the block in order, one per line ("• Title (Speaker, Speaker)"), then the
    block's own text: the chair reads the running order first."""
    talks: list[tuple[str, list[str]]] = []
    for person, _role, _org, talk in speakers:
        if not talk:
            continue
        if talks and talks[-1][0] == talk:
            talks[-1][1].append(person.name)
        else:
            talks.append((talk, [person.name]))
    lines = [f"• {title} ({', '.join(names)})" for title, names in talks]
    if text:
        lines.append(text)
    return "\n".join(lines)
