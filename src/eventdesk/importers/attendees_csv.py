"""Attendee lists as CSV: the pretix check-in list export, the Eventbrite attendee report, and any
other CSV with recognisable header names.

Pure: bytes in, plain rows and problems out; matching against the store happens in
``eventdesk.services.import_attendees``. Line numbers are physical lines of the file, the header
being line 1, so a person can find the row in an editor."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from eventdesk.domain.text import fold
from eventdesk.importers.csv_text import UndecodableText, decode_text, sniff_delimiter

FORMATS = ("auto", "csv", "pretix", "eventbrite")
FORMAT_LABELS = {
    "pretix": "pretix check-in list export",
    "eventbrite": "Eventbrite attendee report",
    "csv": "CSV with named columns",
}
CATEGORIES = ("participant", "speaker", "press", "staff", "organiser")

MAX_FIELD = 200  # names, e-mail, organisation...: longer means a runaway quote, not a name
MAX_NOTE = 1000
MAX_PROBLEMS = 100  # enough to fix a file in one go; a file that is wrong everywhere stops here

# Attendee fields an import may set. ``badge_code`` and ``source_ref`` are handled apart.
PERSON_FIELDS = (
    "first_name",
    "last_name",
    "badge_name",
    "pronouns",
    "organisation",
    "role",
    "email",
    "country",
    "category",
    "status",
    "note",
)

# Generic header names (folded, letters/digits/# only) -> attendee field.
GENERIC_HEADERS: dict[str, tuple[str, ...]] = {
    "first_name": ("firstname", "givenname", "forename", "first", "given", "vorname", "prenom", "ticketfirstname"),
    "last_name": (
        "lastname",
        "surname",
        "familyname",
        "family",
        "last",
        "nachname",
        "familienname",
        "nom",
        "nomdefamille",
        "ticketlastname",
    ),
    "full_name": (
        "name",
        "fullname",
        "attendeename",
        "participantname",
        "displayname",
        "nomcomplet",
        "ticketfullname",
        "ticketname",
    ),
    "badge_name": (
        "badgename",
        "nameonbadge",
        "nameonthebadge",
        "badgefirstname",
        "preferredname",
        "rufname",
        "whatnamewouldyoulikeprintedonyourbadge",
        "whatnamewouldyoulikeonyourbadge",
        "nameforbadge",
        "nameforyourbadge",
        "displaynameonbadge",
    ),
    "pronouns": ("pronouns", "pronoun", "yourpronouns", "whatareyourpronouns", "pronomen", "pronoms"),
    "email": (
        "email",
        "emailaddress",
        "mail",
        "emailadresse",
        "courriel",
        "adresseemail",
        "attendeeemail",
        "ticketemail",
    ),
    "organisation": (
        "company",
        "organisation",
        "organization",
        "org",
        "companyname",
        "institution",
        "affiliation",
        "employer",
        "firma",
        "unternehmen",
        "organisme",
        "entreprise",
        "societe",
        "ticketcompanyname",
        "ticketcompany",
    ),
    "country": ("country", "countrycode", "land", "pays"),
    "category": ("category", "attendeecategory", "kategorie", "categorie"),
    "ticket_type": ("tickettype", "ticket", "product", "type", "attendeetype", "registrationtype"),
    "code": (
        "code",
        "badgecode",
        "secret",
        "ticketcode",
        "barcode",
        "qrcode",
        "ticketsecret",
        "badge",
        "ticketreference",
        "ticketslug",
    ),
    "note": ("note", "notes", "comment", "comments", "remark", "remarks", "bemerkung", "kommentar"),
    "role": ("role", "jobtitle", "position", "function", "funktion", "fonction", "ticketjobtitle"),
    "status": ("status", "attendeestatus", "registrationstatus"),
}
_GENERIC_LOOKUP = {key: target for target, keys in GENERIC_HEADERS.items() for key in keys}
# What ``--map FIELD=COLUMN`` accepts: the fields above, with ``name`` for a full name column.
MAP_FIELDS = (
    "first_name",
    "last_name",
    "name",
    "badge_name",
    "pronouns",
    "organisation",
    "role",
    "email",
    "country",
    "category",
    "code",
    "status",
)
_MAP_TARGET = {"name": "full_name"}


def question_field(key: str) -> str | None:
    """A registration question asked as a column (Tito, Eventbrite, pretix export each question
    under its text): "What are your pronouns?" -> pronouns, "Name for your badge" -> badge_name."""
    if "pronoun" in key:
        return "pronouns"
    if "badge" in key and "name" in key and "code" not in key:
        return "badge_name"
    return None


# Values of an explicit category column.
CATEGORY_VALUES = {
    "participant": ("participant", "attendee", "delegate", "visitor", "general", ""),
    "speaker": ("speaker", "presenter", "panelist", "panellist"),
    "press": ("press", "media", "journalist"),
    "staff": ("staff", "crew", "volunteer"),
    "organiser": ("organiser", "organizer"),
}
_CATEGORY_LOOKUP = {value: cat for cat, values in CATEGORY_VALUES.items() for value in values}
# A ticket type / product name containing one of these words gives that category (first match).
_PRODUCT_WORDS = (
    ("speaker", re.compile(r"speaker")),
    ("press", re.compile(r"press")),
    ("staff", re.compile(r"staff")),
    ("organiser", re.compile(r"organi[sz]er")),
)
STATUS_VALUES = {
    "active": ("active", "attending", "confirmed", "paid", "registered", "checkedin", "valid", ""),
    "cancelled": ("cancelled", "canceled", "refunded", "notattending", "declined", "deleted", "void"),
}
_STATUS_LOOKUP = {value: status for status, values in STATUS_VALUES.items() for value in values}
_EVENTBRITE_ATTENDING = {"attending", "checkedin", ""}

_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x1f\x7f-\x9f\s]+")


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, no header, no name column, wrong format)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class AttendeeRow:
    """One person as the file describes them. Only the fields in ``ParsedFile.fields`` come from the
    file; the others keep their defaults and must not overwrite what the store holds."""

    line: int
    first_name: str = ""
    last_name: str = ""
    badge_name: str = ""
    pronouns: str = ""
    organisation: str = ""
    role: str = ""
    email: str = ""
    country: str = ""
    category: str = "participant"
    status: str = "active"
    note: str = ""
    badge_code: str = ""  # empty: keep the person's code, or generate one for a new person
    source_ref: str | None = None  # key in the system the file came from

    def match_key(self) -> tuple[str, str]:
        return person_key(self.first_name, self.last_name, self.email)


def person_key(first_name: str, last_name: str, email: str) -> tuple[str, str]:
    """Name and e-mail as compared for matching: accents, case, spacing and where the name was
    split into first and last ignored."""
    return _name_key(first_name, last_name), email.strip().casefold()


@lru_cache(maxsize=65536)
def _name_key(first_name: str, last_name: str) -> str:
    """Cached: an import compares 100,000 people and their names repeat; each is folded once."""
    return " ".join(fold(f"{first_name} {last_name}").split())


@dataclass
class ParsedFile:
    format: str  # pretix | eventbrite | csv
    encoding: str  # "UTF-8", "UTF-8 with BOM", "cp1252", "UTF-16"
    delimiter: str
    fields: frozenset[str]  # the attendee fields this file sets (see PERSON_FIELDS)
    rows: list[AttendeeRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0  # all problems, also those beyond MAX_PROBLEMS
    ignored_columns: list[str] = field(default_factory=list)  # generic CSV only
    ref_label: str = "key"  # what source_ref is made of, for messages
    columns: dict[str, str] = field(default_factory=dict)  # attendee field -> the column it is read from

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]

    @property
    def delimiter_label(self) -> str:
        return {"\t": "tab", ",": "','", ";": "';'"}[self.delimiter]

    def add_problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(RowProblem(line, message))


# --- bytes -> text -----------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of its encoding (see ``csv_text.decode_text``)."""
    try:
        return decode_text(data)
    except UndecodableText as error:
        raise FileProblem(str(error)) from None


@lru_cache(maxsize=4096)  # also the values of category and status columns: a few distinct ones per file
def header_key(name: str) -> str:
    """``"E-Mail "`` -> ``"email"``, ``"Attendee #"`` -> ``"attendee#"``, ``"Prénom"`` -> ``"prenom"``."""
    return re.sub(r"[^a-z0-9#]", "", fold(name))


# --- cleaning and value rules ------------------------------------------------------------------


def clean(value: str) -> str:
    """Outside text as stored: NFC, control characters and runs of white space made one space."""
    if value.isascii() and value.isprintable() and "  " not in value:  # most values: nothing to change inside
        return value.strip()
    return _CONTROL_OR_SPACE.sub(" ", unicodedata.normalize("NFC", value)).strip()


# Words that belong to the family name that follows them ("van der Berg", "de la Cruz", "bin Said").
NAME_PARTICLES = frozenset(
    {
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "dei",
        "degli",
        "di",
        "da",
        "das",
        "do",
        "dos",
        "du",
        "des",
        "la",
        "le",
        "lo",
        "ter",
        "ten",
        "te",
        "op",
        "het",
        "zu",
        "zum",
        "zur",
        "af",
        "av",
        "bin",
        "ibn",
        "bint",
        "al",
        "el",
        "mac",
        "st",
        "st.",
        "y",
    }
)


def split_full_name(name: str) -> tuple[str, str]:
    """A full name as first and last name: the last word is the family name, with the particles
    before it ("Ursula von der Leyen" -> ("Ursula", "von der Leyen"), "Maria de la Cruz" ->
    ("Maria", "de la Cruz"), "Jean Paul Sartre" -> ("Jean Paul", "Sartre")). A name of one
    word is a first name."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip(), ""
    start = len(parts) - 1
    while start > 1 and parts[start - 1].casefold() in NAME_PARTICLES:
        start -= 1
    return " ".join(parts[:start]), " ".join(parts[start:])


@lru_cache(maxsize=4096)  # a file has a few ticket types, on 100,000 rows
def category_from_product(product: str) -> str:
    """A ticket type or product naming speaker/press/staff/organiser gives that category."""
    folded = fold(product)
    for category, pattern in _PRODUCT_WORDS:
        if pattern.search(folded):
            return category
    return "participant"


def normal_country(value: str) -> str:
    return value.upper() if len(value) == 2 and value.isalpha() else value


def valid_code(code: str) -> bool:
    return 0 < len(code) <= MAX_FIELD and code.isprintable() and not any(ch.isspace() for ch in code)


# --- reading records ---------------------------------------------------------------------------


def _records(text: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields); blank lines skipped. A quoting error is raised as
    _QuotingError with the line of the record it is in."""
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=True
    )
    previous_end = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise _QuotingError(previous_end + first_line, str(error)) from None
        start = previous_end + 1
        previous_end = reader.line_num
        if record and any(value.strip() for value in record):
            yield start + first_line - 1, record


class _QuotingError(Exception):
    def __init__(self, line: int, detail: str) -> None:
        super().__init__(detail)
        self.line = line
        self.detail = detail


def detect_format(keys: Iterable[str]) -> str:
    keys = set(keys)
    if {"secret", "ordercode"} <= keys:
        return "pretix"
    if "attendee#" in keys and ("attendeestatus" in keys or "tickettype" in keys):
        return "eventbrite"
    return "csv"


# --- per-format row builders -------------------------------------------------------------------
# Each builder gets {header key: value} (first column wins for a repeated key) and the line, and
# returns an AttendeeRow or raises _Bad(message).


class _Bad(Exception):
    pass


def _pick(values: dict[str, str], *keys: str) -> str:
    for key in keys:
        value = values.get(key, "")
        if value.strip():
            return value
    return ""


def _text(value: str, label: str, limit: int = MAX_FIELD) -> str:
    if len(value) > limit:
        raise _Bad(f"'{label}' is {len(value)} characters long (an unclosed quote?)")
    return clean(value)


def _email(value: str, label: str) -> str:
    email = _text(value, label)
    if email and not _EMAIL.match(email):
        raise _Bad(f"'{label}' is not an e-mail address")
    return email


def _code(value: str, label: str) -> str:
    code = value.strip()
    if code and not valid_code(code):
        raise _Bad(f"'{label}' is not a usable badge code (spaces, control characters or over {MAX_FIELD} characters)")
    return code


def _require_name(first: str, last: str, what: str) -> None:
    if not first and not last:
        raise _Bad(f"no name ({what})")


@dataclass(frozen=True)
class _Layout:
    """How one file's columns become attendee fields."""

    format: str
    fields: frozenset[str]
    build: Callable[[Any, int], AttendeeRow]  # takes {header key: value}, or the list of values when by_index
    ref_label: str
    ignored: tuple[str, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()  # (field, column as written) for the dry run
    by_index: bool = False  # ``build`` takes the record itself (list of values) instead of {header key: value}


def _called_columns(keys: Iterable[str]) -> dict[str, str]:
    """badge_name / pronouns -> header key of the first column asking for it (pretix, Eventbrite)."""
    found: dict[str, str] = {}
    for key in keys:
        target = _GENERIC_LOOKUP.get(key) or question_field(key)
        if target in ("badge_name", "pronouns"):
            found.setdefault(target, key)
    return found


def _used(
    header: list[str], keys: Mapping[str, int], wanted: Iterable[tuple[str, tuple[str, ...]]]
) -> tuple[tuple[str, str], ...]:
    """(field, column as written) for the dry run: each field from the first of its header keys the file has."""
    out = []
    for target, candidates in wanted:
        key = next((k for k in candidates if k in keys), None)
        if key is not None:
            out.append((target, header[keys[key]]))
    return tuple(out)


def _called(v: dict[str, str], columns: dict[str, str]) -> dict[str, str]:
    return {target: _text(v.get(key, ""), target.replace("_", " ")) for target, key in columns.items()}


_PRETIX_FIRST = ("attendeenamefirstname", "attendeenamegivenname")
_PRETIX_MIDDLE = ("attendeenamemiddlename",)
_PRETIX_LAST = ("attendeenamefamilyname", "attendeenamelastname", "attendeenamesurname")


def _pretix_layout(keys: Mapping[str, int], header: list[str]) -> _Layout:
    if "secret" not in keys:
        raise FileProblem("This is not a pretix check-in list export: it has no 'Secret' column.")
    fields = {"first_name", "last_name", "category", "email", "note"}
    called = _called_columns(keys)
    fields.update(called)
    if "company" in keys:
        fields.add("organisation")
    if "country" in keys:
        fields.add("country")
    if not {"attendeename", *_PRETIX_FIRST, *_PRETIX_LAST} & set(keys):
        raise FileProblem(
            "This pretix export has no attendee name column ('Attendee name'); "
            "export the check-in list with attendee names."
        )

    def build(v: dict[str, str], line: int) -> AttendeeRow:
        first = " ".join(
            p
            for p in (
                _text(_pick(v, *_PRETIX_FIRST), "Attendee name: First name"),
                _text(_pick(v, *_PRETIX_MIDDLE), "Attendee name: Middle name"),
            )
            if p
        )
        last = _text(_pick(v, *_PRETIX_LAST), "Attendee name: Family name")
        if not first and not last:
            first, last = split_full_name(_text(v.get("attendeename", ""), "Attendee name"))
        _require_name(first, last, "'Attendee name' and its parts are empty")
        code = _code(v.get("secret", ""), "Secret")
        if not code:
            raise _Bad("no 'Secret' (the ticket's code)")
        notes = []
        if fold(v.get("requiresspecialattention", "")).strip() in ("yes", "ja", "oui", "true", "1"):
            notes.append("Requires special attention")
        comment = _text(v.get("comment", ""), "Comment", MAX_NOTE)
        if comment:
            notes.append(comment)
        return AttendeeRow(
            line=line,
            first_name=first,
            last_name=last,
            organisation=_text(v.get("company", ""), "Company"),
            email=_email(_pick(v, "attendeeemail", "email"), "E-mail"),
            country=normal_country(_text(v.get("country", ""), "Country")),
            category=category_from_product(v.get("product", "")),
            note="; ".join(notes),
            badge_code=code,
            source_ref=f"pretix:{code}",
            **_called(v, called),
        )

    names = (
        (("first_name", _PRETIX_FIRST), ("last_name", _PRETIX_LAST))
        if {*_PRETIX_FIRST, *_PRETIX_LAST} & set(keys)
        else (("name", ("attendeename",)),)
    )
    used = _used(
        header,
        keys,
        (
            *names,
            ("email", ("attendeeemail", "email")),
            ("organisation", ("company",)),
            ("country", ("country",)),
            ("category (from the product)", ("product",)),
            ("note", ("requiresspecialattention", "comment")),
            ("code", ("secret",)),
            *((t, (k,)) for t, k in called.items()),
        ),
    )
    return _Layout("pretix", frozenset(fields), build, "pretix secret", columns=used)


def _eventbrite_layout(keys: Mapping[str, int], header: list[str]) -> _Layout:
    fields = {"first_name", "last_name", "email", "category", "status"}
    called = _called_columns(keys)
    fields.update(called)
    for key, name in (("company", "organisation"), ("jobtitle", "role"), ("homecountry", "country")):
        if key in keys:
            fields.add(name)

    def build(v: dict[str, str], line: int) -> AttendeeRow:
        first = _text(v.get("firstname", ""), "First Name")
        last = _text(v.get("lastname", ""), "Last Name")
        _require_name(first, last, "'First Name' and 'Last Name' are both empty")
        number = v.get("attendee#", "").strip()
        if not number:
            raise _Bad("no 'Attendee #'")
        status = "active" if header_key(v.get("attendeestatus", "")) in _EVENTBRITE_ATTENDING else "cancelled"
        return AttendeeRow(
            line=line,
            first_name=first,
            last_name=last,
            organisation=_text(v.get("company", ""), "Company"),
            role=_text(v.get("jobtitle", ""), "Job Title"),
            email=_email(v.get("email", ""), "Email"),
            country=normal_country(_text(v.get("homecountry", ""), "Home Country")),
            category=category_from_product(v.get("tickettype", "")),
            status=status,
            source_ref=f"eventbrite:{_text(number, 'Attendee #')}",
            **_called(v, called),
        )

    used = _used(
        header,
        keys,
        (
            ("first_name", ("firstname",)),
            ("last_name", ("lastname",)),
            ("email", ("email",)),
            ("organisation", ("company",)),
            ("role", ("jobtitle",)),
            ("country", ("homecountry",)),
            ("category (from the ticket type)", ("tickettype",)),
            ("status", ("attendeestatus",)),
            ("key", ("attendee#",)),
            *((t, (k,)) for t, k in called.items()),
        ),
    )
    return _Layout("eventbrite", frozenset(fields), build, "Eventbrite attendee #", columns=used)


def _mapped_columns(header: list[str], mapping: dict[str, str]) -> dict[str, str]:
    """``--map FIELD=COLUMN`` as target -> column as written; FileProblem for an unknown field or column."""
    out: dict[str, str] = {}
    for fld, column in mapping.items():
        if fld not in MAP_FIELDS:
            raise FileProblem(f"--map {fld}=...: unknown field '{fld}' (fields: {', '.join(MAP_FIELDS)}).")
        wanted = column.strip()
        match = next((h for h in header if h == wanted), None) or next(
            (h for h in header if header_key(h) == header_key(wanted) and header_key(h)), None
        )
        if match is None:
            shown = ", ".join(f"'{h}'" for h in header[:20])
            raise FileProblem(f"--map {fld}=...: the file has no column '{wanted}' (its columns: {shown}).")
        out[_MAP_TARGET.get(fld, fld)] = match
    return out


def _generic_layout(header: list[str], mapping: dict[str, str] | None = None) -> _Layout:
    columns: dict[str, str] = {}  # target -> header key of the first column that maps to it
    labels: dict[str, str] = {}  # target -> header as written, for messages
    mapped = _mapped_columns(header, mapping or {})
    mapped_names = set(mapped.values())
    target: str | None
    for target, name in mapped.items():
        columns[target] = header_key(name)
        labels[target] = name
    ignored = []
    for name in header:
        if name in mapped_names:
            continue
        key = header_key(name)
        target = _GENERIC_LOOKUP.get(key) or question_field(key)
        if target is None or target in columns:
            if name.strip():
                ignored.append(name.strip())
            continue
        columns[target] = key
        labels[target] = name.strip()
    if not {"first_name", "last_name", "full_name"} & set(columns):
        shown = ", ".join(f"'{h.strip()}'" for h in header[:12]) or "nothing"
        raise FileProblem(
            "No name column: the header needs 'First name' and 'Last name', or 'Name' "
            f'(found {shown}). Say which column holds the name with --map name="COLUMN" '
            "(or first_name=/last_name=), or use --format if this is a pretix or Eventbrite export."
        )
    fields = {"first_name", "last_name"}
    fields.update(
        t
        for t in ("email", "organisation", "country", "note", "role", "status", "badge_name", "pronouns")
        if t in columns
    )
    if "category" in columns or "ticket_type" in columns:
        fields.add("category")

    # Each target's column as an index into the record (the first column of a repeated key wins).
    first_index: dict[str, int] = {}
    for index, name in enumerate(header):
        first_index.setdefault(header_key(name), index)
    at = {target: first_index[key] for target, key in columns.items()}
    # The plain text fields of a row: (field, index, label, longest).
    texts = tuple(
        (target, at[target], labels.get(target, target), MAX_NOTE if target == "note" else MAX_FIELD)
        for target in ("first_name", "last_name", "badge_name", "pronouns", "organisation", "role", "country", "note")
        if target in at
    )
    full_name, category_at, ticket_at, status_at = (
        at.get(t) for t in ("full_name", "category", "ticket_type", "status")
    )
    email_at, code_at = at.get("email"), at.get("code")
    email_label, code_label = labels.get("email", "email"), labels.get("code", "code")
    if "full_name" in columns and not {"first_name", "last_name"} & set(columns):
        no_name = f"'{labels['full_name']}' is empty"
    elif "full_name" in columns:
        no_name = "first name, last name and full name are all empty"
    else:
        no_name = "first name and last name are both empty"

    def build(record: list[str], line: int) -> AttendeeRow:
        v = {}
        for target, index, label, limit in texts:  # _text and clean's common case inline: 600,000 values a file
            value = record[index]
            if value.isascii() and value.isprintable() and "  " not in value and len(value) <= limit:
                v[target] = value.strip()
            else:
                v[target] = _text(value, label, limit)
        first, last = v.get("first_name", ""), v.get("last_name", "")
        if not first and not last:
            if full_name is not None:
                first, last = split_full_name(_text(record[full_name], labels["full_name"]))
            _require_name(first, last, no_name)
        if category_at is not None:
            value = _text(record[category_at], labels["category"])
            key = header_key(value)
            category = _CATEGORY_LOOKUP.get(key) or (_CATEGORY_LOOKUP.get(key[:-1]) if key.endswith("s") else None)
            if category is None:
                raise _Bad(f"unknown category '{value}' in '{labels['category']}' (known: {', '.join(CATEGORIES)})")
        else:
            category = (
                category_from_product(_text(record[ticket_at], labels["ticket_type"]))
                if ticket_at is not None
                else "participant"
            )
        status = "active"
        if status_at is not None:
            value = _text(record[status_at], labels["status"])
            found = _STATUS_LOOKUP.get(header_key(value))
            if found is None:
                raise _Bad(f"unknown status '{value}' in '{labels['status']}' (use active or cancelled)")
            status = found
        return AttendeeRow(
            line=line,
            first_name=first,
            last_name=last,
            badge_name=v.get("badge_name", ""),
            pronouns=v.get("pronouns", ""),
            organisation=v.get("organisation", ""),
            role=v.get("role", ""),
            email=_email(record[email_at], email_label) if email_at is not None else "",
            country=normal_country(v.get("country", "")),
            category=category,
            status=status,
            note=v.get("note", ""),
            badge_code=_code(record[code_at], code_label) if code_at is not None else "",
        )

    ref = f"'{labels['code']}' or e-mail" if "code" in columns else "e-mail"
    columns_shown = tuple(
        ({"full_name": "name", "ticket_type": "category (from the ticket type)"}.get(t, t), labels[t]) for t in columns
    )
    return _Layout("csv", frozenset(fields), build, ref, tuple(ignored), columns_shown, by_index=True)


# --- the whole file ----------------------------------------------------------------------------


def parse_attendees(
    data: bytes, fmt: str = "auto", progress: Callable[[int], None] | None = None, mapping: dict[str, str] | None = None
) -> ParsedFile:
    """Read an attendee CSV. Whole-file problems raise FileProblem; row problems are collected in
    ``ParsedFile.problems`` (the caller imports nothing while there are any)."""
    text, encoding = decode(data)
    return parse_text(text, encoding, fmt, progress, mapping)


def parse_text(
    text: str,
    encoding: str = "UTF-8",
    fmt: str = "auto",
    progress: Callable[[int], None] | None = None,
    mapping: dict[str, str] | None = None,
) -> ParsedFile:
    """``mapping`` (``--map``: field -> column as written) overrides or completes the columns
    recognised by name; it reads the file as a CSV with named columns."""
    if fmt not in FORMATS:
        raise FileProblem(f"Unknown format '{fmt}' (use one of {', '.join(FORMATS)}).")
    if mapping and fmt in ("pretix", "eventbrite"):
        raise FileProblem(f"--map reads the file by its column names: use it with --format csv or auto, not {fmt}.")
    first_line = 1
    top, _, rest = text.partition("\n")
    sep = re.fullmatch(r"sep=(.)\r?", top)
    if sep:  # Excel's hint line: "sep=;"
        delimiter, text, first_line = sep.group(1), rest, 2
    header_text = next((line for line in text.splitlines() if line.strip()), "")
    if not header_text:
        raise FileProblem("The file is empty: expected a header line and one row per person.")
    if not sep:
        delimiter = sniff_delimiter(header_text)
    if delimiter not in ",;\t":
        raise FileProblem(f"Unsupported delimiter {delimiter!r}: use ',', ';' or tab.")
    records = _records(text, delimiter, first_line)
    try:
        _, header = next(records)
    except _QuotingError as error:
        raise FileProblem(f"line {error.line}: the header cannot be read ({error.detail}).") from None
    header = [h.strip() for h in header]
    keys = [header_key(h) for h in header]
    first_index: dict[str, int] = {}
    for index, key in enumerate(keys):
        first_index.setdefault(key, index)

    detected = detect_format(keys)
    chosen = "csv" if mapping else detected if fmt == "auto" else fmt
    if chosen == "pretix":
        layout = _pretix_layout(first_index, header)
    elif chosen == "eventbrite":
        if fmt == "eventbrite" and "attendee#" not in first_index:
            raise FileProblem("This is not an Eventbrite attendee report: it has no 'Attendee #' column.")
        layout = _eventbrite_layout(first_index, header)
    else:
        layout = _generic_layout(header, mapping)

    parsed = ParsedFile(
        format=layout.format,
        encoding=encoding,
        delimiter=delimiter,
        fields=layout.fields,
        ignored_columns=list(layout.ignored),
        ref_label=layout.ref_label,
        columns=dict(layout.columns),
    )
    width = len(header)
    pairs = list(first_index.items())
    count = 0
    try:
        for line, record in records:
            count += 1
            if progress and count % 1000 == 0:
                progress(1000)
            if len(record) < width or (len(record) > width and any(v.strip() for v in record[width:])):
                parsed.add_problem(
                    line,
                    f"{len(record)} fields, but the header has {width} "
                    "(a missing or extra delimiter, or a stray quote?)",
                )
                continue
            try:
                parsed.rows.append(
                    layout.build(record if layout.by_index else {key: record[index] for key, index in pairs}, line)
                )
            except _Bad as bad:
                parsed.add_problem(line, str(bad))
    except _QuotingError as error:
        detail = "a quoted field is never closed" if "end of data" in error.detail else error.detail
        parsed.add_problem(error.line, f"broken quoting ({detail}); nothing after it was read")
    if progress and count % 1000:
        progress(count % 1000)
    if layout.format == "csv":
        parsed.rows = _generic_refs(parsed.rows)
    _check_duplicates(parsed)
    parsed.problems.sort(key=lambda p: p.line)
    return parsed


def _generic_refs(rows: list[AttendeeRow]) -> list[AttendeeRow]:
    """A generic row is keyed by its code, else by its e-mail when no other row shares it."""
    emails = Counter(row.email.casefold() for row in rows if row.email)
    for row in rows:
        if row.badge_code:
            ref = f"code:{row.badge_code}"
        elif row.email and emails[row.email.casefold()] == 1:
            ref = f"email:{row.email.casefold()}"
        else:
            ref = None
        # The rows were just built here and nobody holds them yet: set in place, not copied.
        object.__setattr__(row, "source_ref", ref)
    return rows


def _check_duplicates(parsed: ParsedFile) -> None:
    """Each code, each key and each unkeyed person once per file."""
    seen_codes: dict[str, int] = {}
    seen_refs: dict[str, int] = {}
    seen_people: dict[tuple[str, str], int] = {}
    for row in parsed.rows:
        if row.badge_code:
            if row.badge_code in seen_codes:
                parsed.add_problem(
                    row.line, f"badge code also on line {seen_codes[row.badge_code]} (each person needs their own code)"
                )
                continue
            seen_codes[row.badge_code] = row.line
        if row.source_ref:
            if row.source_ref in seen_refs:
                parsed.add_problem(row.line, f"same {parsed.ref_label} as line {seen_refs[row.source_ref]}")
            seen_refs.setdefault(row.source_ref, row.line)
        elif not row.badge_code:
            key = row.match_key()
            if key in seen_people:
                parsed.add_problem(
                    row.line,
                    f"same name and e-mail as line {seen_people[key]}, and no code "
                    "to tell them apart (a duplicate row?)",
                )
            seen_people.setdefault(key, row.line)
