"""Small scenarios built in code for rule-by-rule tests of the reference model."""
from claimledger.money import parse_day
from claimledger.records import Authorization, Claim, ClaimLine, FeeEntry, Frequency, Member, Plan, Provider
from claimledger.reference import ReferenceEngine

IN_NET = "1234567893"
OUT_NET = "1098765432"


def plan(**overrides) -> Plan:
    fees = {
        "99213": FeeEntry(9200, "office_visit"),
        "71046": FeeEntry(3800, "imaging"),
        "70553": FeeEntry(42000, "imaging", prior_auth=True),
        "97110": FeeEntry(3200, "therapy", max_units_per_day=4, annual_limit=2),
        "20610": FeeEntry(6500, "procedure", dx_prefixes=("M17", "M25")),
        "27447": FeeEntry(185000, "surgery", review=True),
    }
    values = dict(
        plan_id="P", deductible_individual=50000, deductible_family=100000,
        oop_max_individual=200000, oop_max_family=400000, coinsurance_bps=2000,
        out_of_network_covered=True, out_of_network_coinsurance_bps=4000,
        copays={"office_visit": 2500}, timely_filing_days=180, pend_above=500000, fee_schedule=fees,
    )
    values.update(overrides)
    return Plan(**values)


def engine(plan_overrides=None, auths=(), members=None) -> ReferenceEngine:
    p = plan(**(plan_overrides or {}))
    members = members or {
        "M1": Member("M1", "S1", "P", parse_day("2026-01-01"), None),
        "M2": Member("M2", "S1", "P", parse_day("2026-01-01"), parse_day("2026-06-30")),
    }
    providers = {IN_NET: Provider(IN_NET, "In", True), OUT_NET: Provider(OUT_NET, "Out", False)}
    return ReferenceEngine({"P": p}, members, providers, list(auths))


def auth(auth_id, member="M1", code="70553", units=1, start="2026-01-01", end="2026-12-31"):
    return Authorization(auth_id, member, code, units, parse_day(start), parse_day(end))


def line(code="71046", billed=6000, units=1, dos="2026-03-01"):
    return ClaimLine(parse_day(dos), code, units, billed)


def claim(claim_id, *lines, member="M1", npi=IN_NET, received="2026-03-05", dx=("R05.9",),
          frequency=Frequency.ORIGINAL, original=""):
    return Claim(claim_id, frequency, original, member, npi, parse_day(received), tuple(dx),
                 tuple(lines or (line(),)))


def rows(eng, c):
    result, reject = eng.submit(c)
    assert reject is None, reject
    return result


def csv_rows(eng, c):
    return [",".join(r.row()) for r in rows(eng, c)]
