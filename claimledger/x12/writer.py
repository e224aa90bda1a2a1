"""Writing X12: values, and a writer with the default delimiters and computed envelope counts."""
from __future__ import annotations

import datetime as _dt
import re

from .segments import Delimiters


def x12_amount(cents: int) -> str:
    """Cents -> an X12 decimal without trailing zeros (120, 92.5, 14.25, -38)."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    if frac == 0:
        return f"{sign}{whole}"
    text = f"{frac:02d}".rstrip("0")
    return f"{sign}{whole}.{text}"


def x12_date(day: _dt.date) -> str:
    return day.strftime("%Y%m%d")


_UNSAFE = re.compile(r"[*:~^\r\n]")


def clean(value: str, max_len: int | None = None) -> str:
    """Free text made safe for the default delimiters (upper case, no separators)."""
    text = _UNSAFE.sub(" ", str(value)).strip().upper()
    text = re.sub(r"\s+", " ", text)
    return text[:max_len] if max_len else text


class Writer:
    """Builds an X12 file with the default delimiters ``* ^ : ~`` and one segment per line."""

    delimiters = Delimiters()

    def __init__(self, sender: str, receiver: str, when: _dt.datetime, usage: str = "P"):
        self.sender = sender
        self.receiver = receiver
        self.when = when
        self.usage = usage
        self.lines: list[str] = []
        self._isa_control = 0
        self._gs_control = 0
        self._st_control = 0
        self._st_segments = 0
        self._gs_sets = 0
        self._isa_groups = 0

    def seg(self, *elements) -> None:
        parts = []
        for e in elements:
            if isinstance(e, (list, tuple)):
                parts.append(":".join(str(c) for c in e).rstrip(":"))
            else:
                parts.append("" if e is None else str(e))
        while parts and parts[-1] == "":
            parts.pop()
        self.lines.append("*".join(parts) + "~")
        self._st_segments += 1

    def open_interchange(self, receiver: str | None = None) -> None:
        self._isa_control += 1
        self._isa_groups = 0
        recv = (receiver or self.receiver)[:15]
        self.lines.append(
            f"ISA*00*{'':10}*00*{'':10}*ZZ*{self.sender[:15]:<15}*ZZ*{recv:<15}*"
            f"{self.when:%y%m%d}*{self.when:%H%M}*^*00501*{self._isa_control:09d}*0*{self.usage}*:~")

    def close_interchange(self) -> None:
        self.lines.append(f"IEA*{self._isa_groups}*{self._isa_control:09d}~")

    def open_group(self, functional_id: str, version: str, receiver: str | None = None) -> None:
        self._gs_control += 1
        self._gs_sets = 0
        self._isa_groups += 1
        recv = receiver or self.receiver
        self.lines.append(f"GS*{functional_id}*{self.sender}*{recv}*{self.when:%Y%m%d}*"
                          f"{self.when:%H%M}*{self._gs_control}*X*{version}~")

    def close_group(self) -> None:
        self.lines.append(f"GE*{self._gs_sets}*{self._gs_control}~")

    def open_transaction(self, set_id: str, version: str | None) -> str:
        self._st_control += 1
        self._gs_sets += 1
        self._st_segments = 0
        control = f"{self._st_control:04d}"
        self.seg("ST", set_id, control, version)
        return control

    def close_transaction(self) -> None:
        control = f"{self._st_control:04d}"
        self.seg("SE", self._st_segments + 1, control)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
