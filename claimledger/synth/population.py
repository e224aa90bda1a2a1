"""Plans, providers and members of a synthetic scenario, built in memory from one seeded
random source before any claim (part of :class:`~claimledger.synth.generator._Generator`)."""
from __future__ import annotations

import bisect
import math
from datetime import date
from typing import Iterator

from .npi import npi_check_digit
from .records import _PlanView, _Provider
from .tables import (
    _ARCHETYPES, _CODES, _CODE_INDEX, _CORE_ARCHETYPES, _ENCOUNTERS, _HEAVY_SHARE, _OPEN, _PLACES,
    _PLANS,
)


class _Population:
    """Builds and lists the reference data; the state it sets is the generator's."""

    # --- reference data ----------------------------------------------------------------------

    def _build_plans(self) -> None:
        year = self.cfg.year
        self.plans: list[_PlanView] = []
        for spec in _PLANS:
            covered = [c.code not in spec.excluded for c in _CODES]
            overrides = dict(spec.annual_limits)
            limits = [overrides.get(c.code, c.annual_limit or 0) for c in _CODES]
            self.plans.append(_PlanView(f"{spec.prefix}-{year}", spec, covered, limits))
        self.plan_allowed = [
            [max(1, round(c.allowed * p.spec.fee_factor)) for c in _CODES] for p in self.plans
        ]

    def plans_document(self) -> dict:
        plans = {}
        for view, allowed in zip(self.plans, self.plan_allowed):
            spec = view.spec
            fees = {}
            for i, c in enumerate(_CODES):
                if not view.covered[i]:
                    continue
                entry: dict = {"allowed": allowed[i] / 100, "category": c.category}
                if c.prior_auth:
                    entry["prior_auth"] = True
                if c.review:
                    entry["review"] = True
                if c.max_units:
                    entry["max_units_per_day"] = c.max_units
                if view.annual_limit[i]:
                    entry["annual_limit"] = view.annual_limit[i]
                if c.dx_prefixes:
                    entry["dx_prefixes"] = list(c.dx_prefixes)
                fees[c.code] = entry
            plan: dict = {
                "deductible": {"individual": spec.deductible[0] / 100,
                               "family": spec.deductible[1] / 100},
                "oop_max": {"individual": spec.oop_max[0] / 100, "family": spec.oop_max[1] / 100},
                "coinsurance_pct": spec.coinsurance_pct,
                "out_of_network": {"covered": spec.oon_covered,
                                   "coinsurance_pct": spec.oon_coinsurance_pct},
                "copays": {k: v / 100 for k, v in spec.copays},
                "timely_filing_days": spec.timely_filing_days,
            }
            if spec.pend_above is not None:
                plan["pend_above"] = spec.pend_above / 100
            plan["cob"] = spec.cob
            plan["fee_schedule"] = fees
            incentives = {code: cents / 100 for code, cents in spec.incentives if code in fees}
            if incentives:
                plan["incentives"] = incentives
            plans[view.plan_id] = plan
        return {"plans": plans}

    def _new_npi(self, taken: set[str]) -> str:
        rng = self.rng
        while True:
            base = str(rng.randrange(100_000_000, 300_000_000))
            npi = base + str(npi_check_digit(base))
            if npi not in taken:
                taken.add(npi)
                return npi

    def _build_providers(self) -> None:
        rng, cfg = self.rng, self.cfg
        n = cfg.providers if cfg.providers is not None else max(6, round(1.5 * math.sqrt(cfg.claims)))
        n_oon = round(n * 0.15) if n >= 3 else 0
        n_in = n - n_oon
        weights = [a.weight for a in _ARCHETYPES]
        kinds = []
        for i in range(n):
            if i < min(n_in, _CORE_ARCHETYPES):
                kinds.append(_ARCHETYPES[i])
            else:
                kinds.append(rng.choices(_ARCHETYPES, weights)[0])
        roles = [list(a.roles) for a in kinds]
        for j in range(n_in, _CORE_ARCHETYPES):  # fewer in-network providers than core kinds
            for role in _ARCHETYPES[j].roles:
                if role not in roles[j % n_in]:
                    roles[j % n_in].append(role)
        taken: set[str] = set()
        names: set[str] = set()
        self.providers: list[_Provider] = []
        for i, arche in enumerate(kinds):
            name = ""
            for attempt in range(40):  # unique names; the plainer forms first
                place = rng.choice(_PLACES)
                if attempt < 10:
                    name = f"{place} {arche.suffix}"
                elif attempt < 20:
                    name = f"{arche.suffix} of {place}"
                else:
                    name = f"{place} {arche.suffix} at {rng.choice(_PLACES)}"
                    if attempt >= 35:
                        name = f"{name} {i + 1}"
                if name not in names:
                    break
            names.add(name)
            self.providers.append(_Provider(
                self._new_npi(taken), name, i < n_in, tuple(roles[i]), rng.uniform(1.35, 2.75)))
        # Valid NPIs of practices that are not enrolled with the plan (CARC B7).
        self.unknown_npis = [self._new_npi(taken) for _ in range(32)]
        self.primary_in = [i for i, p in enumerate(self.providers)
                           if p.in_network and "primary" in p.roles]
        self.price_cache: dict[int, int] = {}

    def _month_start(self, month: int) -> int:
        return (date(self.cfg.year, month, 1) - date(self.cfg.year, 1, 1)).days

    def _month_end(self, month: int) -> int:
        if month == 12:
            return self.last_day
        return self._month_start(month + 1) - 1

    def _build_members(self) -> None:
        rng, cfg = self.rng, self.cfg
        n_fam = cfg.families if cfg.families is not None else max(3, round(cfg.claims / 8))
        plan_cum = []
        acc = 0.0
        for spec in _PLANS:
            acc += spec.share
            plan_cum.append(acc)
        # Members and subscribers are numbered 1..n; room is left for unknown member ids.
        est = n_fam * 6
        self.id_width = max(6, len(str(2 * est + 100)))
        self.member_ids: list[str] = []
        self.member_family: list[int] = []
        self.member_plan: list[int] = []
        self.member_start: list[int] = []
        self.member_end: list[int] = []
        self.member_child = bytearray()
        self.family_subscriber: list[str] = []
        self.family_pcp: list[int] = []
        heavy: list[int] = []
        partial: list[int] = []
        full: list[int] = []
        w = self.id_width
        for f in range(n_fam):
            if f < len(_PLANS):  # every plan has at least one full-year family
                plan, start, end = f, 0, _OPEN
            else:
                plan = bisect.bisect_left(plan_cum, rng.random() * acc)
                start, end = self._family_coverage()
            n_dep = bisect.bisect_left((0.35, 0.60, 0.75, 0.90, 0.97, 1.0), rng.random())
            self.family_subscriber.append(f"S{f + 1:0{w}d}")
            self.family_pcp.append(rng.choice(self.primary_in))
            spouse = n_dep > 0 and rng.random() < 0.7
            for k in range(n_dep + 1):
                m = len(self.member_ids)
                child = k > (1 if spouse else 0)
                m_start, m_end = start, end
                u = rng.random()
                if child and u < 0.03:  # a newborn or adopted child joins mid-year
                    m_start = max(start, rng.randint(30, self.last_day - 30))
                elif k and u < 0.05:  # a dependent leaves (age 26, divorce) at a month end
                    first_month = date.fromordinal(date(self.cfg.year, 1, 1).toordinal()
                                                   + m_start).month
                    if first_month < 11:
                        m_end = min(end, self._month_end(rng.randint(first_month + 1, 11)))
                if m_start > m_end:
                    m_start = start
                self.member_ids.append(f"M{m + 1:0{w}d}")
                self.member_family.append(f)
                self.member_plan.append(plan)
                self.member_start.append(m_start)
                self.member_end.append(m_end)
                self.member_child.append(1 if child else 0)
                self.plans[plan].members.append(m)
                if rng.random() < _HEAVY_SHARE:
                    heavy.append(m)
                if m_start > 0 or m_end < self.last_day:
                    partial.append(m)
                else:
                    full.append(m)
        self.heavy = heavy or list(range(len(self.member_ids)))
        self.partial = partial
        self.full_year = full
        n_members = len(self.member_ids)
        self.unknown_lo = n_members + 1
        self.unknown_hi = 10 ** w - 1

    def _family_coverage(self) -> tuple[int, int]:
        rng = self.rng
        u = rng.random()
        if u < 0.80:
            return 0, _OPEN
        if u < 0.89:  # joined the plan later in the year
            return self._month_start(rng.randint(2, 11)), _OPEN
        if u < 0.97:  # left the plan mid-year
            return 0, self._month_end(rng.randint(1, 11))
        start_month = rng.randint(2, 6)
        return self._month_start(start_month), self._month_end(rng.randint(start_month + 1, 11))

    def _index_encounters(self) -> None:
        roles_of = [p.roles for p in self.providers]
        self.enc_in: list[list[int]] = []
        self.enc_oon: list[list[int]] = []
        self.enc_pcp: list[bool] = []
        for enc in _ENCOUNTERS:
            serving = [i for i, r in enumerate(roles_of) if any(role in r for role in enc.roles)]
            self.enc_in.append([i for i in serving if self.providers[i].in_network])
            self.enc_oon.append([i for i in serving if not self.providers[i].in_network])
            self.enc_pcp.append("primary" in enc.roles)
        # the encounter that supplies role and diagnoses for a code billed on its own
        self.code_enc: dict[int, int] = {}
        for pass_extras in (False, True):
            for e, enc in enumerate(_ENCOUNTERS):
                codes = enc.extras if pass_extras else [c for c, _ in enc.primary]
                for code in codes:
                    self.code_enc.setdefault(_CODE_INDEX[code], e)
        for view in self.plans:
            acc = 0.0
            for e, enc in enumerate(_ENCOUNTERS):
                prim = [(_CODE_INDEX[c], w) for c, w in enc.primary
                        if view.covered[_CODE_INDEX[c]]]
                if not prim:
                    continue
                cum, run = [], 0.0
                for _, w in prim:
                    run += w
                    cum.append(run)
                view.enc_primary[e] = ([ci for ci, _ in prim], cum)
                view.enc_extras[e] = [_CODE_INDEX[c] for c in enc.extras
                                      if view.covered[_CODE_INDEX[c]]]
                acc += enc.weight
                view.enc_ids.append(e)
                view.enc_cum.append(acc)
                if any(_CODES[ci].prior_auth for ci, _ in prim):
                    view.pa_encounters.append(e)
            for ci, c in enumerate(_CODES):
                if not view.covered[ci] or c.prior_auth:
                    continue
                if c.dx_prefixes:
                    view.dx_codes.append(ci)
                if c.max_units:
                    view.max_codes.append(ci)

    def member_rows(self) -> Iterator[list[str]]:
        ds = self.day_str
        for m, member_id in enumerate(self.member_ids):
            end = self.member_end[m]
            yield [member_id, self.family_subscriber[self.member_family[m]],
                   self.plans[self.member_plan[m]].plan_id, ds[self.member_start[m]],
                   "" if end == _OPEN else ds[end]]

    def provider_rows(self) -> Iterator[list[str]]:
        for p in self.providers:
            yield [p.npi, p.name, "true" if p.in_network else "false"]
