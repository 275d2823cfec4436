"""Reading attendee CSVs: the formats other tools export, the encodings and delimiters Excel writes,
and every problem named by the physical line it is on."""

from __future__ import annotations

from pathlib import Path

import pytest

from eventdesk.importers.attendees_csv import (
    FileProblem,
    category_from_product,
    decode,
    parse_attendees,
    parse_text,
    sniff_delimiter,
    split_full_name,
)

DATA = Path(__file__).resolve().parents[1] / "data" / "attendees"


def parse(text: str, fmt: str = "auto"):
    return parse_text(text, "UTF-8", fmt)


def problems(text: str, fmt: str = "auto") -> list[str]:
    return [str(p) for p in parse(text, fmt).problems]


# --- the real exports ---------------------------------------------------------------------------


def test_pretix_checkin_list_keeps_the_secret_as_badge_code(realdata: Path) -> None:
    parsed = parse_attendees((realdata / "attendees" / "pretix-checkinlist-export.csv").read_bytes())
    assert parsed.format == "pretix" and not parsed.problems
    assert [(r.first_name, r.last_name) for r in parsed.rows] == [("Peter A", "Jones"), ("Andrea J", "Zulu")]
    peter = parsed.rows[0]
    assert peter.badge_code == "hutjztuxhkbtwnesv2suqv26k6ttytxx"
    assert peter.source_ref == "pretix:hutjztuxhkbtwnesv2suqv26k6ttytxx"
    assert peter.email == "dummy@dummy.test"
    assert peter.category == "participant" and peter.line == 2
    assert "role" not in parsed.fields  # pretix has no job title: an import must not blank it


def test_eventbrite_report_keys_people_by_attendee_number(realdata: Path) -> None:
    parsed = parse_attendees((realdata / "attendees" / "eventbrite-attendee-report.csv").read_bytes())
    assert parsed.format == "eventbrite" and not parsed.problems
    assert [r.organisation for r in parsed.rows] == ["Company1Name", "Company2Name", "Company3Name"]
    assert [r.role for r in parsed.rows] == ["JobTitle1", "Job2Title", "Job3Title"]
    assert parsed.rows[2].source_ref == "eventbrite:18443939943"
    assert all(r.badge_code == "" and r.status == "active" for r in parsed.rows)  # codes are generated later
    assert parsed.rows[2].line == 4  # the last line has no line break: still read


def test_pretix_product_note_and_name_fallback() -> None:
    text = (
        '"Order code","Attendee name","Product","Secret","E-mail","Company","Requires special attention","Comment"\n'
        '"A1","Maria Rossi","Speaker ticket","s3cr3tone","maria@example.org","Uni","Yes","wheelchair"\n'
        '"A2","Jo Smith","Organizer pass","s3cr3ttwo","","","No",""\n'
        '"A3","Li Wei","Presse / Media","s3cr3tthree","","","No",""\n'
    )
    rows = parse(text).rows
    assert [r.category for r in rows] == ["speaker", "organiser", "press"]
    assert (rows[0].first_name, rows[0].last_name) == ("Maria", "Rossi")
    assert rows[0].note == "Requires special attention; wheelchair"
    assert rows[1].note == ""


def test_eventbrite_attendees_not_attending_are_cancelled() -> None:
    text = (
        "Order #,First Name,Last Name,Email,Ticket Type,Attendee #,Attendee Status\n"
        "1,Ann,A,a@example.org,General Admission,11,Attending\n"
        "1,Ben,B,b@example.org,Speaker,12,Not Attending\n"
        "2,Cem,C,c@example.org,Press,13,Refunded\n"
        "3,Dag,D,d@example.org,Staff,14,Checked In\n"
    )
    rows = parse(text).rows
    assert [r.status for r in rows] == ["active", "cancelled", "cancelled", "active"]
    assert [r.category for r in rows] == ["participant", "speaker", "press", "staff"]


@pytest.mark.parametrize(
    "product, category",
    [
        ("Early bird", "participant"),
        ("SPEAKER", "speaker"),
        ("Press pass", "press"),
        ("Staff (volunteer)", "staff"),
        ("Organiser", "organiser"),
        ("Organizer team", "organiser"),
    ],
)
def test_product_names_map_to_categories(product: str, category: str) -> None:
    assert category_from_product(product) == category


# --- named columns ------------------------------------------------------------------------------


def test_header_names_are_matched_ignoring_case_spaces_underscores_and_accents() -> None:
    text = (
        "PRÉNOM, Nom ,E_Mail,Organization,country,Job Title,Ticket_Type,Barcode,Remarks,Shoe size\n"
        "Zoë,Müller,zoe@example.org,Cluster Süd,be,CEO,Speaker,Z-1,vegan,42\n"
    )
    parsed = parse(text)
    row = parsed.rows[0]
    assert (row.first_name, row.last_name, row.email, row.organisation) == (
        "Zoë",
        "Müller",
        "zoe@example.org",
        "Cluster Süd",
    )
    assert (row.country, row.role, row.category, row.badge_code, row.note) == ("BE", "CEO", "speaker", "Z-1", "vegan")
    assert parsed.ignored_columns == ["Shoe size"]
    assert row.source_ref == "code:Z-1"


def test_full_name_is_split_at_the_first_space() -> None:
    rows = parse("Name,Email\nUrsula von der Leyen,u@example.org\nMadonna,\n").rows
    assert [(r.first_name, r.last_name) for r in rows] == [("Ursula", "von der Leyen"), ("Madonna", "")]


def test_key_is_code_else_unique_email_else_none() -> None:
    text = (
        "Name,Email,Code\n"
        "Ann A,ann@example.org,C1\n"
        "Ben B,Ben@Example.org,\n"
        "Cem C,shared@example.org,\n"
        "Dag D,shared@example.org,\n"
        "Eva E,,\n"
    )
    assert [r.source_ref for r in parse(text).rows] == ["code:C1", "email:ben@example.org", None, None, None]


def test_cp1252_semicolon_file_from_excel() -> None:
    parsed = parse_attendees((DATA / "named-columns-cp1252-semicolon.csv").read_bytes())
    assert (parsed.encoding, parsed.delimiter, parsed.problems) == ("cp1252", ";", [])
    assert [r.last_name for r in parsed.rows] == ["Šramek-Müller", "Lefèvre", "Ó Briain", "Ærø"]
    assert parsed.rows[3].organisation == "Klynge Nord – Øresund"  # 0x96 is cp1252's en dash
    assert [r.category for r in parsed.rows] == ["speaker", "participant", "press", "organiser"]
    assert parsed.rows[0].country == "DE"


def test_utf8_bom_tab_file_with_full_names() -> None:
    parsed = parse_attendees((DATA / "full-name-bom-tab.csv").read_bytes())
    assert (parsed.encoding, parsed.delimiter) == ("UTF-8 with BOM", "\t")
    first = parsed.rows[0]
    assert (first.first_name, first.last_name) == ("Kristina", "Šermukšnytė-Alešiūnienė")
    assert first.organisation == "Lietuvos klasteriai"  # "Company" matched although a BOM preceded the header
    assert [r.category for r in parsed.rows] == ["speaker", "participant", "press"]


def test_decode_tells_the_encoding() -> None:
    assert decode("Zoë".encode()) == ("Zoë", "UTF-8")
    assert decode(b"\xef\xbb\xbfZo\xc3\xab") == ("Zoë", "UTF-8 with BOM")
    assert decode(b"Zo\xeb \x80") == ("Zoë €", "cp1252")
    assert decode("Zoë".encode("utf-16")) == ("Zoë", "UTF-16")
    with pytest.raises(FileProblem, match="neither UTF-8 nor Windows-1252"):
        decode(b"\xff\x81\x8d")


@pytest.mark.parametrize(
    "header, delimiter",
    [
        ("a,b,c", ","),
        ("a;b;c", ";"),
        ("a\tb\tc", "\t"),
        ('"x, y";b;c', ";"),
        ("name", ","),
    ],
)
def test_delimiter_is_judged_from_the_header(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header) == delimiter


def test_excel_sep_line_sets_the_delimiter_and_shifts_lines() -> None:
    parsed = parse("sep=;\nFirst name;Last name\nAnn;A\n;\nBen;\n;;;\n")
    assert parsed.delimiter == ";"
    assert [r.line for r in parsed.rows] == [3, 5]
    assert parsed.problems == []  # rows of empty fields (";;;") are left out, as Excel leaves them


# --- problems, by line --------------------------------------------------------------------------


def test_broken_row_in_the_middle_is_named_by_its_line() -> None:
    parsed = parse_attendees((DATA / "broken-row-line-7.csv").read_bytes())
    assert [str(p) for p in parsed.problems] == ["line 7: no name (first name and last name are both empty)"]


def test_line_numbers_count_physical_lines_blank_lines_and_quoted_line_breaks() -> None:
    text = (
        "First name,Last name,Note\n"
        'Ann,A,"two\nlines"\n'  # lines 2-3
        "\n"  # line 4
        "Ben,B,\n"  # line 5
        ",,no name\n"
    )  # line 6
    parsed = parse(text)
    assert [r.line for r in parsed.rows] == [2, 5]
    assert parsed.rows[0].note == "two lines"
    assert [p.line for p in parsed.problems] == [6]


def test_every_kind_of_bad_row() -> None:
    text = (
        "First name,Last name,Email,Category,Code\n"
        "Ann,A,ann@example.org,speaker,C1\n"  # 2 fine
        "Ben,B,ben(at)example.org,,C2\n"  # 3 bad e-mail
        "Cem,C,cem@example.org,VIP,C3\n"  # 4 unknown category
        "Dag,D,dag@example.org,press\n"  # 5 too few fields
        "Eva,E,eva@example.org,staff,C1\n"  # 6 code of line 2
        "Fay,F,fay@example.org,,C6,surplus\n"  # 7 too many fields
        "Gil,G,gil@example.org,,C7,\n"  # 8 an empty extra field is tolerated
        "Hal,H,hal@example.org,,bad code\n"
    )  # 9 space in a code
    assert problems(text) == [
        "line 3: 'Email' is not an e-mail address",
        "line 4: unknown category 'VIP' in 'Category' (known: participant, speaker, press, staff, organiser)",
        "line 5: 4 fields, but the header has 5 (a missing or extra delimiter, or a stray quote?)",
        "line 6: badge code also on line 2 (each person needs their own code)",
        "line 7: 6 fields, but the header has 5 (a missing or extra delimiter, or a stray quote?)",
        "line 9: 'Code' is not a usable badge code (spaces, control characters or over 200 characters)",
    ]


def test_messages_do_not_repeat_personal_values() -> None:
    message = problems("Name,Email\nAnn A,ann.secret.address@\n")[0]
    assert "ann" not in message.lower() and message.startswith("line 2:")


def test_duplicate_people_without_codes_are_refused() -> None:
    text = "Name,Email\nAnn A,shared@example.org\nAnn A,shared@example.org\nBen B,\nBen B,\n"
    assert [p.line for p in parse(text).problems] == [3, 5]


def test_duplicate_eventbrite_attendee_number() -> None:
    text = "Order #,First Name,Last Name,Attendee #,Attendee Status\n1,Ann,A,11,Attending\n1,Ben,B,11,Attending\n"
    assert problems(text) == ["line 3: same Eventbrite attendee # as line 2"]


def test_runaway_quote_is_reported_not_swallowed() -> None:
    text = 'First name,Last name\nAnn,"A\nBen,B\n' + "Cem,C\n" * 100
    parsed = parse(text)
    assert [str(p) for p in parsed.problems] == [
        "line 2: broken quoting (a quoted field is never closed); nothing after it was read"
    ]


def test_unknown_status_in_a_status_column() -> None:
    text = "Name,Status\nAnn A,cancelled\nBen B,\nCem C,maybe\n"
    parsed = parse(text)
    assert [r.status for r in parsed.rows] == ["cancelled", "active"]
    assert [str(p) for p in parsed.problems] == ["line 4: unknown status 'maybe' in 'Status' (use active or cancelled)"]


@pytest.mark.parametrize(
    "text, fmt, message",
    [
        ("", "auto", "empty"),
        ("\n\n", "auto", "empty"),
        ("Email,Company\nx@example.org,X\n", "auto", "No name column"),
        ("First name,Last name\nAnn,A\n", "pretix", "not a pretix check-in list export"),
        ("First name,Last name\nAnn,A\n", "eventbrite", "not an Eventbrite attendee report"),
    ],
)
def test_whole_file_problems(text: str, fmt: str, message: str) -> None:
    with pytest.raises(FileProblem, match=message):
        parse(text, fmt)


def test_a_pretix_file_can_be_read_as_plain_csv() -> None:
    text = (
        '"Order code","Attendee name","Product","Secret","E-mail"\n"A1","Maria Rossi","Speaker","s1","m@example.org"\n'
    )
    row = parse(text, "csv").rows[0]
    assert (row.first_name, row.badge_code, row.category) == ("Maria", "s1", "speaker")


TITO_HEADER = (
    "Number,Ticket,Ticket Company Name,Ticket Job Title,Pronouns,"
    "What name would you like printed on your badge?,Order Reference\n"
)


def test_tito_export_imports_with_the_badge_question_mapped_as_the_name() -> None:
    text = TITO_HEADER + (
        "1,Speaker,Klynge Nord,CEO,she/her,Maria de la Cruz,ORD-1\n"
        "2,General Admission,Acme,,they/them,Jan van der Berg,ORD-2\n"
    )
    with pytest.raises(FileProblem, match="--map name="):
        parse(text)
    parsed = parse_text(text, mapping={"name": "What name would you like printed on your badge?"})
    assert parsed.problems == []
    assert [(r.first_name, r.last_name, r.pronouns, r.organisation, r.category) for r in parsed.rows] == [
        ("Maria", "de la Cruz", "she/her", "Klynge Nord", "speaker"),
        ("Jan", "van der Berg", "they/them", "Acme", "participant"),
    ]
    assert parsed.columns["pronouns"] == "Pronouns"
    assert parsed.columns["name"] == "What name would you like printed on your badge?"
    assert "pronouns" in parsed.fields and "badge_name" not in parsed.fields


def test_name_particles_stay_with_the_last_name() -> None:
    assert split_full_name("Ursula von der Leyen") == ("Ursula", "von der Leyen")
    assert split_full_name("Maria de la Cruz") == ("Maria", "de la Cruz")
    assert split_full_name("Jean Paul Sartre") == ("Jean Paul", "Sartre")
    assert split_full_name("Van Morrison") == ("Van", "Morrison")
    assert split_full_name("Madonna") == ("Madonna", "")


def test_badge_name_and_pronoun_columns_are_recognised_by_their_usual_headers() -> None:
    for header in (
        "Badge Name",
        "Name on badge",
        "What name would you like printed on your badge?",
        "Badge name (as you want it printed)",
    ):
        parsed = parse(f"First name,Last name,{header},Pronouns\nRobert,Smith,Bob Smith,he/him\n")
        assert (parsed.rows[0].badge_name, parsed.rows[0].pronouns) == ("Bob Smith", "he/him"), header
    eventbrite = (
        "Attendee #,First Name,Last Name,Email,Ticket Type,Attendee Status,What are your pronouns?,"
        "Badge name\n1,Robert,Smith,b@example.org,General,Attending,he/him,Bob\n"
    )
    row = parse(eventbrite).rows[0]
    assert (row.badge_name, row.pronouns) == ("Bob", "he/him")


def test_map_overrides_detection_and_keeps_a_code_column() -> None:
    text = "Full,Ref,Email\nAnn Lee,QR-001,ann@example.org\n"
    parsed = parse_text(text, mapping={"name": "Full", "code": "Ref"})
    row = parsed.rows[0]
    assert (row.first_name, row.last_name, row.badge_code, row.email) == ("Ann", "Lee", "QR-001", "ann@example.org")
    assert row.source_ref == "code:QR-001"


def test_map_names_an_unknown_field_or_column() -> None:
    with pytest.raises(FileProblem, match="no column 'Nom'"):
        parse_text("Name\nAnn\n", mapping={"name": "Nom"})
    with pytest.raises(FileProblem, match="unknown field 'nickname'"):
        parse_text("Name\nAnn\n", mapping={"nickname": "Name"})
