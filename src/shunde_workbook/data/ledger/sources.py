"""Reading a ledger file safely: one :class:`RawSheet` per sheet, or a :class:`ReadFailure`.

A RawSheet holds text cells keyed by the row numbers a spreadsheet user sees; a ReadFailure says what is wrong with
the file and what to do.

The work is bounded: an ``.xlsx`` sheet is streamed cell by cell (only cells that exist in the file are kept, so a
lone cell at XFD1048576 costs nothing), columns beyond :data:`MAX_COLUMNS` are ignored with a note, and a sheet of
more than :data:`MAX_CELLS` non-empty cells is refused.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shunde_workbook.data.ledger.messages import Msg

#: Columns read per sheet; a ledger has about 20.  Cells further right are ignored (with a note).
MAX_COLUMNS = 64
#: Non-empty cells read per sheet (about 2.5 million rows of a 20-column ledger).
MAX_CELLS = 50_000_000
#: Bytes of a CSV file read (larger files are refused).
MAX_CSV_BYTES = 1_000_000_000


class ReadFailure(Exception):
    """The file cannot be read as a ledger: ``cause`` says why, ``todo`` what to do."""

    def __init__(self, cause: Msg, todo: Msg):
        super().__init__(cause)
        self.cause, self.todo = cause, todo


@dataclass
class RawSheet:
    """One sheet as text cells: ``table`` rows are indexed by spreadsheet row number, columns by position (0 = A)."""

    name: str
    table: pd.DataFrame
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2), col 0 = A
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> formula without a value
    row_errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, message, what to do)
    notes: list[str] = field(default_factory=list)
    hidden: bool = False


def read_sheets(path: str | Path) -> tuple[list[RawSheet], str]:
    """Every sheet of ``path`` as text cells, and the encoding ('utf-8', 'utf-16', 'gb18030', 'xlsx', …).

    Raises
    ------
    ReadFailure
        The file is missing, a directory, binary, an old ``.xls``, a damaged ``.xlsx`` or too large.
    """
    path = Path(path)
    if not path.exists():
        raise ReadFailure(Msg("read.no_file"), Msg("todo.check_path"))
    if path.is_dir():
        raise ReadFailure(Msg("read.folder"), Msg("todo.give_file"))
    if not path.is_file():  # a FIFO would block and a device never end: refused before opening
        raise ReadFailure(Msg("read.not_regular"), Msg("todo.regular_file"))
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
        size = path.stat().st_size
    except OSError as exc:
        raise ReadFailure(Msg("read.os_error", detail=exc.strerror or exc), Msg("todo.permission")) from None
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return _read_xls(path), "xls"
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if suffix == ".xls":
            raise ReadFailure(Msg("read.xls_named_xlsx"), Msg("todo.rename_xlsx"))
        return _read_xlsx(path, head), "xlsx"
    if suffix == ".xls":
        raise ReadFailure(Msg("read.xls_not_excel"), Msg("todo.xls_save_as"))
    if size > MAX_CSV_BYTES:
        raise ReadFailure(Msg("read.too_large", mb=f"{size / 1e6:.0f}"), Msg("todo.split_1gb"))
    return _read_csv(path)


# --------------------------------------------------------------------------- CSV


def _binary_kind(head: bytes) -> str | None:
    """A description of binary content, or None for text."""
    if head.startswith(b"\x7fELF"):
        return Msg("read.binary_elf")
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"MZ", b"Rar!", b"7z\xbc\xaf")):
        return Msg("read.binary")
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), *range(14, 27), *range(28, 32)))
    if controls > max(8, len(head) // 20):
        return Msg("read.binary_controls")
    return None


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding name); UTF-16 with or without BOM, UTF-8 with or without BOM, else GB18030."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ReadFailure(Msg("read.utf16_broken"), Msg("todo.save_utf8")) from None
    head = raw[:4096]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        try:
            return raw.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    kind = _binary_kind(head)
    if kind:
        raise ReadFailure(Msg("read.this_is", kind=kind), Msg("todo.export"))
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            enc = "utf-8-sig (BOM)" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, enc
    raise ReadFailure(Msg("read.unknown_encoding"), Msg("todo.save_utf8"))  # pragma: no cover - gb18030 reads ~all


def _read_csv(path: Path) -> tuple[list[RawSheet], str]:
    raw = path.read_bytes()
    text, enc = _decode(raw)
    # the bytes the C parser reads, in UTF-8: the file's own when it is UTF-8 already (no second encoding)
    data = raw if enc == "utf-8" else raw[3:] if enc == "utf-8-sig (BOM)" else None
    del raw
    if not text.strip():
        return [RawSheet("", pd.DataFrame())], enc
    sep = _separator(text)
    notes = [Msg("read.separator", sep=Msg(_SEPARATORS[sep]))] if sep != "," else []
    buffer = io.BytesIO(data if data is not None else text.encode("utf-8"))
    del data
    try:  # fast path: C parser; ragged rows or stray quotes fall back to the csv module
        table = pd.read_csv(  # bytes, not a StringIO: pandas re-encodes a StringIO piece by piece (slow)
            buffer,
            encoding="utf-8",
            sep=sep,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
        del buffer
        if text.count('"') % 2 == 0:
            table.index = table.index + 1
            return [RawSheet("", table, notes=notes)], enc
    except (pd.errors.ParserError, ValueError):
        pass
    sheet = _read_csv_slow(text, sep)
    sheet.notes = notes
    return [sheet], enc


_SEPARATORS = {",": "", ";": "sep.semicolons", "\t": "sep.tabs"}


def _separator(text: str) -> str:
    """',' unless the first lines hold more semicolons or tabs than commas."""
    head = [line for line in text[:20_000].splitlines()[:20] if line.strip()]
    counts = {sep: sum(line.count(sep) for line in head) for sep in _SEPARATORS}
    best = max(counts, key=counts.get)
    return best if counts[best] > counts[","] else ","


def _read_csv_slow(text: str, sep: str = ",") -> RawSheet:
    """Ragged rows (an extra comma) and unbalanced quotes, reported per row."""
    rows: list[list[str]] = []
    starts: list[int] = []
    errors: list[tuple[int, str, str]] = []
    reader = csv.reader(io.StringIO(text), delimiter=sep, strict=True)
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            errors.append(
                (
                    line,
                    Msg("read.unbalanced_quote"),
                    Msg("todo.close_quote"),
                )
            )
            break
        starts.append(line)
        rows.append(cells)
        line = reader.line_num + 1
    lengths = pd.Series([len(c) for c in rows], dtype="int64")
    width = int(lengths.mode().max()) if len(lengths) else 0  # the usual row length (title rows are shorter)
    for r, cells in zip(starts, rows, strict=True):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            errors.append(
                (
                    r,
                    Msg("read.extra_cells", cells=len(cells), width=width),
                    Msg("todo.quote_value"),
                )
            )
    table = pd.DataFrame([(c + [""] * width)[:width] for c in rows], index=starts, dtype=object)
    return RawSheet("", table, row_errors=errors)


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path, head: bytes) -> list[RawSheet]:
    from shunde_workbook.data.ledger.xlsx import SheetScan, TooCostly, scan_to_table, stream, workbook_sheets

    if not head.startswith(b"PK\x03\x04"):
        raise ReadFailure(Msg("read.xlsx_not_zip"), Msg("todo.save_xlsx"))
    if not zipfile.is_zipfile(path):
        raise ReadFailure(Msg("read.xlsx_cut"), Msg("todo.copy_again"))
    damaged = Msg("todo.save_again_xlsx")
    try:
        archive, parts, strings, date_styles, epoch = workbook_sheets(path)
    except TooCostly as exc:
        cause = Msg(f"read.too_costly_{exc.what}", part=exc.part, count=f"{exc.count:,}", limit=f"{exc.limit:,}")
        raise ReadFailure(cause, Msg("todo.raise_limit", env=exc.env, double=exc.limit * 2)) from None
    except OverflowError:
        raise ReadFailure(Msg("read.part_too_large"), damaged) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged archive
        detail = f"{type(exc).__name__}: {str(exc)[:120]}"
        raise ReadFailure(Msg("read.xlsx_damaged", detail=detail), damaged) from None
    sheets = []
    try:
        for name, part, hidden in parts:
            scan = SheetScan(strings, date_styles, epoch, MAX_COLUMNS, MAX_CELLS)
            try:
                stream(archive, part, scan)
            except OverflowError:
                raise ReadFailure(
                    Msg("read.sheet_too_large", sheet=name, cells=f"{MAX_CELLS:,}"), Msg("todo.split_sheets")
                ) from None
            except (KeyError, zipfile.BadZipFile, EOFError, ValueError, IndexError) as exc:
                detail = f"{type(exc).__name__}: {str(exc)[:120]}"
                raise ReadFailure(Msg("read.sheet_damaged", sheet=name, detail=detail), damaged) from None
            notes = []
            if scan.far:
                notes.append(Msg("read.far_cells", column=_col_letter(MAX_COLUMNS), cells=", ".join(scan.far)))
            sheets.append(RawSheet(name, scan_to_table(scan), scan.merged, scan.uncached, notes=notes, hidden=hidden))
    finally:
        archive.close()
    if not sheets:
        raise ReadFailure(Msg("read.no_worksheet"), damaged)
    return sheets


# --------------------------------------------------------------------------- XLS (old Excel, BIFF)


def _read_xls(path: Path) -> list[RawSheet]:
    """An old Excel workbook through calamine: cached values of formulas, merged cells, hidden sheets.

    Rows are read from A1 (``skip_empty_area=False``), so row numbers are those Excel shows.  A formula whose
    value was never calculated reads as an empty cell (the .xls format does not say which cells are formulas
    to this reader).
    """
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    todo = Msg("todo.xls_save_as")
    try:
        book = CalamineWorkbook.from_path(str(path))
        meta = {m.name: m for m in book.sheets_metadata}
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            if sheet.height * min(sheet.width, MAX_COLUMNS) > MAX_CELLS:
                raise ReadFailure(Msg("read.sheet_too_large", sheet=name, cells=f"{MAX_CELLS:,}"), todo)
            rows = [[cell_text(v) for v in row[:MAX_COLUMNS]] for row in sheet.to_python(skip_empty_area=False)]
            notes = []
            if sheet.width > MAX_COLUMNS:
                notes.append(Msg("read.far_cells", column=_col_letter(MAX_COLUMNS), cells=_col_letter(sheet.width)))
            table = pd.DataFrame(rows, index=range(1, len(rows) + 1), dtype=object) if rows else pd.DataFrame()
            merged = [(r1 + 1, c1, r2 + 1, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
            hidden = name in meta and meta[name].visible != SheetVisibleEnum.Visible
            sheets.append(RawSheet(name, table, merged, notes=notes, hidden=hidden))
    except ReadFailure:
        raise
    except Exception as exc:  # calamine raises its own kinds for a damaged or encrypted workbook
        raise ReadFailure(Msg("read.xls_damaged", detail=f"{type(exc).__name__}: {str(exc)[:120]}"), todo) from None
    if not sheets:
        raise ReadFailure(Msg("read.no_worksheet"), todo)
    return sheets


def _col_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def cell_text(v: object) -> str:
    """A cell value as text: whole floats without '.0', dates as ISO 'YYYY-MM-DD'."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if hasattr(v, "isoformat"):
        try:
            if getattr(v, "hour", 0) == 0 and getattr(v, "minute", 0) == 0:
                return v.isoformat()[:10]
            return v.isoformat()
        except TypeError:  # pragma: no cover
            return str(v)
    return str(v)
