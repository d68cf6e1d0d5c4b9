"""The currency of the amounts.

It comes from a Currency column, a currency in the amount's header ('Amount (GBP)', '金额（英镑）') or a currency
sign in the cells ('£1,000').  The workbook analyses 元 (CNY).  Amounts in another currency are an error naming
the currency, one line per currency; nothing is converted unless the caller gives a rate and its source
(``--rate GBP=9.12 --rate-source …``).
A record is never "corrected" to CNY.  With no currency anywhere and amounts that look foreign (English headers
only, or decimal commas), a warning says they are read as 元.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from shunde_workbook.data.ledger.distinct import map_unique
from shunde_workbook.data.ledger.headers import CURRENCY_WORDS
from shunde_workbook.data.ledger.messages import Msg, row_list
from shunde_workbook.data.ledger.report import Fix
from shunde_workbook.data.ledger.sheet import Sheet
from shunde_workbook.data.schema import CURRENCY_ALIASES, label_key

_SIGN = re.compile(r"^\s*(HK\$|US\$|£|€|\$)")
_SIGNS = {"HK$": "HKD", "US$": "USD", "£": "GBP", "€": "EUR", "$": "USD"}
_DECIMAL_COMMA = re.compile(r"^\d{1,3}(\.\d{3})*,\d{1,2}$")


def rate_arg(rates: dict[str, float] | None, source: str | None) -> dict | None:
    """Rates to 元 keyed by ISO code, checked: each positive, and a source given; ValueError otherwise."""
    if not rates:
        return None
    if not source or not str(source).strip():
        raise ValueError(Msg("currency.rate_no_source"))
    out = {}
    for code, rate in rates.items():
        try:
            value = float(rate)
        except (TypeError, ValueError):
            value = -1.0
        if not value > 0:
            raise ValueError(Msg("currency.rate_bad", code=code, rate=rate))
        out[str(code).strip().upper()] = value
    return {"rates": out, "source": str(source).strip()}


def parse_rates(items: list[str] | None) -> dict[str, str]:
    """``['GBP=9.12']`` → ``{'GBP': '9.12'}`` (checked later by :func:`rate_arg`)."""
    out = {}
    for item in items or []:
        code, sep, rate = str(item).partition("=")
        if not sep:
            raise ValueError(Msg("currency.rate_bad", code=item, rate=""))
        out[code.strip()] = rate.strip()
    return out


def currency_code(value: str) -> str | None:
    """'CNY', 'rmb', '人民币' → 'CNY'; 'GBP', '英镑', '£' → 'GBP'; '' → None; other text → its upper-case form."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    key = label_key(text)
    if key in CURRENCY_ALIASES:
        return "CNY"
    return CURRENCY_WORDS.get(key, text.upper())


def check_currency(sheet: Sheet, rates: dict | None = None) -> None:
    """Currency of each row from the column, the amount's header or a sign in the cell; non-CNY rows are errors.

    Every accepted row gets currency CNY (after a conversion at the caller's rate, recorded as a fix).
    """
    header = sheet.roles.currency.get("amount")
    code = pd.Series(header, index=sheet.index, dtype=object)
    column = sheet.hname("amount") or "Currency"
    if sheet.has("currency"):
        raw = sheet.get("currency")
        given = map_unique(raw, currency_code, sheet.distinct_of("currency"))
        code = given.where(given.notna(), code)
        column = sheet.hname("currency")
    amounts = sheet.get("amount")
    if amounts is not None:
        signs = map_unique(amounts, lambda v: (m := _SIGN.match(v)) and _SIGNS[m.group(1)], sheet.distinct_of("amount"))
        code = code.where(code.notna() | signs.isna(), signs)
    foreign = code.notna() & code.ne("CNY")
    if foreign.any():
        _convert_or_refuse(sheet, foreign, code, column, rates)
    elif code.isna().all() and amounts is not None:
        _warn_foreign_looking(sheet, amounts)
    sheet.out["currency"] = "CNY"


def _convert_or_refuse(sheet: Sheet, foreign: pd.Series, code: pd.Series, column: str, rates: dict | None) -> None:
    table = (rates or {}).get("rates", {})
    for cur, rows in sheet.rownum[foreign].groupby(code[foreign], sort=False):
        mask = foreign & code.eq(cur)
        listed = rows.astype(int).tolist()
        if cur in table:
            rate, source = table[cur], rates["source"]
            sheet.out["amount"] = sheet.out["amount"].where(~mask, (sheet.out["amount"] * rate).round(2))
            message = Msg("currency.converted", currency=cur, rate=rate, source=source)
            sheet.issues.fixes.append(Fix(sheet.file, column, cur, "CNY", tuple(listed), message, sheet.name))
            continue
        message = Msg("currency.not_cny", currency=cur, n=len(listed), rows=row_list(listed, 10))
        todo = Msg("currency.todo", currency=cur)
        sheet.issues.row_issue(listed[0], column, cur, message, todo)
        sheet.issues.bad |= mask


def _warn_foreign_looking(sheet: Sheet, amounts: pd.Series) -> None:
    """A warning when nothing names a currency and the amounts look foreign."""
    headers = [str(h) for h in sheet.headers if str(h).strip()]
    english = bool(headers) and all(h.isascii() for h in headers)
    comma = amounts[map_unique(amounts, lambda v: bool(_DECIMAL_COMMA.match(v))).astype(bool)]
    if comma.any():
        why = Msg("currency.why_comma", example=comma.iloc[0])
    elif english:
        why = Msg("currency.why_english")
    else:
        return
    sheet.issues.header(sheet.hname("amount"), Msg("currency.none_given", why=why), warning=True)
