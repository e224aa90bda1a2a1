"""Text cells of the CSV files claimledger writes, safe to open in a spreadsheet (R-46).

A spreadsheet takes a cell that begins with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab
or a carriage return) as a formula: a name, a reason or a message copied from an input file
could run one. :func:`text_cell` puts a single quote in front of such a cell, as OWASP's CSV
injection advice says; the spreadsheet shows the text and the quote tells a reader it was
added. It is for text only: amounts (``-160.00``), dates and counts are written as A-9 writes
them, and ids cannot begin with any of these characters (R-4, R-46), so keys stay keys.
:func:`read_text_cell` takes the quote off again where claimledger reads a text cell back
(the first names of ``roster.csv``, A-10.3).
"""
from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"


def text_cell(value) -> str:
    """``value`` as a CSV text cell a spreadsheet will not evaluate."""
    text = "" if value is None else str(value)
    return NEUTRALISER + text if text.startswith(FORMULA_STARTS) else text


def text_cells(row, text_columns) -> list:
    """``row`` (a list) with the cells at ``text_columns`` (indexes) made safe; the others as given."""
    return [text_cell(v) if n in text_columns else v for n, v in enumerate(row)]


def read_text_cell(value: str) -> str:
    """A text cell as it was before :func:`text_cell` (the quote it added taken off)."""
    if value.startswith(NEUTRALISER) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def text_row(row) -> list[str]:
    """A row of a file with no amount in it (members, providers, roster, issues): every cell text."""
    return [text_cell(v) for v in row]


MAX_MESSAGE = 400  # characters of a reason or message kept (a 10 MB field quoted in full helps no one)


def single_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` on one line (line breaks and NULs written as ``\\n``, ``\\r``, ``\\0``), at most
    ``limit`` characters: what a reject reason, an input error or an import issue quotes from
    a bad input."""
    text = str(text)
    if "\n" in text or "\r" in text or "\x00" in text:
        text = text.replace("\r", "\\r").replace("\n", "\\n").replace("\x00", "\\0")
    return text if len(text) <= limit else text[: limit - 3] + "..."
