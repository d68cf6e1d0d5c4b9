"""The validator's reader-facing text, in one catalogue per language (``messages/en.yaml``, ``messages/zh.yaml``).

Every message is built as ``Msg(key, **params)``: a ``str`` holding the English text (the default for errors
raised into notebooks and the terminal) that remembers its key and parameters, so the same message can be shown
in Chinese with ``msg.text("zh")`` or :func:`localise`.  Parameters that are themselves messages are shown in the
same language.  The data stage sits below the narrative catalogue, so the validator keeps its own.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

#: Languages with a catalogue; the first is the default.
LANGUAGES = ("en", "zh")
MESSAGES_DIR = Path(__file__).with_name("messages")


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Key → text of one language (read once per process)."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, not {lang!r}")
    data: dict = {}
    # The main file, then one file per area (``messages/<area>/<lang>.yaml``); a key may be defined once.
    for path in [MESSAGES_DIR / f"{lang}.yaml", *sorted(MESSAGES_DIR.glob(f"*/{lang}.yaml"))]:
        with path.open(encoding="utf-8") as fh:
            part = yaml.safe_load(fh) or {}
        twice = sorted(set(part) & set(data))
        if twice:
            raise ValueError(f"{path}: keys already defined in another catalogue file: {twice[:5]}")
        data.update(part)
    return {str(k): str(v) for k, v in data.items()}


def render(key: str, lang: str = "en", params: dict | None = None) -> str:
    """The text of ``key`` in ``lang`` with ``params`` filled in (messages among them in the same language)."""
    text = catalogue(lang)[key]
    return text.format(**{k: localise(v, lang) for k, v in (params or {}).items()})


def localise(value: object, lang: str = "en") -> object:
    """A :class:`Msg` in ``lang``; anything else (values echoed from the file, numbers) unchanged."""
    return value.text(lang) if isinstance(value, Msg) else value


class Msg(str):
    """A catalogue message: its English text, plus ``key`` and ``params`` to show it in another language.

    Parameters
    ----------
    key : str
        Key in ``messages/<lang>.yaml``.
    **params
        Values of the text's ``{placeholders}``.
    """

    key: str
    params: dict

    def __new__(cls, key: str, /, **params) -> Msg:
        """The English text of ``key``, remembering ``key`` and ``params``."""
        self = super().__new__(cls, render(key, "en", params))
        self.key, self.params = key, params
        return self

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` ('en' or 'zh')."""
        return render(self.key, lang, self.params)

    def __reduce__(self):
        return _rebuild, (self.key, self.params)


def _rebuild(key: str, params: dict) -> Msg:
    return Msg(key, **params)


def row_list(rows: list, limit: int) -> object:
    """'2, 5, 9' — at most ``limit`` rows named, then how many more (a Msg when some are left out)."""
    shown = ", ".join(str(r) for r in rows[:limit])
    return Msg("list.more", shown=shown, n=len(rows) - limit) if len(rows) > limit else shown
