"""One family of errors and warnings for the whole workbook.

A :class:`WorkbookError` is a problem the user can fix (a parameter, an input
file, a run that cannot start); anything else that escapes is a bug.  The CLI
and the runner tell the two apart by class, never by name.

>>> issubclass(ParameterError, ValueError) and issubclass(ParameterError, WorkbookError)
True
>>> closest("langauge", ["language", "ledger_path"])
'language'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class WorkbookError(Exception):
    """Base class: a problem with the user's parameters, inputs or run, explained in the message."""


class ParameterError(WorkbookError, ValueError):
    """A parameter name or value is invalid (unknown name, wrong type, out of range, missing file)."""


class InputError(WorkbookError, ValueError):
    """An input cannot support the analysis (empty, too small, unreadable, wrong columns)."""


class LedgerError(InputError):
    """A grant ledger failed validation; ``.report`` holds the full validation report.

    Parameters
    ----------
    report : ValidationReport
        The report whose errors make up the message.
    """

    def __init__(self, report):
        self.report = report
        lines = [e.format() for e in report.errors]
        super().__init__(f"{len(lines)} problem(s) in {report.path}:\n" + "\n".join(lines))


class BoundaryError(InputError):
    """A boundary file that cannot be used as it is (the message says why and what to do)."""


class RunError(WorkbookError, RuntimeError):
    """The run cannot start (locked or unwritable outputs folder)."""


class WorkbookWarning(UserWarning):
    """Base class for the workbook's warnings (weak or missing data, repaired inputs)."""


class MissingDataWarning(WorkbookWarning):
    """A metric ran on incomplete data (missing values were dropped or filled)."""


def user_error_names() -> frozenset[str]:
    """Names of every :class:`WorkbookError` class.

    A notebook's exception reaches the runner from the kernel as a name only, so the runner
    matches it against this set, derived from the class family rather than typed out.

    >>> "LedgerError" in user_error_names() and "KeyError" not in user_error_names()
    True
    """
    seen, todo = set(), [WorkbookError]
    while todo:
        cls = todo.pop()
        seen.add(cls.__name__)
        todo.extend(cls.__subclasses__())
    return frozenset(seen)


def closest(value, choices: Iterable, cutoff: float = 0.5) -> str | None:
    """The choice most like ``value``, for a "did you mean …?" hint, or None.

    Parameters
    ----------
    value : object
        What the user wrote (compared as text).
    choices : iterable
        The valid spellings.
    cutoff : float
        Similarity (0–1, :class:`difflib.SequenceMatcher` ratio) below which nothing is
        suggested; a choice with nothing in common is never suggested.
    """
    text = str(value)
    options = [str(c) for c in choices]
    hits = difflib.get_close_matches(text, options, n=1, cutoff=cutoff)
    if not text or not hits or difflib.SequenceMatcher(None, text, hits[0]).ratio() == 0:
        return None
    return hits[0]
