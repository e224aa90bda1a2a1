"""Fuzzing the readers (issue 18): hypothesis profiles, the inputs each reader family got,
and the check every fuzz test makes of what a reader did with a mutated file.

Profiles: ``ci`` (the default, what ``make test`` runs: a few dozen inputs per reader) and
``full`` (``HYPOTHESIS_PROFILE=full``: >= 2,000 inputs per reader family). They are registered
as ``fuzz-ci`` and ``fuzz-full`` so that tests/property's own ``ci``/``full`` profiles (other
counts) do not replace them when both run in one session. The counts of inputs each reader
family was given are printed at the end of the run.
"""
from __future__ import annotations

import os
import time
from collections import Counter

from hypothesis import HealthCheck, settings

from claimledger.fields import ScenarioError
from claimledger.money import FormatError

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                      HealthCheck.large_base_example, HealthCheck.filter_too_much])
settings.register_profile("fuzz-ci", max_examples=25, **_COMMON)
settings.register_profile("fuzz-full", max_examples=2000, **_COMMON)
FUZZ = settings.get_profile("fuzz-full" if PROFILE == "full" else "fuzz-ci")
# the "records before and after a bad one" tests: fewer, each input is a whole valid file
NEIGHBOURS = settings(FUZZ, max_examples=max(10, FUZZ.max_examples // 4))

# What a reader may raise for a file it cannot use at all: the one-line errors the CLI prints
# as they are (claimledger/cli.py KNOWN_ERRORS). Checked by exact type: a UnicodeDecodeError
# or a pandas ParserError is a ValueError too, and is exactly what must not escape.
ONE_LINE_ERRORS = (ScenarioError, FormatError)
ONE_LINE_ERROR_NAMES = {cls.__name__ for cls in ONE_LINE_ERRORS}

INPUTS: Counter = Counter()  # reader family -> inputs generated and read
_STARTED = time.monotonic()


def read_or_refuse(family: str, read):
    """Call ``read()`` on one generated input: its result, or the one-line error it raised (a
    known type, one non-empty line). Anything else escapes and fails the test."""
    INPUTS[family] += 1
    try:
        return read()
    except ONE_LINE_ERRORS as exc:
        assert type(exc).__name__ in ONE_LINE_ERROR_NAMES, f"{type(exc).__name__} is not a one-line error type"
        text = str(exc)
        assert text.strip(), f"{type(exc).__name__} without a message"
        assert "\n" not in text and "\r" not in text, f"error message is not one line: {text[:300]!r}"
        assert len(text) < 2_000, f"error message of {len(text)} characters: {text[:200]!r}..."
        return exc


def one_line(text: str) -> bool:
    return "\n" not in text and "\r" not in text


def pytest_runtest_teardown(item):
    """With FUZZ_COUNTS=FILE, each test appends its inputs so far and the time taken, so a long
    full-profile run shows its figures as it goes."""
    path = os.environ.get("FUZZ_COUNTS")
    if path and INPUTS:
        with open(path, "a") as fh:
            counts = ", ".join(f"{family}: {count}" for family, count in sorted(INPUTS.items()))
            fh.write(f"{time.monotonic() - _STARTED:7.0f} s  after {item.name}: {counts}\n")


def pytest_terminal_summary(terminalreporter):
    if not INPUTS:
        return
    elapsed = time.monotonic() - _STARTED
    terminalreporter.write_sep("-", f"fuzz inputs per reader family (profile {PROFILE})")
    for family, count in sorted(INPUTS.items()):
        terminalreporter.write_line(f"{family:<22} {count:>7}")
    terminalreporter.write_line(f"{'total':<22} {sum(INPUTS.values()):>7}  ({elapsed:.0f} s since collection)")
