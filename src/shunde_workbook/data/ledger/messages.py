"""The validator's reader-facing text, in one catalogue per language (``messages/en.yaml``, ``messages/zh.yaml``).

Every message is built as ``Msg(key, **params)``: a ``str`` holding the English text (the default for errors
raised into notebooks and the terminal) that remembers its key and parameters, so the same message can be shown
in Chinese with ``msg.text("zh")`` or :func:`localise`.  Parameters that are themselves messages are shown in the
same language.  The catalogue is loaded by :mod:`shunde_workbook.i18n`, the layer the reports use too.
"""

from __future__ import annotations

from shunde_workbook import i18n

#: Languages with a catalogue (the workbook's, in its order); validator messages default to English.
LANGUAGES = i18n.LANGUAGES
MESSAGES_DIR = i18n.MESSAGES


def catalogue(lang: str) -> dict[str, str]:
    """Key → text of one language (read once per process, by the one translation layer)."""
    return i18n.load(MESSAGES_DIR, lang)


def render(key: str, lang: str = "en", params: dict | None = None) -> str:
    """The text of ``key`` in ``lang`` with ``params`` filled in (messages among them in the same language)."""
    text = i18n.text(MESSAGES_DIR, key, lang)
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
