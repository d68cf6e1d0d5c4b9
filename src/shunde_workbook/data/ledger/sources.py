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

#: Columns read per sheet; a ledger has about 20.  Cells further right are ignored (with a note).
MAX_COLUMNS = 64
#: Non-empty cells read per sheet (about 2.5 million rows of a 20-column ledger).
MAX_CELLS = 50_000_000
#: Bytes of a CSV file read (larger files are refused).
MAX_CSV_BYTES = 1_000_000_000

_XLS_TODO = (
    "open it in Excel or WPS and save it as .xlsx (文件 → 另存为 → Excel 工作簿 *.xlsx), or export it as "
    "CSV UTF-8, then validate that file"
)


class ReadFailure(Exception):
    """The file cannot be read as a ledger: ``cause`` says why, ``todo`` what to do."""

    def __init__(self, cause: str, todo: str):
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
        raise ReadFailure("no such file", "check the path and the file name")
    if path.is_dir():
        raise ReadFailure("this is a folder, not a file", "give the path of the ledger file itself")
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
        size = path.stat().st_size
    except OSError as exc:
        raise ReadFailure(f"cannot read the file ({exc.strerror or exc})", "check that you may read it") from None
    suffix = path.suffix.lower()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadFailure(
            "this is an old Excel .xls workbook (binary format), which the validator cannot read", _XLS_TODO
        )
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        if suffix == ".xls":
            raise ReadFailure("a workbook named .xls", "rename it to .xlsx, or save it again as .xlsx")
        return _read_xlsx(path, head), "xlsx"
    if suffix == ".xls":
        raise ReadFailure("an .xls file that is not an Excel workbook", _XLS_TODO)
    if size > MAX_CSV_BYTES:
        raise ReadFailure(f"file is too large ({size / 1e6:.0f} MB)", "split it into files under 1 GB")
    return _read_csv(path)


# --------------------------------------------------------------------------- CSV


def _binary_kind(head: bytes) -> str | None:
    """A description of binary content, or None for text."""
    if head.startswith(b"\x7fELF"):
        return "an executable program (ELF), not a table"
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"MZ", b"Rar!", b"7z\xbc\xaf")):
        return "a binary file (PDF, image, archive or program), not a table"
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), *range(14, 27), *range(28, 32)))
    if controls > max(8, len(head) // 20):
        return "binary data (it is full of control bytes such as NUL), not a text table"
    return None


def _decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding name); UTF-16 with or without BOM, UTF-8 with or without BOM, else GB18030."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise ReadFailure("looks like UTF-16 text but cannot be decoded", "save it again as CSV UTF-8") from None
    head = raw[:4096]
    if len(head) >= 4 and head[1::2].count(0) > len(head) // 4 and head[0::2].count(0) == 0:
        try:
            return raw.decode("utf-16-le"), "utf-16-le"
        except UnicodeDecodeError:
            pass
    kind = _binary_kind(head)
    if kind:
        raise ReadFailure(
            f"this is {kind}", "export the ledger from Excel or WPS as .xlsx or CSV UTF-8 and validate that file"
        )
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            enc = "utf-8-sig (BOM)" if raw.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, enc
    raise ReadFailure(  # pragma: no cover - gb18030 decodes nearly any byte string
        "text in an unknown encoding (not UTF-8, UTF-16 or GBK/GB18030)", "save it again as CSV UTF-8"
    )


def _read_csv(path: Path) -> tuple[list[RawSheet], str]:
    raw = path.read_bytes()
    text, enc = _decode(raw)
    del raw
    if not text.strip():
        return [RawSheet("", pd.DataFrame())], enc
    sep = _separator(text)
    notes = [f"columns are separated by {_SEPARATORS[sep]}, not by commas"] if sep != "," else []
    try:  # fast path: C parser; ragged rows or stray quotes fall back to the csv module
        table = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
        if text.count('"') % 2 == 0:
            table.index = table.index + 1
            return [RawSheet("", table, notes=notes)], enc
    except (pd.errors.ParserError, ValueError):
        pass
    sheet = _read_csv_slow(text, sep)
    sheet.notes = notes
    return [sheet], enc


_SEPARATORS = {",": "commas", ";": "semicolons (;)", "\t": "tabs"}


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
                    'unbalanced quote ("): a quoted cell starts on this line and never ends, so the rest of the '
                    "file cannot be read",
                    'add the closing " or remove the stray one, e.g. by saving the file again from Excel',
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
                    f"this row has {len(cells)} cells but the header has {width} (a comma inside a value?)",
                    'put the value in double quotes ("1,200") or remove the comma',
                )
            )
    table = pd.DataFrame([(c + [""] * width)[:width] for c in rows], index=starts, dtype=object)
    return RawSheet("", table, row_errors=errors)


# --------------------------------------------------------------------------- XLSX


def _read_xlsx(path: Path, head: bytes) -> list[RawSheet]:
    from shunde_workbook.data.ledger.xlsx import SheetScan, scan_to_table, stream, workbook_sheets

    if not head.startswith(b"PK\x03\x04"):
        raise ReadFailure(
            "named .xlsx but it is not an Excel workbook (not a zip archive)",
            "open it in Excel or WPS and save it as .xlsx, or export CSV UTF-8",
        )
    if not zipfile.is_zipfile(path):
        raise ReadFailure(
            "the .xlsx file is damaged or cut off (its zip directory is missing)",
            "copy or download the file again, or open it in Excel and save it again",
        )
    damaged = "open it in Excel or WPS and save it again as .xlsx"
    try:
        archive, parts, strings, date_styles, epoch = workbook_sheets(path)
    except OverflowError:
        raise ReadFailure("a part of the workbook is too large to read (over 2 GB unpacked)", damaged) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged archive
        raise ReadFailure(f"the .xlsx file is damaged ({type(exc).__name__}: {str(exc)[:120]})", damaged) from None
    sheets = []
    try:
        for name, part, hidden in parts:
            scan = SheetScan(strings, date_styles, epoch, MAX_COLUMNS, MAX_CELLS)
            try:
                stream(archive, part, scan)
            except OverflowError:
                raise ReadFailure(
                    f"sheet '{name}' is too large "
                    f"(over {MAX_CELLS:,} filled cells, a row over 256 MB, or 2 GB unpacked)",
                    "split the ledger into smaller files or sheets",
                ) from None
            except (KeyError, zipfile.BadZipFile, EOFError, ValueError, IndexError) as exc:
                raise ReadFailure(
                    f"sheet '{name}' is damaged ({type(exc).__name__}: {str(exc)[:120]})", damaged
                ) from None
            notes = []
            if scan.far:
                notes.append(f"cells beyond column {_col_letter(MAX_COLUMNS)} ignored (e.g. {', '.join(scan.far)})")
            sheets.append(RawSheet(name, scan_to_table(scan), scan.merged, scan.uncached, notes=notes, hidden=hidden))
    finally:
        archive.close()
    if not sheets:
        raise ReadFailure("the workbook has no worksheet", damaged)
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
