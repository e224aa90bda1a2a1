"""Mutations of real input files for the reader fuzz tests (issue 18).

Every strategy here takes the bytes of a real sample file and returns a damaged copy:
truncation at a random byte offset, random byte flips, another encoding (latin-1, UTF-16),
a byte-order mark, mixed CRLF/LF/CR line endings, NUL bytes, a field of up to 10 MB, huge
numbers (1e400, 10**100, 5,000-digit integers), spreadsheet-formula text, an empty file, and
one to three of these stacked. CSV inputs also get duplicated and swapped columns and rows a
field short or long; JSON inputs deep nesting (up to 100,000 levels) and duplicate keys.
"""
from __future__ import annotations

import json
import re

from hypothesis import strategies as st

TEN_MB = 10 * 1024 * 1024
HUGE_NUMBERS = ["1e400", "-1e400", str(10**100), "9" * 5_000, "0." + "1" * 400, "NaN", "Infinity", "-0"]
NASTY_TEXT = [
    "", " ", "\x00", "A\x00B", "\ufeff", "é", "\u202e", "\ud7ff", "=HYPERLINK(\"http://x\")", "+1+1", "-2+3",
    "@SUM(A1)", "\t=1", "\"", "\"\"", "'", ",", ";", "\r", "\n", "\r\n", "~", "*", ":", "^", "{", "[",
    "null", "true", "-1", "0", "2026-02-30", "99999-01-01", "1969-12-31", "0001-01-01",
] + HUGE_NUMBERS
JSON_NASTY = [None, True, False, 0, -1, 1e308, 10**100, "", "\x00", [], {}, "=cmd|'/C calc'!A0", [[[]]], {"": {}}]


def _line_endings(data: bytes, choices: list[int]) -> bytes:
    lines = re.split(rb"\r\n|\r|\n", data)
    ends = [b"\r\n", b"\n", b"\r"]
    out = []
    for n, line in enumerate(lines):
        out.append(line)
        if n < len(lines) - 1:
            out.append(ends[choices[n % len(choices)] % 3])
    return b"".join(out)


@st.composite
def byte_mutation(draw, data: bytes) -> bytes:
    """One mutation that applies to any file."""
    kind = draw(st.sampled_from([
        "truncate", "flip", "latin1", "utf16", "bom", "endings", "nul", "big_field", "number", "text",
        "empty", "delete_line", "repeat_line", "garbage",
    ]))
    at = draw(st.integers(0, len(data)))
    if kind == "truncate":
        return data[:at]
    if kind == "flip":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            if out:
                out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
        return bytes(out)
    if kind == "latin1":  # a non-ASCII name written in latin-1: not UTF-8
        return data[:at] + "Zoë Müller ñ".encode("latin-1") + data[at:]
    if kind == "utf16":
        return data.decode("utf-8", "replace").encode(draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32"])))
    if kind == "bom":
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf\xef\xbb\xbf"])) + data
    if kind == "endings":
        return _line_endings(data, draw(st.lists(st.integers(0, 2), min_size=1, max_size=8)))
    if kind == "nul":
        out = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            out.insert(draw(st.integers(0, len(out))), 0)
        return bytes(out)
    if kind == "big_field":  # a field of up to 10 MB, at a random place
        size = draw(st.sampled_from([70_000, 200_000, TEN_MB]))
        return data[:at] + draw(st.sampled_from([b"A", b"9", b"\xc3\xa9", b" "])) * size + data[at:]
    if kind == "number":
        return _replace_number(data, draw(st.integers(0, 50)), draw(st.sampled_from(HUGE_NUMBERS)))
    if kind == "text":
        return data[:at] + draw(st.sampled_from(NASTY_TEXT)).encode("utf-8", "surrogatepass") + data[at:]
    if kind == "empty":
        return draw(st.sampled_from([b"", b"\n", b"\xef\xbb\xbf", b"\x00", b"   \r\n"]))
    lines = data.splitlines(keepends=True)
    if not lines:
        return data
    n = draw(st.integers(0, len(lines) - 1))
    if kind == "delete_line":
        return b"".join(lines[:n] + lines[n + 1:])
    if kind == "repeat_line":
        return b"".join(lines[:n + 1] + lines[n:])
    return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]


def _replace_number(data: bytes, which: int, number: str) -> bytes:
    spans = [m.span() for m in re.finditer(rb"-?\d+(?:\.\d+)?", data)]
    if not spans:
        return data + number.encode()
    start, end = spans[which % len(spans)]
    return data[:start] + number.encode() + data[end:]


# ---------------------------------------------------------------------------------------------
# CSV


@st.composite
def csv_mutation(draw, data: bytes) -> bytes:
    """A mutation that knows the file is CSV: a cell replaced (huge, formula, NUL, 10 MB...), a
    column duplicated, two columns swapped, a header renamed, a row with a field too many or
    too few; else a byte mutation."""
    text = data.decode("utf-8")
    rows = text.split("\n")
    header = rows[0].split(",")
    kind = draw(st.sampled_from(["cell", "dup_column", "swap_columns", "rename", "extra_field", "short_row",
                                 "quote", "bytes"]))
    if kind == "bytes" or len(rows) < 2:
        return draw(byte_mutation(data))
    r = draw(st.integers(1, max(1, len(rows) - 1)))
    cells = rows[r].split(",")
    c = draw(st.integers(0, len(header) - 1))
    if kind == "cell" and c < len(cells):
        value = draw(st.sampled_from(NASTY_TEXT) | st.sampled_from(["X" * 70_000, "9" * TEN_MB]) | st.text(max_size=20))
        cells[c] = '"' + value.replace('"', '""') + '"' if any(ch in value for ch in ',"\r\n') else value
        rows[r] = ",".join(cells)
    elif kind == "dup_column":
        rows = [",".join(line.split(",") + [line.split(",")[c % max(1, len(line.split(",")))]]) if line else line
                for line in rows]
    elif kind == "swap_columns":
        d = draw(st.integers(0, len(header) - 1))
        swapped = []
        for line in rows:
            parts = line.split(",")
            if max(c, d) < len(parts):
                parts[c], parts[d] = parts[d], parts[c]
            swapped.append(",".join(parts))
        rows = swapped
    elif kind == "rename":
        header[c] = draw(st.sampled_from(["", header[c].upper(), header[c] + " ", "\ufeff" + header[c], header[(c + 1) % len(header)]]))
        rows[0] = ",".join(header)
    elif kind == "extra_field":
        rows[r] = rows[r] + "," + draw(st.sampled_from(["", "x", "=1+1"]))
    elif kind == "short_row":
        rows[r] = ",".join(cells[: draw(st.integers(0, max(0, len(cells) - 1)))])
    elif kind == "quote":
        rows[r] = rows[r][: draw(st.integers(0, len(rows[r])))] + '"' + rows[r][draw(st.integers(0, len(rows[r]))):]
    return "\n".join(rows).encode("utf-8", "surrogatepass")


def mutated_csv(data: bytes):
    """1-3 stacked CSV or byte mutations of ``data``."""
    return _stacked(data, csv_mutation)


def _stacked(data: bytes, mutation, most: int = 3, unparsable=(UnicodeDecodeError,)):
    """1 to ``most`` stacked mutations of ``data``; where ``mutation`` cannot parse what an earlier
    one left (``unparsable``: a CSV mutation after a byte one broke the text, a JSON document
    nested near the limit), a byte mutation instead."""
    @st.composite
    def build(draw):
        out = data
        for _ in range(draw(st.integers(1, most))):
            try:
                out = draw(mutation(out))
            except unparsable:
                out = draw(byte_mutation(out))
        return out
    return build()


def mutated_bytes(data: bytes):
    """1-3 stacked byte mutations of ``data`` (X12)."""
    return _stacked(data, byte_mutation)


# ---------------------------------------------------------------------------------------------
# JSON


def deep(levels: int, array: bool = True) -> str:
    return ("[" * levels + "]" * levels) if array else ('{"a":' * levels + "1" + "}" * levels)


def _paths(node, here=()):
    yield here
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, here + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, here + (i,))


def _dumps_with_duplicate(node, target, key, value) -> str:
    """JSON text of ``node`` where the object at path ``target`` repeats ``key`` with ``value``."""
    def emit(n, here):
        if isinstance(n, dict):
            pairs = [f"{json.dumps(k)}:{emit(v, here + (k,))}" for k, v in n.items()]
            if here == target:
                pairs.append(f"{json.dumps(key)}:{value}")
            return "{" + ",".join(pairs) + "}"
        if isinstance(n, list):
            return "[" + ",".join(emit(v, here + (i,)) for i, v in enumerate(n)) + "]"
        return json.dumps(n)
    return emit(node, ())


@st.composite
def json_mutation(draw, data: bytes) -> bytes:
    """A mutation that knows the file is JSON: a value replaced (deep nesting up to 100,000
    levels, huge numbers, wrong types, formula text), a key duplicated, a key dropped; else a
    byte mutation."""
    kind = draw(st.sampled_from(["value", "deep", "duplicate", "drop", "number_text", "bytes", "bytes"]))
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):  # an earlier mutation nested it past the parser
        document = None
    if kind == "bytes" or document is None:
        return draw(byte_mutation(data))
    paths = list(_paths(document))
    target = draw(st.sampled_from(paths))
    if kind == "deep":
        levels = draw(st.sampled_from([50, 1_000, 5_000, 100_000]))
        return _replace_at(document, target, deep(levels, draw(st.booleans())))
    if kind == "number_text":
        return _replace_at(document, target, draw(st.sampled_from(HUGE_NUMBERS[:5] + ["1" + "0" * 5_000])))
    if kind == "value":
        return _replace_at(document, target, json.dumps(draw(st.sampled_from(JSON_NASTY) | st.text(max_size=10))))
    objects = [p for p in paths if isinstance(_get(document, p), dict) and _get(document, p)]
    if not objects:
        return draw(byte_mutation(data))
    where = draw(st.sampled_from(objects))
    key = draw(st.sampled_from(sorted(_get(document, where))))
    if kind == "duplicate":
        value = json.dumps(draw(st.sampled_from(JSON_NASTY)))
        return _dumps_with_duplicate(document, where, key, value).encode()
    del _get(document, where)[key]
    return json.dumps(document).encode()


def _get(node, path):
    for p in path:
        node = node[p]
    return node


def _replace_at(document, target, raw: str) -> bytes:
    marker = "\u0000MARK\u0000"
    if not target:
        return raw.encode()
    parent = _get(document, target[:-1])
    old = parent[target[-1]]
    parent[target[-1]] = marker
    text = json.dumps(document).replace(json.dumps(marker), raw)
    parent[target[-1]] = old
    return text.encode()


def mutated_json(data: bytes):
    """1-2 stacked JSON or byte mutations of ``data``."""
    return _stacked(data, json_mutation, most=2, unparsable=(RecursionError,))


BAD_CELLS = NASTY_TEXT + ["X" * 70_000, "9" * TEN_MB, "=cmd|'/C calc'!A0"]  # one cell of a CSV record


def damage_row(data, rows: list[list[str]], index: int, first_column: int) -> str:
    """Damages row ``index`` of a parsed CSV in place and says how: ``short`` (cut at a drawn
    column), ``wide`` (more fields than the header: cells added at its end, or a drawn cell
    split in two as an unquoted comma would) or ``cell`` (one cell from ``first_column`` on
    replaced by a hostile value)."""
    column = data.draw(st.integers(first_column, len(rows[0]) - 1), label="column")
    kind = data.draw(st.sampled_from(["short", "wide", "cell"]), label="damage")
    if kind == "short":
        rows[index] = rows[index][:column]
    elif kind == "wide" and data.draw(st.booleans(), label="split a cell"):
        cell = rows[index][column]
        at = data.draw(st.integers(0, len(cell)), label="split at")
        rows[index][column:column + 1] = [cell[:at], cell[at:]]
    elif kind == "wide":
        rows[index] += data.draw(st.lists(st.sampled_from(["", "x", "=1+1", "9" * 70_000]), min_size=1, max_size=3),
                                 label="extra cells")
    else:
        rows[index][column] = data.draw(st.sampled_from(BAD_CELLS), label="value")
    return kind
