"""Hypothesis strategies of reference data shared by the property tests: a random plan, its
members, providers and authorizations (dates around 2026-01-01)."""
from hypothesis import strategies as st

from claimledger.money import parse_day
from claimledger.records import COB_MODES, Authorization, FeeEntry, Member, Plan, Provider
from claimledger.scenario import Scenario

CODES = ["99213", "71046", "70553", "97110", "20610", "27447"]
CATEGORIES = ["office_visit", "imaging", "therapy", "procedure"]
DX = ["M17.11", "J06.9", "R05.9", "M25.561"]
NPIS = ["1234567893", "1659478212", "1098765432"]  # two in network, one out
BASE = parse_day("2026-01-01")

cents = st.integers(min_value=100, max_value=60_000)


@st.composite
def plans(draw):
    """A plan P1 with three to six codes of CODES, random terms, copays, incentives and COB rule."""
    ded = draw(st.integers(0, 80_000))
    oop = draw(st.integers(ded, 200_000))
    fees = {}
    for code in draw(st.lists(st.sampled_from(CODES), min_size=3, max_size=6, unique=True)):
        fees[code] = FeeEntry(
            allowed=draw(cents), category=draw(st.sampled_from(CATEGORIES)),
            prior_auth=draw(st.booleans()) and draw(st.booleans()),
            review=draw(st.integers(0, 9)) == 0,
            max_units_per_day=draw(st.none() | st.integers(1, 4)),
            annual_limit=draw(st.none() | st.integers(1, 3)),
            dx_prefixes=tuple(draw(st.lists(st.sampled_from(["M17", "J06", "R05", "M25"]), max_size=2, unique=True))),
        )
    copays = {c: draw(st.integers(0, 5_000)) for c in draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True))}
    incentives = {c: draw(st.integers(1, 9_000))  # at least one code rewarded, so that rewards are common
                  for c in draw(st.lists(st.sampled_from(sorted(fees)), min_size=1, max_size=3, unique=True))}
    return Plan(
        plan_id="P1", deductible_individual=ded, deductible_family=ded * draw(st.integers(1, 3)),
        oop_max_individual=oop, oop_max_family=oop * draw(st.integers(1, 3)),
        coinsurance_bps=draw(st.integers(0, 5_000)), out_of_network_covered=draw(st.booleans()),
        out_of_network_coinsurance_bps=draw(st.integers(0, 6_000)), copays=copays,
        timely_filing_days=draw(st.integers(20, 200)),
        pend_above=draw(st.none() | st.integers(10_000, 80_000)), fee_schedule=fees,
        cob=draw(st.sampled_from(COB_MODES)), incentives=incentives,
    )


@st.composite
def reference_data(draw):
    """A plan P1, one to four members (two families, some coverage open-ended), two or three
    providers (one out of network) and up to four authorizations."""
    plan = draw(plans())
    members = {}
    for i in range(draw(st.integers(1, 4))):
        start = BASE + draw(st.integers(0, 40))
        end = draw(st.none() | st.integers(start + 10, start + 120))
        members[f"M{i}"] = Member(f"M{i}", f"S{i % 2}", "P1", start, end)
    providers = {npi: Provider(npi, npi, npi != "1098765432") for npi in NPIS[:draw(st.integers(2, 3))]}
    auths = [
        Authorization(f"A{i}", draw(st.sampled_from(sorted(members))), draw(st.sampled_from(CODES)),
                      draw(st.integers(1, 3)), BASE + draw(st.integers(0, 30)), BASE + draw(st.integers(30, 120)))
        for i in range(draw(st.integers(0, 4)))
    ]
    return Scenario({"P1": plan}, members, providers, auths)
