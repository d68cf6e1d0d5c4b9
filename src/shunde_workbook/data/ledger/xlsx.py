"""A fast, bounded ``.xlsx`` reader: the sheet XML is streamed in chunks and scanned with regular expressions.

openpyxl reads the workbook parts (sheet list and visibility, shared strings, date styles); the cells themselves are
scanned here, because openpyxl's cell-by-cell parser takes about 20 s per 100,000 rows and, without a stored
dimension, reads every sheet twice.  Only cells that exist in the file are kept (a lone cell at XFD1048576 costs
nothing); the decompressed size of each part is capped.
"""

from __future__ import annotations

import codecs
import html
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

#: Decompressed bytes read per part (sheet XML, shared strings).
MAX_PART_BYTES = 2_000_000_000
#: Characters of one row (a sheet row padded with hundreds of MB of text is refused).
MAX_ROW_CHARS = 256 << 20
_CHUNK = 8 << 20


class TooCostly(OverflowError):
    """A workbook part that would cost too much to read: ``what`` (strings or cells), how many, the limit, the knob."""

    def __init__(self, what: str, part: str, count: int, limit: int, env: str):
        super().__init__(f"{what} in {part}: more than {limit:,}")
        self.what, self.part, self.count, self.limit, self.env = what, part, count, limit, env


#: What a sheet or the shared-strings table may cost to read, counted before anything is parsed.  The
#: costs measured: openpyxl parses about 70,000 shared strings a second, the cell scan about 220,000 cells a
#: second (a 2 MB file can hold 20 M empty strings or 45 M cells: minutes).  Raise with the variables.
LIMITS = {
    "strings": ("SHUNDE_WORKBOOK_MAX_SHARED_STRINGS", 1_000_000),
    "string_bytes": ("SHUNDE_WORKBOOK_MAX_SHARED_STRING_MB", 256),
    "cells": ("SHUNDE_WORKBOOK_MAX_SHEET_CELLS", 5_000_000),
}


def limit(kind: str) -> tuple[int, str]:
    """The limit of ``kind`` (from its environment variable when set to a positive whole number), and the variable."""
    env, default = LIMITS[kind]
    raw = os.environ.get(env, "")
    return (int(raw) if raw.isdigit() and int(raw) > 0 else default), env


def count_tags(archive: zipfile.ZipFile, name: str, tag: bytes, most: int) -> int:
    """Elements ``<tag …>`` (any namespace prefix) in a part, streamed; stops once the count passes ``most``.

    The count is a cheap upper bound of what parsing the part will cost: decompression and three byte
    counts per chunk (a few ns a byte), no parsing.
    """
    n, tail, pats = 0, b"", tuple(b"<" + tag + end for end in (b" ", b">", b"/"))
    with archive.open(name) as fh:
        while n <= most and (chunk := fh.read(_CHUNK)):
            if not tail and re.search(rb"<\w+:\w", chunk[:4096]):  # a prefixed part: <x:c r="A1">
                pats = tuple(b":" + tag + end for end in (b" ", b">", b"/"))
            data = tail + chunk
            n += sum(data.count(p) for p in pats) - sum(tail.count(p) for p in pats)
            tail = data[-8:]
    return n


def check_cost(archive: zipfile.ZipFile, sheets: list[tuple[str, str, bool]], strings: bool = True) -> None:
    """Refuse, before parsing, a shared-strings table or sheet that costs more to read than the limits allow.

    Raises
    ------
    TooCostly
        Naming what is too large, the limit and the environment variable that raises it.
    """
    names = {i.filename.lower(): i for i in archive.infolist()}
    sst = next((i for n, i in names.items() if n.endswith("sharedstrings.xml")), None)
    if sst is not None and strings:
        mb, env_mb = limit("string_bytes")
        if sst.file_size > mb << 20:
            raise TooCostly("string_bytes", sst.filename, sst.file_size >> 20, mb, env_mb)
        most, env = limit("strings")
        n = count_tags(archive, sst.filename, b"si", most)
        if n > most:
            raise TooCostly("strings", sst.filename, n, most, env)
    most, env = limit("cells")
    for _sheet, part, _hidden in sheets:
        info = names.get(part.lower())
        if info is not None:
            n = count_tags(archive, info.filename, b"c", most)
            if n > most:
                raise TooCostly("cells", info.filename, n, most, env)


_ROW = re.compile(r"<(?:\w+:)?row\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?row>)", re.S)
_CELL = re.compile(r"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_REF = re.compile(r'\br="([A-Z]{1,3})(\d+)"')
_ROWNUM = re.compile(r'\br="(\d+)"')
_TYPE = re.compile(r'\bt="(\w+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_VALUE = re.compile(r"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_FORMULA = re.compile(r"<(?:\w+:)?f\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)
_TEXT = re.compile(r"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_FAST_CELL = re.compile(r'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_PLAIN = ("", ' t="s"', ' t="n"')
_MERGE = re.compile(r'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+\d+):([A-Z]+\d+)"')
_COLS: dict[str, int] = {}


def col_index(letters: str) -> int:
    """'A' → 0, 'AB' → 27 (cached)."""
    k = _COLS.get(letters)
    if k is None:
        k = 0
        for ch in letters:
            k = k * 26 + ord(ch) - 64
        k = _COLS[letters] = k - 1
    return k


class SheetScan:
    """Cells of one sheet: ``cells[row][col] = text``, merged ranges, formulas without a cached value."""

    def __init__(self, strings: list, date_styles: set, epoch, max_columns: int, max_cells: int):
        self.strings, self.date_styles, self.epoch = strings, date_styles, epoch
        self.max_columns, self.max_cells = max_columns, max_cells
        self.cells: dict[int, dict[int, str]] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.uncached: dict[tuple[int, int], str] = {}
        self.far: list[str] = []
        self.n = 0
        self.row = 0

    def feed(self, text: str) -> None:
        """Scan complete rows (and merge ranges) in ``text``."""
        cells = _FAST_CELL.findall(text)
        if len(cells) == text.count("<c ") + text.count("<c>"):  # every cell has r="A1" first: no row tracking
            self._cells(cells)
        else:
            self._rows(text)
        for a, b in _MERGE.findall(text):
            ra, rb = _REF.search(f'r="{a}"'), _REF.search(f'r="{b}"')
            self.merged.append((int(ra.group(2)), col_index(ra.group(1)), int(rb.group(2)), col_index(rb.group(1))))

    def _cells(self, cells: list[tuple[str, str, str, str]]) -> None:
        store, max_columns, strings = self.cells, self.max_columns, self.strings
        for letters, rownum, attrs, inner in cells:
            if inner.startswith("<v>") and inner.endswith("</v>") and attrs in _PLAIN:
                text = strings[int(inner[3:-4])] if attrs == ' t="s"' else _number(inner[3:-4])
            elif attrs == ' t="inlineStr"' and inner.startswith("<is><t>") and inner.endswith("</t></is>"):
                text = inner[7:-9]
                if "<" in text or "&" in text:
                    text = self._value(attrs, inner)
            else:
                text = self._value(attrs, inner)
            row, col = int(rownum), col_index(letters)
            if text is None:
                self._uncached(row, col, inner)
                continue
            if not text or (text[0].isspace() or text[-1].isspace()) and not text.strip():
                continue
            if col >= max_columns:
                if len(self.far) < 3:
                    self.far.append(f"{letters}{row}")
                continue
            r = store.get(row)
            if r is None:
                r = store[row] = {}
            r[col] = text
            self.n += 1
        if self.n > self.max_cells:
            raise OverflowError(self.max_cells)

    def _uncached(self, row: int, col: int, inner: str) -> None:
        f = _FORMULA.search(inner)
        if f is not None and col < self.max_columns:
            self.uncached[(row, col)] = "=" + html.unescape(f.group(1) or "")
            self.cells.setdefault(row, {})

    def _rows(self, text: str) -> None:
        for m in _ROW.finditer(text):
            r = _ROWNUM.search(m.group(1))
            self.row = int(r.group(1)) if r else self.row + 1
            if m.group(2):
                self._row(m.group(2))

    def _row(self, body: str) -> None:
        col = -1
        row = self.row
        for m in _CELL.finditer(body):
            attrs, inner = m.group(1), m.group(2) or ""
            ref = _REF.search(attrs)
            col = col_index(ref.group(1)) if ref else col + 1
            text = self._value(attrs, inner)
            if text is None:
                self._uncached(row, col, inner)
                continue
            if not text.strip():
                continue
            if col >= self.max_columns:
                if len(self.far) < 3:
                    self.far.append(f"{ref.group(1) if ref else col + 1}{row}")
                continue
            self.cells.setdefault(row, {})[col] = text
            self.n += 1
            if self.n > self.max_cells:
                raise OverflowError(self.max_cells)

    def _value(self, attrs: str, inner: str) -> str | None:
        v = _VALUE.search(inner)
        t = _TYPE.search(attrs)
        kind = t.group(1) if t else "n"
        if kind == "inlineStr":
            return html.unescape("".join(_TEXT.findall(inner)))
        if v is None:
            return None
        raw = v.group(1)
        if kind == "s":
            return str(self.strings[int(raw)])
        if kind in ("str", "e"):
            return html.unescape(raw)
        if kind == "b":
            return "TRUE" if raw.strip() == "1" else "FALSE"
        if kind == "d":
            return raw[:10] if raw[11:19] in ("", "00:00:00") else raw
        s = _STYLE.search(attrs)
        if s and int(s.group(1)) in self.date_styles:
            try:
                return _excel_date(float(raw), self.epoch)
            except ValueError:
                return html.unescape(raw)
        return _number(raw)


def _number(raw: str) -> str:
    """A numeric cell as text: '12' stays, '12.0' → '12', '1.25E-2' → '0.0125'."""
    if raw.isdigit():
        return raw
    try:
        num = float(raw)
    except ValueError:
        return html.unescape(raw)
    if num.is_integer() and abs(num) < 1e15:
        return str(int(num))
    return repr(num)


def _excel_date(num: float, epoch) -> str:
    from openpyxl.utils.datetime import from_excel

    try:
        d = from_excel(num, epoch)
    except (OverflowError, ValueError):
        return repr(num)
    if hasattr(d, "hour") and (d.hour, d.minute, d.second) != (0, 0, 0):
        return d.isoformat()
    return d.isoformat()[:10]


def stream(archive: zipfile.ZipFile, name: str, scan: SheetScan) -> None:
    """Feed the part to ``scan`` in chunks cut after a complete row."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer, total = "", 0
    with archive.open(name) as fh:
        while True:
            chunk = fh.read(_CHUNK)
            total += len(chunk)
            if total > MAX_PART_BYTES:
                raise OverflowError(MAX_PART_BYTES)
            buffer += decoder.decode(chunk, final=not chunk)
            if not chunk:
                break
            stop = _last_row_end(buffer)
            if stop > 0:
                scan.feed(buffer[:stop])
                buffer = buffer[stop:]
            buffer = buffer.lstrip()  # whitespace between rows means nothing (and may be padding)
            if len(buffer) > MAX_ROW_CHARS:
                raise OverflowError(MAX_ROW_CHARS)
    scan.feed(buffer)


def _last_row_end(buf: str) -> int:
    """Position just after the last row end tag ('</row>' or '</x:row>') in ``buf``, or -1."""
    i = len(buf)
    while True:
        i = buf.rfind("row>", 0, i)
        if i < 1:
            return -1
        if buf[i - 2 : i] == "</":
            return i + 4
        if buf[i - 1] == ":" and re.search(r"</\w+:$", buf[max(0, i - 20) : i]):
            return i + 4
        i -= 1


def workbook_sheets(path: Path):
    """(archive, [(name, part, hidden)], shared strings, date style ids, epoch) via openpyxl's workbook parts."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet

    reader = ExcelReader(str(path), read_only=True, data_only=True)
    for info in reader.archive.infolist():
        if info.file_size > MAX_PART_BYTES:
            raise OverflowError(MAX_PART_BYTES)
    reader.read_manifest()
    sst = next((i for i in reader.archive.infolist() if i.filename.lower().endswith("sharedstrings.xml")), None)
    if sst is not None:
        check_cost(reader.archive, [])  # before openpyxl parses the strings
    reader.read_strings()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    sheets = []
    for sheet, rel in reader.parser.find_sheets():
        if "worksheet" not in rel.Type:
            continue  # chart sheets
        part = rel.target.lstrip("/")
        sheets.append((sheet.name, part, (sheet.state or "visible") != "visible"))
    check_cost(reader.archive, sheets, strings=False)
    wb = reader.wb
    return reader.archive, sheets, reader.shared_strings, set(wb._date_formats), wb.epoch


def scan_to_table(scan: SheetScan) -> pd.DataFrame:
    """The scanned cells as a text frame indexed by spreadsheet row number (only rows with a cell)."""
    width = max((max(d) + 1 for d in scan.cells.values() if d), default=0)
    rows = sorted(scan.cells)
    grid = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):
        for c, v in scan.cells[r].items():
            grid[i, c] = v
    return pd.DataFrame(grid, index=rows)
