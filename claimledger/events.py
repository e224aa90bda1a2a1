"""The claims engine's events, decoded into the rows of ``results.csv`` (A-9).

A line's outcome travels in two packed words (``IEngineEvents``) that carry every figure A-9
reports, paid, patient share and the CO-45 amount included: reading results back is decoding
and formatting, never the rules' arithmetic (that lives in the contracts and, independently,
in the reference model the chain is tested against).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from eth_abi import decode as abi_decode
from eth_utils import event_abi_to_log_topic

from .codec import from_fixed_bytes
from .intake import CHAIN_REJECTS  # IClaimTypes.RejectReason -> (field, reason)
from .records import Adjustment, Claim, LineResult, LineStatus, Reject, RewardRow, RewardStatus

LINE_STATUS = {1: LineStatus.APPROVED, 2: LineStatus.DENIED, 3: LineStatus.PENDED, 4: LineStatus.REVERSED}

_MASK40 = (1 << 40) - 1


@dataclass(frozen=True)
class LineWords:
    """A line event's two words, unpacked (layouts in ``IEngineEvents``)."""

    number: int
    status: LineStatus
    carc: str
    plan_version: int
    service_date: int
    billed: int
    co45: int
    prior: int  # OA-23: the prior payer's amount of a line paid second
    allowed: int
    deductible: int
    copay: int
    coinsurance: int
    paid: int
    patient: int

    @classmethod
    def unpack(cls, line: int, amounts: int) -> "LineWords":
        return cls(
            number=line & 0xFF, status=LINE_STATUS[line >> 8 & 0xFF],
            carc=from_fixed_bytes((line >> 16 & (1 << 64) - 1).to_bytes(8, "big")),
            plan_version=line >> 80 & 0xFFFFFF, service_date=line >> 104 & 0xFFFFFFFF,
            billed=line >> 136 & _MASK40, co45=line >> 176 & _MASK40, prior=line >> 216 & _MASK40,
            allowed=amounts & _MASK40, deductible=amounts >> 40 & _MASK40, copay=amounts >> 80 & _MASK40,
            coinsurance=amounts >> 120 & _MASK40, paid=amounts >> 160 & _MASK40, patient=amounts >> 200 & _MASK40,
        )

    def result(self, claim_id: str) -> LineResult:
        """The results.csv row the line reports (before negation, for a reversed line)."""
        if self.status == LineStatus.DENIED:
            return LineResult(claim_id, self.number, self.status,
                              adjustments=(Adjustment("CO", self.carc, self.billed),))
        if self.status != LineStatus.APPROVED:
            return LineResult(claim_id, self.number, self.status)
        adjustments = tuple(Adjustment(group, code, amount) for group, code, amount in (
            ("CO", "45", self.co45), ("OA", "23", self.prior), ("PR", "1", self.deductible), ("PR", "3", self.copay),
            ("PR", "2", self.coinsurance)) if amount > 0)
        return LineResult(claim_id, self.number, self.status, self.allowed, self.deductible, self.copay,
                          self.coinsurance, self.paid, self.patient, adjustments)


def line_words(args: dict) -> list[LineWords]:
    """The unpacked lines of a decoded line-carrying event's arguments (web3's ``args``)."""
    if "lines" in args:
        lines = args["lines"]
        return [LineWords.unpack(lines[i], lines[i + 1]) for i in range(0, len(lines), 2)]
    return [LineWords.unpack(args["line"], args["amounts"])]


class EventDecoder:
    """Decodes the claims engine's events from receipts, in log order; the line words of
    ``ClaimAccepted`` and ``ClaimReversed`` are unpacked into ``values["words"]`` (a list), the
    one line of ``LineAdjudicated`` into ``values["words"]`` too."""

    NAMES = ("ClaimAccepted", "ClaimRecordRejected", "ClaimAlreadyRecorded", "LineAdjudicated",
             "ClaimReversed", "PendedLineDecided", "LineAppealed", "AppealDecided", "ProviderPaid",
             "RewardEarned", "RewardReversed", "RewardPaid")

    def __init__(self, engine):
        self.address = engine.address.lower()
        self.by_topic = {}
        for item in engine.abi:
            if item.get("type") == "event" and item["name"] in self.NAMES:
                names = [i["name"] for i in item["inputs"] if not i["indexed"]]
                types = [i["type"] for i in item["inputs"] if not i["indexed"]]
                indexed = [i["name"] for i in item["inputs"] if i["indexed"]]
                self.by_topic[event_abi_to_log_topic(item)] = (item["name"], names, types, indexed)

    def topic(self, event: str) -> bytes:
        return next(topic for topic, spec in self.by_topic.items() if spec[0] == event)

    def decode_log(self, log: dict) -> tuple[str, dict] | None:
        if log["address"].lower() != self.address or not log["topics"]:
            return None
        spec = self.by_topic.get(bytes(log["topics"][0]))
        if spec is None:
            return None
        name, names, types, indexed = spec
        values = dict(zip(names, abi_decode(types, bytes(log["data"]))))
        for key, topic in zip(indexed, log["topics"][1:]):
            values[key] = bytes(topic)
        if name == "LineAdjudicated":
            values["words"] = line_words(values)[0]
        elif name in ("ClaimAccepted", "ClaimReversed"):
            values["words"] = line_words(values)
        return name, values

    def decode(self, receipt: dict) -> list[tuple[str, dict]]:
        return [event for log in receipt["logs"] if (event := self.decode_log(log)) is not None]


@dataclass
class ClaimOutcome:
    """What one submitted record produced, in processing order."""

    claim_id: str
    rows: list[LineResult] = field(default_factory=list)
    reject: Reject | None = None
    already_recorded: bool = False
    claim: Claim | None = None
    rewards: list[RewardRow] = field(default_factory=list)  # incentives.csv rows


REWARD_EVENTS = {"RewardEarned": RewardStatus.EARNED, "RewardReversed": RewardStatus.REVERSED}


def reward_row(name: str, values: dict, member_id: str, names: dict[bytes, str]) -> RewardRow:
    """The incentives.csv row of a RewardEarned or RewardReversed event (taken back: negated).
    ``member_id`` is the member's id as text (the event has its key)."""
    claim_id = names.get(values["claimId"], "0x" + values["claimId"].hex())
    status = REWARD_EVENTS[name]
    amount = values["amount"] if status == RewardStatus.EARNED else -values["amount"]
    return RewardRow(member_id, claim_id, values["line"], from_fixed_bytes(values["code"]), amount, status)


def claim_names(claims: list[Claim], ids) -> dict[bytes, str]:
    """Claim ids (and the originals they correct) by their on-chain key (``ids``: the
    deployment's ``Pseudonyms``)."""
    names: dict[bytes, str] = {}
    for claim in claims:
        names[ids.claim(claim.claim_id)] = claim.claim_id
        if claim.original_claim_id:
            names[ids.claim(claim.original_claim_id)] = claim.original_claim_id
    return names


def reversed_rows(values: dict, names: dict[bytes, str]) -> list[LineResult]:
    """The REVERSED rows of a ClaimReversed event (A-7.1): its lines as they were, negated."""
    original = names.get(values["claimId"], "0x" + values["claimId"].hex())
    return [words.result(original).negated() for words in values["words"]]


def claim_rows(events: list[tuple[str, dict]], index: int, names: dict[bytes, str], claim_id: str,
               rewards: list[tuple[str, dict]] | None = None) -> tuple[str, dict, list[LineResult], int]:
    """The events of one submitted claim from ``index``: an optional ClaimReversed, then exactly
    one of ClaimAccepted, ClaimRecordRejected or ClaimAlreadyRecorded, each possibly preceded by
    the reward events of its lines (A-12), which go to ``rewards`` in order. Returns that event's
    name and values, the claim's rows (reversals first, A-9) and the index after it."""
    from .chain import ChainError

    rows: list[LineResult] = []
    rewards = [] if rewards is None else rewards
    index = _take_rewards(events, index, rewards)
    if index < len(events) and events[index][0] == "ClaimReversed":
        rows.extend(reversed_rows(events[index][1], names))
        index = _take_rewards(events, index + 1, rewards)
    if index >= len(events) or events[index][0] not in ("ClaimAccepted", "ClaimRecordRejected", "ClaimAlreadyRecorded"):
        found = events[index][0] if index < len(events) else "nothing"
        raise ChainError(f"unexpected {found} among the events of claim {claim_id}")
    name, values = events[index]
    if name == "ClaimAccepted":
        rows.extend(words.result(claim_id) for words in values["words"])
    return name, values, rows, index + 1


def _take_rewards(events: list[tuple[str, dict]], index: int, rewards: list[tuple[str, dict]]) -> int:
    while index < len(events) and events[index][0] in REWARD_EVENTS:
        rewards.append(events[index])
        index += 1
    return index


def outcomes_from_events(items: list[Claim | Reject], events: list[tuple[str, dict]], ids) -> list[ClaimOutcome]:
    """Pairs a batch's records with its events (see :func:`claim_rows`), in order."""
    names = claim_names([i for i in items if isinstance(i, Claim)], ids)
    outcomes: list[ClaimOutcome] = []
    index = 0
    for item in items:
        if isinstance(item, Reject):
            outcomes.append(ClaimOutcome(item.claim_id, reject=item))
            continue
        current = ClaimOutcome(item.claim_id, claim=item)
        rewards: list[tuple[str, dict]] = []
        name, values, current.rows, index = claim_rows(events, index, names, item.claim_id, rewards)
        current.rewards = [reward_row(n, v, item.member_id, names) for n, v in rewards]
        if name == "ClaimRecordRejected":
            field_name, reason = CHAIN_REJECTS[values["reason"]]
            current.reject = Reject(item.claim_id, field_name, reason)
        elif name == "ClaimAlreadyRecorded":
            current.already_recorded = True
        outcomes.append(current)
    return outcomes
