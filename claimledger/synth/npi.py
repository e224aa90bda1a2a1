"""National Provider Identifiers: the Luhn check digit over the 80840 card prefix."""
from __future__ import annotations


def npi_check_digit(base9: str) -> int:
    """Luhn check digit of a 9-digit NPI base, computed over the ``80840`` card prefix."""
    if len(base9) != 9 or not base9.isdigit():
        raise ValueError(f"NPI base must be 9 digits: {base9!r}")
    total = 0
    # The check digit will be the rightmost digit, so doubling starts at the rightmost payload digit.
    for position, char in enumerate(reversed("80840" + base9)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def is_valid_npi(npi: str) -> bool:
    """10 digits, first 1 or 2, Luhn-valid with the 80840 prefix."""
    return (
        len(npi) == 10 and npi.isdigit() and npi[0] in "12"
        and npi_check_digit(npi[:9]) == int(npi[9])
    )
