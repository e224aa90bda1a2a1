"""The Python reference model of ``docs/ADJUDICATION.md``: the oracle the chain is tested against.

Pure state and arithmetic, no I/O. :class:`ReferenceEngine` takes claims in submission order
(A-1.4) and returns the rows of ``results.csv`` (A-9) or a record error (A-3). Rules the spec
leaves open are decided as written in ``docs/RULES.md`` and cited here as "R-n".
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .codesets import matches_prefix
from .intake import intake_reject
from .line_pricing import Carc, Pricing, adjustments_for, coordinate, price_line
from .money import year_of
from .records import (
    COB_NON_DUPLICATION, Adjustment, Authorization, Claim, ClaimLine, FeeEntry, Frequency, LineResult, LineStatus,
    Member, Plan, Provider, Reject, RejectReason,
)
from .reference_review import Appeal, ReviewAndAppeals
from .reward_book import RewardBook
from .scenario import Scenario


@dataclass
class Accumulator:
    deductible: int = 0
    oop: int = 0



@dataclass
class LineRecord:
    """What the engine keeps of one adjudicated line, enough to reverse it (A-7)."""

    claim_id: str
    number: int
    line: ClaimLine
    result: LineResult
    duplicate_key: tuple | None = None  # set while the line counts for
    auth_id: str | None = None  # authorization whose units it consumed
    applied: Pricing | None = None  # what the accumulators took
    reward: bool = False  # it earned its member the code's incentive


@dataclass
class ClaimRecord:
    claim: Claim
    reversed: bool = False
    lines: list[LineRecord] = field(default_factory=list)


@dataclass
class ProviderAccount:
    """A-8: what the escrow owes one provider."""

    accrued: int = 0  # sum of paid amounts
    recouped: int = 0  # sum of reversed paid amounts
    paid_out: int = 0  # sent in the settlement token

    @property
    def balance(self) -> int:
        """Owed now; negative while recoupments exceed what has accrued since."""
        return self.accrued - self.recouped - self.paid_out


class ReferenceEngine(ReviewAndAppeals):
    """The adjudication and settlement rules of the spec, as plain Python state."""

    def __init__(
        self,
        plans: dict[str, Plan],
        members: dict[str, Member],
        providers: dict[str, Provider],
        authorizations: list[Authorization],
        revisions: list[Plan] = (),
    ):
        self.plans = plans
        self.plan_versions: dict[str, list[Plan]] = {pid: [p] for pid, p in plans.items()}
        for revision in revisions:  # in effective-date order per plan (checked by the loader)
            self.plan_versions[revision.plan_id].append(revision)
        self.members = members
        self.providers = providers
        self.auths_by_member_code: dict[tuple[str, str], list[Authorization]] = defaultdict(list)
        for auth in authorizations:
            self.auths_by_member_code[(auth.member_id, auth.procedure_code)].append(auth)
        self.auth_used: dict[str, int] = defaultdict(int)
        self.claims: dict[str, ClaimRecord] = {}
        self.individual: dict[tuple[str, int], Accumulator] = defaultdict(Accumulator)
        self.family: dict[tuple[str, int], Accumulator] = defaultdict(Accumulator)
        self.units_per_day: dict[tuple[str, str, int], int] = defaultdict(int)
        self.lines_per_year: dict[tuple[str, str, int], int] = defaultdict(int)
        self.duplicates: dict[tuple, int] = defaultdict(int)
        self.pending: dict[tuple[str, int], LineRecord] = {}
        self.appeals: dict[tuple[str, int], Appeal] = {}
        self.accounts: dict[str, ProviderAccount] = defaultdict(ProviderAccount)
        self.escrow_balance = 0
        self.rewards = RewardBook()  # member incentives

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> "ReferenceEngine":
        return cls(scenario.plans, scenario.members, scenario.providers, scenario.authorizations,
                   scenario.revisions)

    # ---------------------------------------------------------------------------- submission

    def submit(self, claim: Claim, original_supplied: bool = True) -> tuple[list[LineResult], Reject | None]:
        """Adjudicate one claim (A-3 to A-7); returns its rows or the record error. The checks
        the loader makes field by field come first, in the engine's order (a claim sent without
        the loader, R-50); ``original_supplied`` False: a correction came without the recorded
        content of its original (R-17)."""
        reject = intake_reject(claim)
        if reject is not None:
            return [], reject
        known = self.claims.get(claim.claim_id)
        if known is not None:
            if known.claim.content() == claim.content():
                return [], None  # A-3 idempotence: a no-op
            return [], self._reject(claim, RejectReason.REUSED_ID)
        rows: list[LineResult] = []
        if claim.frequency != Frequency.ORIGINAL:
            reason = self._check_original(claim, original_supplied)
            if reason is not None:
                return [], self._reject(claim, reason)
            rows.extend(self._reverse(self.claims[claim.original_claim_id]))
        record = ClaimRecord(claim)
        self.claims[claim.claim_id] = record
        if claim.frequency == Frequency.VOID:
            return rows, None  # the void's own lines produce no rows
        for number, line in enumerate(claim.lines, start=1):
            line_record = self._adjudicate(claim, number, line)
            record.lines.append(line_record)
            rows.append(line_record.result)
        return rows, None

    @staticmethod
    def _reject(claim: Claim, reason: RejectReason) -> Reject:
        return Reject(claim.claim_id, *reason.field_and_reason())

    def _check_original(self, claim: Claim, supplied: bool = True) -> RejectReason | None:
        original = self.claims.get(claim.original_claim_id)
        if original is None:
            return RejectReason.ORIGINAL_UNKNOWN
        if original.claim.frequency == Frequency.VOID:
            return RejectReason.ORIGINAL_IS_VOID
        if original.reversed:
            return RejectReason.ORIGINAL_REVERSED
        if not supplied:
            return RejectReason.ORIGINAL_NOT_SUPPLIED
        if original.claim.member_id != claim.member_id:
            return RejectReason.OTHER_MEMBER
        if original.claim.provider_npi != claim.provider_npi:
            return RejectReason.OTHER_PROVIDER
        return None

    # ---------------------------------------------------------------------------- A-4 checks

    def _denial(self, claim: Claim, line: ClaimLine, skip: Carc | None = None) -> Carc | None:
        """A-4 checks 1-12 in order; the CARC of the first that fails.

        ``skip`` is the CARC of a denial overturned on appeal (R-13): the check that gives it is
        not run. Checks 1, 3 and 5 find the member, provider and fee the line is priced by, so
        they always run.
        """
        member = self.members.get(claim.member_id)
        if member is None:
            return Carc.MEMBER_UNKNOWN
        if skip != Carc.BEFORE_COVERAGE and line.service_date < member.coverage_start:
            return Carc.BEFORE_COVERAGE
        if (skip != Carc.AFTER_COVERAGE and member.coverage_end is not None
                and line.service_date > member.coverage_end):
            return Carc.AFTER_COVERAGE
        provider = self.providers.get(claim.provider_npi)
        if provider is None:
            return Carc.PROVIDER_UNKNOWN
        plan = self.plan_at(member.plan_id, line.service_date)
        if plan is None:
            return Carc.BEFORE_COVERAGE  # no plan version in effect on the DOS
        if skip != Carc.LATE_FILING and claim.received_date - line.service_date > plan.timely_filing_days:
            return Carc.LATE_FILING
        fee = plan.fee_schedule.get(line.procedure_code)
        if fee is None:
            return Carc.NOT_COVERED
        if skip != Carc.OUT_OF_NETWORK and not provider.in_network and not plan.out_of_network_covered:
            return Carc.OUT_OF_NETWORK
        if skip != Carc.DX_MISMATCH and fee.dx_prefixes and not any(
            matches_prefix(dx, prefix) for dx in claim.diagnoses for prefix in fee.dx_prefixes
        ):  # bytewise on the chain form, so a prefix never matches across code sets
            return Carc.DX_MISMATCH
        if skip != Carc.DUPLICATE and self._is_duplicate(claim, line):
            return Carc.DUPLICATE
        return self._limit_denial(claim.member_id, line, fee, skip)

    def _limit_denial(self, member_id: str, line: ClaimLine, fee: FeeEntry,
                      skip: Carc | None = None) -> Carc | None:
        """A-4 checks 9-12: the ones that depend on what was approved before (R-6); ``skip`` as
        in :meth:`_denial`."""
        if fee.prior_auth:
            covering = self._covering_auths(member_id, line)
            if not covering:
                if skip != Carc.NO_AUTHORIZATION:
                    return Carc.NO_AUTHORIZATION
            elif self._usable_auth(covering, line.units) is None and skip != Carc.AUTH_EXCEEDED:
                return Carc.AUTH_EXCEEDED
        key = (member_id, line.procedure_code, line.service_date)
        if (skip != Carc.UNITS_PER_DAY and fee.max_units_per_day is not None
                and self.units_per_day[key] + line.units > fee.max_units_per_day):
            return Carc.UNITS_PER_DAY
        year_key = (member_id, line.procedure_code, year_of(line.service_date))
        if (skip != Carc.ANNUAL_LIMIT and fee.annual_limit is not None
                and self.lines_per_year[year_key] >= fee.annual_limit):
            return Carc.ANNUAL_LIMIT
        return None

    def _covering_auths(self, member_id: str, line: ClaimLine) -> list[Authorization]:
        return [
            a for a in self.auths_by_member_code.get((member_id, line.procedure_code), ())
            if a.start <= line.service_date <= a.end
        ]

    def _usable_auth(self, covering: list[Authorization], units: int) -> Authorization | None:
        """R-5: the first covering authorization, in load order, with enough units left."""
        for auth in covering:
            if auth.units - self.auth_used[auth.auth_id] >= units:
                return auth
        return None

    @staticmethod
    def _duplicate_key(claim: Claim, line: ClaimLine) -> tuple:
        return (claim.member_id, claim.provider_npi, line.service_date, line.procedure_code,
                line.units, line.billed)

    def _is_duplicate(self, claim: Claim, line: ClaimLine) -> bool:
        key = self._duplicate_key(claim, line)
        own = 0  # lines of this same claim do not make it a duplicate (A-4.8 "another claim")
        record = self.claims.get(claim.claim_id)
        if record is not None:
            own = sum(1 for r in record.lines if r.duplicate_key == key)
        return self.duplicates[key] - own > 0

    # ---------------------------------------------------------------------------- adjudication

    def _adjudicate(self, claim: Claim, number: int, line: ClaimLine) -> LineRecord:
        record = LineRecord(claim.claim_id, number, line, LineResult(claim.claim_id, number, LineStatus.PENDED))
        carc = self._denial(claim, line)
        if carc is not None:
            record.result = self._denied(claim.claim_id, number, line, carc.value)
            return record
        plan, fee = self._plan_and_fee(claim.member_id, line)
        record.duplicate_key = self._duplicate_key(claim, line)
        self.duplicates[record.duplicate_key] += 1
        if fee.review or (plan.pend_above is not None and line.billed > plan.pend_above):
            self.pending[(claim.claim_id, number)] = record  # nothing applied yet
            return record
        self._approve(claim, record)
        return record

    def plan_at(self, plan_id: str, day: int) -> Plan | None:
        """The plan version in effect on ``day`` (R-3): the latest that starts on or before it."""
        found = None
        for version in self.plan_versions.get(plan_id, ()):
            if version.effective_from <= day:
                found = version
        return found

    def _plan_and_fee(self, member_id: str, line: ClaimLine) -> tuple[Plan, FeeEntry]:
        plan = self.plan_at(self.members[member_id].plan_id, line.service_date)
        return plan, plan.fee_schedule[line.procedure_code]

    @staticmethod
    def _denied(claim_id: str, number: int, line: ClaimLine, carc: str) -> LineResult:
        return LineResult(claim_id, number, LineStatus.DENIED,
                          adjustments=(Adjustment("CO", carc, line.billed),))

    def _approve(self, claim: Claim, record: LineRecord) -> None:
        """A-6: price against the accumulators of this moment and apply the line."""
        line = record.line
        member = self.members[claim.member_id]
        plan, fee = self._plan_and_fee(claim.member_id, line)
        year = year_of(line.service_date)
        ind = self.individual[(member.member_id, year)]
        fam = self.family[(member.subscriber_id, year)]
        oop_left = max(0, min(plan.oop_max_individual - ind.oop, plan.oop_max_family - fam.oop))
        deductible_left = max(0, min(plan.deductible_individual - ind.deductible,
                                     plan.deductible_family - fam.deductible))
        in_network = self.providers[claim.provider_npi].in_network
        copay = plan.copays.get(fee.category) if in_network else None
        pricing = price_line(
            line.billed, fee.allowed, line.units, copay,
            plan.coinsurance_bps if in_network else plan.out_of_network_coinsurance_bps,
            deductible_left, oop_left,
        )
        for acc in (ind, fam):  # the normal amounts, also for a line paid second
            acc.deductible += pricing.deductible
            acc.oop += pricing.patient
        record.applied = pricing
        auth = None  # A-4.9/10 found one, unless an appeal overturned CO-197/198
        if fee.prior_auth:
            auth = self._usable_auth(self._covering_auths(claim.member_id, line), line.units)
        if auth is not None:
            self.auth_used[auth.auth_id] += line.units
            record.auth_id = auth.auth_id
        self.units_per_day[(claim.member_id, line.procedure_code, line.service_date)] += line.units
        self.lines_per_year[(claim.member_id, line.procedure_code, year)] += 1
        reported = coordinate(pricing, line.other_payer_paid, plan.cob == COB_NON_DUPLICATION)
        self.accounts[claim.provider_npi].accrued += reported.paid
        record.result = LineResult(
            claim.claim_id, record.number, LineStatus.APPROVED,
            pricing.allowed, reported.deductible, reported.copay, reported.coinsurance,
            reported.paid, sum(reported[2:]), adjustments_for(line.billed, pricing.allowed, reported),
        )
        incentive = plan.incentives.get(line.procedure_code)
        if incentive:
            record.reward = self.rewards.earn(claim.member_id, claim.claim_id, record.number, line.procedure_code,
                                              year, incentive)

    # ---------------------------------------------------------------------------- A-7 reversal

    def _reverse(self, original: ClaimRecord) -> list[LineResult]:
        """Take back every line of ``original`` (A-7.1); returns its REVERSED rows."""
        claim = original.claim
        rows = []
        for record in original.lines:
            result = record.result
            if result.status == LineStatus.APPROVED:
                self._unapply(claim, record)
            self.pending.pop((claim.claim_id, record.number), None)
            if record.duplicate_key is not None:
                self.duplicates[record.duplicate_key] -= 1
                record.duplicate_key = None
            rows.append(result.negated())
        original.reversed = True
        return rows

    def _unapply(self, claim: Claim, record: LineRecord) -> None:
        line, result, applied = record.line, record.result, record.applied
        member = self.members[claim.member_id]
        year = year_of(line.service_date)
        for acc in (self.individual[(member.member_id, year)], self.family[(member.subscriber_id, year)]):
            acc.deductible = max(0, acc.deductible - applied.deductible)
            acc.oop = max(0, acc.oop - applied.patient)
        if record.reward:
            self.rewards.take_back(claim.member_id, claim.claim_id, record.number, line.procedure_code, year)
            record.reward = False
        if record.auth_id is not None:
            self.auth_used[record.auth_id] = max(0, self.auth_used[record.auth_id] - line.units)
        day_key = (claim.member_id, line.procedure_code, line.service_date)
        self.units_per_day[day_key] = max(0, self.units_per_day[day_key] - line.units)
        year_key = (claim.member_id, line.procedure_code, year)
        self.lines_per_year[year_key] = max(0, self.lines_per_year[year_key] - 1)
        self.accounts[claim.provider_npi].recouped += result.paid

    # ---------------------------------------------------------------------------- A-8 settlement

    def fund(self, cents: int) -> None:
        self.escrow_balance += cents

    def settle(self, npi: str) -> int:
        """Pay what the escrow owes ``npi`` as far as funds allow; returns cents paid."""
        account = self.accounts[npi]
        amount = max(0, min(account.balance, self.escrow_balance))
        account.paid_out += amount
        self.escrow_balance -= amount
        return amount

    def outstanding(self) -> int:
        return sum(max(0, a.balance) for a in self.accounts.values())


def adjudicate_scenario(scenario: Scenario, claims) -> tuple[list[LineResult], list[Reject], ReferenceEngine]:
    """Run a stream of Claims/Rejects (from :func:`scenario.iter_claims`) through the model."""
    engine = ReferenceEngine.from_scenario(scenario)
    results: list[LineResult] = []
    rejects: list[Reject] = []
    for item in claims:
        if isinstance(item, Reject):
            rejects.append(item)
            continue
        rows, reject = engine.submit(item)
        results.extend(rows)
        if reject is not None:
            rejects.append(reject)
    return results, rejects, engine
