"""Load and validate a scenario directory (A-2, A-3).

Reference data (plans, members, providers, authorizations, and the off-chain enrollment
roster of A-10.3) is small and loaded whole; a bad record there is skipped and reported as an
:class:`InputError` naming file, row and field. Claims are streamed from ``claims.csv`` by
:mod:`.claims_csv` (re-exported here: :func:`iter_claims`, :func:`parse_claim`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from eth_utils import to_checksum_address

from .claims_csv import (  # noqa: F401 - re-exported for the importers, exporters and engine
    CLAIM_COLUMNS, CLAIM_LEVEL_FIELDS, CLAIMS_FILE, OPTIONAL_CLAIM_COLUMNS, iter_claim_rows, iter_claims,
    parse_claim,
)
from .codesets import prefix_error
from .fields import (  # noqa: F401 - re-exported: formats and limits of R-4
    CODE_FORMAT, ICD10_FORMAT, ID_FORMAT, MAX_CENTS, MAX_DIAGNOSES, MAX_ID_LENGTH, MAX_LINES_PER_CLAIM,
    MAX_UNITS, NPI_FORMAT, InputError, ScenarioError, ID_RULE, _FieldError, _bool, _count, _day, _identifier,
    _load_records, _require,
)
from .money import FormatError, parse_bps, parse_cents, parse_day
from .records import COB_MODES, COB_STANDARD, Authorization, FeeEntry, Member, Plan, Provider
from .roster import ROSTER_COLUMNS, ROSTER_FILE, Roster, load_roster  # noqa: F401 - re-exported

PLANS_FILE = "plans.yaml"
MEMBERS_FILE = "members.csv"
PROVIDERS_FILE = "providers.csv"
AUTHORIZATIONS_FILE = "authorizations.csv"

MEMBER_COLUMNS = ["member_id", "subscriber_id", "plan_id", "coverage_start", "coverage_end"]
REWARD_SIGNER = "reward_signer"  # optional column of members.csv
ADDRESS_FORMAT = re.compile(r"^0x[0-9a-fA-F]{40}$")
PROVIDER_COLUMNS = ["npi", "name", "in_network"]
AUTHORIZATION_COLUMNS = ["auth_id", "member_id", "procedure_code", "units", "start", "end"]


@dataclass
class Scenario:
    plans: dict[str, Plan]
    members: dict[str, Member]
    providers: dict[str, Provider]
    authorizations: list[Authorization]
    input_errors: list[InputError] = field(default_factory=list)
    directory: Path | None = None
    revisions: list[Plan] = field(default_factory=list)  # later plan versions
    roster: Roster | None = None  # roster.csv: off chain, for the importers only

    def plan_versions(self, plan_id: str) -> list[Plan]:
        """A plan's versions in effective-date order: the plan, then its revisions."""
        return [self.plans[plan_id]] + [r for r in self.revisions if r.plan_id == plan_id]

    @property
    def claims_path(self) -> Path:
        assert self.directory is not None
        return self.directory / CLAIMS_FILE


# ---------------------------------------------------------------------------------------------
# plans.yaml


def _fee_entry(code: str, raw: dict) -> FeeEntry:
    if not isinstance(raw, dict):
        raise _FieldError(f"fee_schedule.{code}", "must be a mapping")
    if not CODE_FORMAT.match(code):
        raise _FieldError(f"fee_schedule.{code}", "procedure code must be 4-8 letters or digits")
    try:
        allowed = parse_cents(raw.get("allowed"))
    except FormatError as exc:
        raise _FieldError(f"fee_schedule.{code}.allowed", str(exc)) from None
    if allowed <= 0:
        raise _FieldError(f"fee_schedule.{code}.allowed", "allowed must be positive")
    category = str(raw.get("category") or "").strip()
    if not category:
        raise _FieldError(f"fee_schedule.{code}.category", "category is required")

    def optional_count(key: str) -> int | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise _FieldError(f"fee_schedule.{code}.{key}", f"{key} must be a positive whole number")
        return value

    prefixes = raw.get("dx_prefixes") or []
    if not isinstance(prefixes, list) or not all(isinstance(p, str) for p in prefixes):
        raise _FieldError(f"fee_schedule.{code}.dx_prefixes", "must be a list of ICD-10 prefixes")
    bad = next((reason for reason in map(prefix_error, prefixes) if reason), None)
    if bad:  # ICD-10 prefixes as written, ICD-9-CM ones as ICD9:<prefix>
        raise _FieldError(f"fee_schedule.{code}.dx_prefixes", bad)
    return FeeEntry(
        allowed=allowed,
        category=category,
        prior_auth=bool(raw.get("prior_auth", False)),
        review=bool(raw.get("review", False)),
        max_units_per_day=optional_count("max_units_per_day"),
        annual_limit=optional_count("annual_limit"),
        dx_prefixes=tuple(prefixes),
    )


def _plan(plan_id: str, raw: dict) -> Plan:
    if not isinstance(raw, dict):
        raise _FieldError("plan", "must be a mapping")

    def parsed(parse, *keys: str) -> int:
        """``parse`` of the value at ``keys`` (nested), naming the dotted field on error."""
        value = raw
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        name = ".".join(keys)
        if value is None:
            raise _FieldError(name, f"{name} is required")
        try:
            return parse(value)
        except FormatError as exc:
            raise _FieldError(name, str(exc)) from None

    def amount(*keys: str) -> int:
        cents = parsed(parse_cents, *keys)
        if cents < 0:
            raise _FieldError(".".join(keys), f"{'.'.join(keys)} must not be negative")
        return cents

    def pct(*keys: str) -> int:
        return parsed(parse_bps, *keys)

    oon = raw.get("out_of_network") or {}
    copays_raw = raw.get("copays") or {}
    if not isinstance(copays_raw, dict):
        raise _FieldError("copays", "must be a mapping of category to amount")
    copays = {}
    for category, value in copays_raw.items():
        try:
            copays[str(category)] = parse_cents(value)
        except FormatError as exc:
            raise _FieldError(f"copays.{category}", str(exc)) from None
    filing = raw.get("timely_filing_days")
    if isinstance(filing, bool) or not isinstance(filing, int) or filing <= 0:
        raise _FieldError("timely_filing_days", "timely_filing_days must be a positive whole number")
    fees_raw = raw.get("fee_schedule") or {}
    if not isinstance(fees_raw, dict) or not fees_raw:
        raise _FieldError("fee_schedule", "fee_schedule must list at least one procedure code")
    cob = str(raw.get("cob") or COB_STANDARD)
    if cob not in COB_MODES:
        raise _FieldError("cob", f"cob must be {' or '.join(COB_MODES)}")
    return Plan(
        plan_id=plan_id,
        deductible_individual=amount("deductible", "individual"),
        deductible_family=amount("deductible", "family"),
        oop_max_individual=amount("oop_max", "individual"),
        oop_max_family=amount("oop_max", "family"),
        coinsurance_bps=pct("coinsurance_pct"),
        out_of_network_covered=bool(oon.get("covered", False)),
        out_of_network_coinsurance_bps=pct("out_of_network", "coinsurance_pct") if oon else 0,
        copays=copays,
        timely_filing_days=filing,
        pend_above=amount("pend_above") if raw.get("pend_above") is not None else None,
        fee_schedule={str(code): _fee_entry(str(code), entry) for code, entry in fees_raw.items()},
        effective_from=_effective_from(raw),
        cob=cob,
        incentives=_incentives(raw.get("incentives"), {str(code) for code in fees_raw}),
    )


def _incentives(raw, codes: set[str]) -> dict[str, int]:
    """``incentives: {CODE: amount}`` (A-12.1): codes of the plan's fee schedule (no other can
    be approved), positive amounts below 2^40 cents (R-26)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _FieldError("incentives", "must be a mapping of procedure code to amount")
    out = {}
    for code, value in raw.items():
        code = str(code)
        if code not in codes:
            raise _FieldError(f"incentives.{code}", "an incentive code must be in the plan's fee_schedule")
        try:
            cents = parse_cents(value)
        except FormatError as exc:
            raise _FieldError(f"incentives.{code}", str(exc)) from None
        if not 0 < cents < 2**40:
            raise _FieldError(f"incentives.{code}", "an incentive must be a positive amount")
        out[code] = cents
    return out


def _effective_from(raw: dict) -> int:
    value = raw.get("effective_from")
    if value is None:
        return 0
    try:
        return parse_day(str(value))  # YAML reads an unquoted date as a date: str() gives ISO
    except FormatError as exc:
        raise _FieldError("effective_from", str(exc)) from None


def _merge_revision(base: dict, change: dict) -> dict:
    """A revision states only what changes: top-level fields replace, ``copays``,
    ``fee_schedule`` and ``incentives`` change per category or code (a code mapped to null is
    removed)."""
    merged = {**base, **{k: v for k, v in change.items() if k not in ("copays", "fee_schedule", "incentives", "plan_id")}}
    for key in ("copays", "fee_schedule", "incentives"):
        table = dict(base.get(key) or {})
        for name, value in (change.get(key) or {}).items():
            if value is None:
                table.pop(str(name), None)
            else:
                table[str(name)] = value
        merged[key] = table
    return merged


def load_revisions(document: dict, raw_plans: dict[str, dict], plans: dict[str, Plan],
                   errors: list[InputError]) -> list[Plan]:
    """``revisions:`` in plans.yaml: later versions of a plan, each effective from a date
    (R-3, R-15), in increasing date order per plan."""
    items = document.get("revisions") or []
    if not isinstance(items, list):
        raise ScenarioError(f"{PLANS_FILE}: 'revisions:' must be a list")
    revisions: list[Plan] = []
    current = {plan_id: dict(raw) for plan_id, raw in raw_plans.items()}
    for number, change in enumerate(items, start=1):
        plan_id = str(change.get("plan_id", "")) if isinstance(change, dict) else ""
        try:
            if plan_id not in plans:
                raise _FieldError("plan_id", f"revision {number} names unknown plan {plan_id!r}")
            if change.get("effective_from") is None:
                raise _FieldError("effective_from", f"revision {number} needs effective_from")
            merged = _merge_revision(current[plan_id], change)
            plan = _plan(plan_id, merged)
            previous = max([plans[plan_id].effective_from] + [r.effective_from for r in revisions if r.plan_id == plan_id])
            if plan.effective_from <= previous:
                raise _FieldError("effective_from", f"revision {number} is not after the plan's previous version")
            revisions.append(plan)
            current[plan_id] = merged
        except _FieldError as exc:
            errors.append(InputError(PLANS_FILE, 0, plan_id, exc.field, exc.reason))
    return revisions


def read_yaml(path: Path):
    """The YAML document of ``path``; a file that is not UTF-8 YAML, or nests too deeply for
    the parser, is one :class:`ScenarioError` naming the file."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path.name}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{path.name}: not valid YAML ({exc.__class__.__name__})") from None
    except RecursionError:
        raise ScenarioError(f"{path.name}: nested too deeply to be read") from None
    except ValueError as exc:  # an integer past Python's 4,300-digit limit for int()
        raise ScenarioError(f"{path.name}: not usable YAML ({str(exc).split(';')[0][:120]})") from None


def load_plans(path: Path, errors: list[InputError]) -> tuple[dict[str, Plan], dict]:
    if not path.is_file():
        raise ScenarioError(f"{path.name}: file not found in {path.parent}")
    document = read_yaml(path)
    if not isinstance(document, dict) or not isinstance(document.get("plans"), dict):
        raise ScenarioError(f"{path.name}: expected a top-level 'plans:' mapping")
    plans = {}
    for plan_id, raw in document["plans"].items():
        plan_id = str(plan_id)
        try:
            if not ID_FORMAT.match(plan_id):
                raise _FieldError("plan_id", f"plan id must be {ID_RULE}")
            plans[plan_id] = _plan(plan_id, raw)
        except _FieldError as exc:
            errors.append(InputError(PLANS_FILE, 0, plan_id, exc.field, exc.reason))
    return plans, document


# ---------------------------------------------------------------------------------------------
# members, providers, authorizations


def load_members(path: Path, plans: dict[str, Plan], errors: list[InputError]) -> dict[str, Member]:
    members: dict[str, Member] = {}

    def parse(row: dict) -> Member:
        member_id = _identifier(row, "member_id")
        if member_id in members:
            raise _FieldError("member_id", "member_id listed twice")
        plan_id = _require(row, "plan_id")
        if plan_id not in plans:
            raise _FieldError("plan_id", f"unknown plan {plan_id}")
        start = _day(row, "coverage_start")
        end = _day(row, "coverage_end") if str(row.get("coverage_end", "")).strip() else None
        if end is not None and end < start:
            raise _FieldError("coverage_end", "coverage_end before coverage_start")
        members[member_id] = Member(member_id, _identifier(row, "subscriber_id"), plan_id, start, end,
                                    _reward_signer(row))
        return members[member_id]

    _load_records(path, MEMBERS_FILE, MEMBER_COLUMNS, "member_id", parse, errors)
    return members


def _reward_signer(row: dict) -> str | None:
    """The optional ``reward_signer`` of a member (R-43): the address of the key that signs
    for its rewards, bound on chain by the plan manager."""
    text = str(row.get(REWARD_SIGNER) or "").strip()
    if not text:
        return None
    if not ADDRESS_FORMAT.match(text) or int(text, 16) == 0:
        raise _FieldError(REWARD_SIGNER, "reward_signer must be a non-zero 0x address of 40 hex digits")
    return to_checksum_address(text)


def load_providers(path: Path, errors: list[InputError]) -> dict[str, Provider]:
    providers: dict[str, Provider] = {}

    def parse(row: dict) -> Provider:
        npi = _require(row, "npi")
        if not NPI_FORMAT.match(npi):
            raise _FieldError("npi", "npi must be 10 digits")
        if npi in providers:
            raise _FieldError("npi", "npi listed twice")
        providers[npi] = Provider(npi, str(row.get("name", "")).strip(), _bool(row, "in_network"))
        return providers[npi]

    _load_records(path, PROVIDERS_FILE, PROVIDER_COLUMNS, "npi", parse, errors)
    return providers


def load_authorizations(
    path: Path, members: dict[str, Member], errors: list[InputError]
) -> list[Authorization]:
    if not path.is_file():
        return []  # a plan without prior-auth codes needs no authorizations file
    seen: set[str] = set()

    def parse(row: dict) -> Authorization:
        auth_id = _identifier(row, "auth_id")
        if auth_id in seen:
            raise _FieldError("auth_id", "auth_id listed twice")
        member_id = _identifier(row, "member_id")
        if member_id not in members:
            raise _FieldError("member_id", f"unknown member {member_id}")
        code = _require(row, "procedure_code")
        if not CODE_FORMAT.match(code):
            raise _FieldError("procedure_code", "procedure code must be 4-8 letters or digits")
        start, end = _day(row, "start"), _day(row, "end")
        if end < start:
            raise _FieldError("end", "end before start")
        auth = Authorization(auth_id, member_id, code, _count(row, "units"), start, end)
        seen.add(auth_id)
        return auth

    return _load_records(path, AUTHORIZATIONS_FILE, AUTHORIZATION_COLUMNS, "auth_id", parse, errors)


def load_scenario(directory: str | Path) -> Scenario:
    """Load the reference data of a scenario directory; claims are streamed separately."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ScenarioError(f"{directory}: not a directory")
    errors: list[InputError] = []
    plans, document = load_plans(directory / PLANS_FILE, errors)
    revisions = load_revisions(document, {p: document["plans"][p] for p in plans}, plans, errors)
    members = load_members(directory / MEMBERS_FILE, plans, errors)
    providers = load_providers(directory / PROVIDERS_FILE, errors)
    auths = load_authorizations(directory / AUTHORIZATIONS_FILE, members, errors)
    roster = load_roster(directory / ROSTER_FILE, errors)
    if not (directory / CLAIMS_FILE).is_file():
        raise ScenarioError(f"{CLAIMS_FILE}: file not found in {directory}")
    return Scenario(plans, members, providers, auths, errors, directory, revisions, roster)


RUN_FILES_NAMING_SCENARIO = ("deployments.json", "optimistic/run.json", "summary.json")


def scenario_of_run(run_dir: Path) -> Path | None:
    """The scenario directory a run directory was adjudicated from, as its files name it (an
    on-chain run's deployments.json, an optimistic run's optimistic/run.json, any run's
    summary.json), else None."""
    import json

    for name in RUN_FILES_NAMING_SCENARIO:
        path = Path(run_dir) / name
        if path.is_file():
            try:
                value = json.loads(path.read_text()).get("scenario")
            except (ValueError, AttributeError):
                value = None
            if value:
                return Path(value)
    return None

