"""A-1.3: the contracts' calendar (contracts/libraries/Dates.sol, Howard Hinnant's civil-from-days
algorithm, whose floor divisions Slither flags as divide-before-multiply: docs/SECURITY.md) agrees
with Python's on every day from 1970-01-01 to 2100-12-31."""
import datetime

import pytest

EPOCH = datetime.date(1970, 1, 1)
LAST_DAY = (datetime.date(2101, 1, 1) - EPOCH).days  # exclusive
CHUNK = 6_000  # days per eth_call (the result array's memory stays cheap)


@pytest.fixture(scope="module")
def dates(DatesHarness, admin):
    return DatesHarness.deploy({"from": admin})


def test_every_day_maps_to_its_calendar_year(dates):
    """Each of the 47,846 days of 1970-2100 (leap days, the non-leap 2100 included) is in the
    calendar year Python gives it."""
    for start in range(0, LAST_DAY, CHUNK):
        end = min(LAST_DAY, start + CHUNK)
        expected = [(EPOCH + datetime.timedelta(days=d)).year for d in range(start, end)]
        assert list(dates.yearsOf(start, end)) == expected, f"days {start}..{end}"


def test_first_day_of_every_year(dates):
    """January 1 of each year 1970-2100 is the day Python counts since 1970-01-01."""
    got = list(dates.firstDaysOf(1970, 2101))
    assert got == [(datetime.date(y, 1, 1) - EPOCH).days for y in range(1970, 2101)]
