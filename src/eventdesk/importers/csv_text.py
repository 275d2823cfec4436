"""Bytes of a CSV file from a spreadsheet or another tool -> text, and its delimiter. Shared by the
CSV importers, so every import reads the same encodings and delimiters the same way."""

from __future__ import annotations

import codecs
import csv

DELIMITERS = ",;\t"


class UndecodableText(ValueError):
    """Neither UTF-8/UTF-16 nor Windows-1252; the message says what to do."""


def decode_text(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and the name of its encoding: "UTF-16" with a BOM (Excel's "Unicode
    text"), "UTF-8" or "UTF-8 with BOM" when it decodes strictly as such, else "cp1252"."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise UndecodableText(
                "The file starts like UTF-16 but does not decode as UTF-16; save it as 'CSV UTF-8' and import it again."
            ) from None
    try:
        return data.decode("utf-8-sig"), "UTF-8 with BOM" if data.startswith(codecs.BOM_UTF8) else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise UndecodableText(
            f"The file is neither UTF-8 nor Windows-1252 (byte {error.start}); "
            "save it as 'CSV UTF-8' and import it again."
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """``,`` ``;`` or tab, judged from the header line (csv.Sniffer restricted to those three;
    the most frequent of them if the sniffer cannot decide; ``,`` for a one-column header)."""
    try:
        return csv.Sniffer().sniff(header_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: header_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","
