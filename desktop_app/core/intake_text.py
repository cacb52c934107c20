"""Delimited-text intake: encoding detection, delimiter sniffing and a record map of the file.

The record map (where each record starts, how many fields it has) is computed in NumPy over the
UTF-8 bytes: a newline or delimiter counts only when an even number of quote characters precede
it, which is exactly RFC 4180 quoting (an escaped ``""`` keeps the parity). Files that break that
rule (a stray quote inside an unquoted value, old-Mac ``\\r`` line ends) are mapped again with the
``csv`` module, which is slower but tolerant.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from desktop_app.core.intake_types import TableError

DELIMITERS: tuple[str, ...] = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_BYTES = 65_536
_QUOTE = ord('"')
_NEWLINE = ord("\n")
_CR = ord("\r")

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class DecodedText:
    """A file's bytes as UTF-8, which encoding they were read as, and the first line that was not
    valid UTF-8 when a legacy code page was used (None otherwise)."""

    utf8: bytes
    encoding: str
    first_non_utf8_line: int | None


@dataclass(frozen=True)
class RecordMap:
    """Per record of the file: its 1-based start line, field count, and whether it is blank
    (no characters) or holds only delimiters (every field empty)."""

    start_line: IntArray
    field_count: IntArray
    blank: BoolArray
    all_empty: BoolArray


def _utf16_without_bom(head: bytes) -> str | None:
    """Guess UTF-16 byte order from the zero bytes ASCII text leaves, or None if not UTF-16."""
    sample = head[: 4096 - (len(head[:4096]) % 2)]
    if len(sample) < 4:
        return None
    even_zero = sample[0::2].count(0) / (len(sample) / 2)
    odd_zero = sample[1::2].count(0) / (len(sample) / 2)
    if odd_zero > 0.6 and even_zero < 0.1:
        return "utf-16-le"
    if even_zero > 0.6 and odd_zero < 0.1:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes, name: str) -> DecodedText:
    """Read ``data`` as UTF-8 (with or without BOM), UTF-16 (BOM or zero-byte pattern), else
    Windows-1252, else Latin-1, and return it re-encoded as UTF-8.

    Raises ``TableError`` when a UTF-16 file cannot be decoded.
    """
    if data.startswith(codecs.BOM_UTF8):
        body, encoding = data[len(codecs.BOM_UTF8) :], "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_utf16(data, "utf-16", name)
    else:
        guessed = _utf16_without_bom(data)
        if guessed is not None:
            return _decode_utf16(data, guessed, name)
        body, encoding = data, "utf-8"
    try:
        body.decode("utf-8")
        return DecodedText(body, encoding, None)
    except UnicodeDecodeError as exc:
        bad_line = body[: exc.start].count(b"\n") + 1
    for legacy in ("cp1252", "latin-1"):
        try:
            text = body.decode(legacy)
        except UnicodeDecodeError:
            continue
        return DecodedText(text.encode("utf-8"), legacy, bad_line)
    raise AssertionError("latin-1 decodes every byte")  # pragma: no cover


def _decode_utf16(data: bytes, encoding: str, name: str) -> DecodedText:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise TableError(
            f"{name}: the file looks like UTF-16 text but byte {exc.start} cannot be decoded "
            f"({exc.reason}). Open it in a spreadsheet or text editor and save it again as "
            "'CSV UTF-8'."
        ) from None
    return DecodedText(text.removeprefix("\ufeff").encode("utf-8"), encoding, None)


def looks_binary(utf8: bytes) -> bool:
    """True when the start of the text holds many control characters (NUL bytes included)."""
    head = utf8[:_SNIFF_BYTES].decode("utf-8", errors="replace")
    if not head:
        return False
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\r\n\f")
    replaced = head.count("\ufffd")
    return (controls + replaced) / len(head) > 0.05


def nul_lines(utf8: bytes, limit: int = 5) -> list[int]:
    """The 1-based lines holding a NUL byte (at most ``limit`` of them), [] when there is none."""
    lines: list[int] = []
    at = utf8.find(b"\x00")
    while at >= 0 and len(lines) < limit:
        line = utf8.count(b"\n", 0, at) + 1
        if not lines or lines[-1] != line:
            lines.append(line)
        at = utf8.find(b"\x00", at + 1)
    return lines


def sniff_delimiter(utf8: bytes) -> str:
    """The delimiter among comma, semicolon, tab and pipe that splits the header into the most
    fields while keeping the following records consistent with it; comma for one-column files."""
    sample = utf8[:_SNIFF_BYTES]
    if len(utf8) > _SNIFF_BYTES and b"\n" in sample:
        sample = sample[: sample.rfind(b"\n")]
    text = sample.decode("utf-8", errors="replace")
    best, best_score = ",", (0.0, 1)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if row]
        counts = counts[:200]
        if not counts or counts[0] < 2:
            continue
        consistency = sum(1 for c in counts if c == counts[0]) / len(counts)
        score = (round(consistency, 2), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def map_records(utf8: bytes, delimiter: str) -> RecordMap | None:
    """Where every record starts and how many fields it has, or None when the quoting is not
    RFC 4180 (an odd number of quote characters), in which case use ``map_records_tolerant``."""
    raw = np.frombuffer(utf8, dtype=np.uint8)
    quotes = np.flatnonzero(raw == _QUOTE)
    if len(quotes) % 2:
        return None
    newlines = np.flatnonzero(raw == _NEWLINE)
    closing = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate(([0], closing + 1)).astype(np.int64)
    ends = np.concatenate((closing, [len(raw)])).astype(np.int64)
    if len(starts) and starts[-1] == len(raw):  # the file ends with a newline
        starts, ends = starts[:-1], ends[:-1]
    delimiters = np.flatnonzero(raw == ord(delimiter))
    delimiters = delimiters[np.searchsorted(quotes, delimiters) % 2 == 0]
    delimiter_count = np.searchsorted(delimiters, ends) - np.searchsorted(delimiters, starts)
    length = ends - starts
    has_cr = np.zeros(len(ends), dtype=bool)
    nonempty = length > 0
    has_cr[nonempty] = raw[ends[nonempty] - 1] == _CR
    content_length = length - has_cr
    return RecordMap(
        start_line=(np.searchsorted(newlines, starts) + 1).astype(np.int64),
        field_count=(delimiter_count + 1).astype(np.int64),
        blank=content_length == 0,
        all_empty=content_length == delimiter_count,
    )


def map_records_tolerant(utf8: bytes, delimiter: str, name: str) -> tuple[RecordMap, list[list[str]]]:
    """The record map and the parsed records, using the ``csv`` module's tolerant rules.

    Raises ``TableError`` for a quoted field that is still open at the end of the file.
    """
    text = utf8.decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    for record in reader:
        lines.append(previous_end + 1)
        records.append(record)
        previous_end = reader.line_num
    odd_quotes = text.count('"') % 2 == 1
    if odd_quotes and records and previous_end > lines[-1]:
        raise TableError(
            f"{name}, line {lines[-1]}: a quoted field opens here and never closes, so the rest of "
            'the file would be read as one value. Fix the stray quote (") on that line, or '
            "re-export the file."
        )
    counts = np.array([len(r) for r in records], dtype=np.int64)
    blank = np.array([len(r) == 0 for r in records], dtype=bool)
    all_empty = np.array([all(v == "" for v in r) for r in records], dtype=bool)
    return RecordMap(np.array(lines, dtype=np.int64), counts, blank, all_empty), records
