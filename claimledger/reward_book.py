"""Member incentives (A-12) in the reference model: pure state, no I/O.

A reward is earned by the first approved line of an incentive code per member, code and plan
year, taken back when that line is reversed (the member may then earn it again: R-42), and paid
from the incentive pool to the address the member registered; a member owed less than nothing
(a reward taken back after it was paid) nets it against later rewards. Every change is logged
as a row of ``incentives.csv`` (:class:`~claimledger.records.RewardRow`), in the order the
chain's events report it.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .records import RewardRow, RewardStatus


@dataclass
class RewardAccount:
    """What one member has earned, had taken back and was paid, in cents."""

    earned: int = 0
    taken_back: int = 0
    paid: int = 0

    @property
    def owed(self) -> int:
        return self.earned - self.taken_back - self.paid


@dataclass
class RewardBook:
    live: dict[tuple[str, str, int], int] = field(default_factory=dict)  # (member, code, year) -> cents
    accounts: dict[str, RewardAccount] = field(default_factory=lambda: defaultdict(RewardAccount))
    payees: dict[str, str] = field(default_factory=dict)
    pool: int = 0  # cents funded and not paid out
    log: list[RewardRow] = field(default_factory=list)

    def earn(self, member_id: str, claim_id: str, line: int, code: str, year: int, amount: int) -> bool:
        """A-12.2: the member earns ``amount`` unless a live reward for code and year exists."""
        key = (member_id, code, year)
        if key in self.live:
            return False
        self.live[key] = amount
        self.accounts[member_id].earned += amount
        self.log.append(RewardRow(member_id, claim_id, line, code, amount, RewardStatus.EARNED))
        return True

    def take_back(self, member_id: str, claim_id: str, line: int, code: str, year: int) -> int:
        """A-12.2: the line that earned the reward was reversed."""
        amount = self.live.pop((member_id, code, year))
        self.accounts[member_id].taken_back += amount
        self.log.append(RewardRow(member_id, claim_id, line, code, -amount, RewardStatus.REVERSED))
        return amount

    def register(self, member_id: str, payee: str) -> None:
        self.payees[member_id] = payee

    def fund(self, cents: int) -> None:
        self.pool += cents

    def pay(self, member_id: str) -> int:
        """A-12.3: pays what the member is owed, as far as the pool allows, if it registered a
        payee; returns the cents paid."""
        account = self.accounts[member_id]
        if member_id not in self.payees or account.owed <= 0:
            return 0
        cents = min(account.owed, self.pool)
        if cents:
            account.paid += cents
            self.pool -= cents
            self.log.append(RewardRow(member_id, "", None, "", cents, RewardStatus.PAID))
        return cents

    def drain(self) -> list[RewardRow]:
        """The rows logged since the last drain."""
        rows, self.log = self.log, []
        return rows
