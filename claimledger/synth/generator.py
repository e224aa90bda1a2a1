"""The claim stream: claims in received-date order, drawn from the population
(:mod:`.population`) with the kinds of :mod:`.kinds`, authorizations written alongside, in memory
that does not grow with the number of claims (a ring of recent claims, a fixed-size table of
member+day+code already billed)."""
from __future__ import annotations

import bisect
import random
from array import array
from datetime import date, timedelta
from typing import Iterator

from ..money import format_cents
from .config import SynthConfig
from .kinds import _ClaimKinds
from .population import _Population
from .records import _Claim
from .tables import (
    DENIAL_KINDS, RESERVOIR, _ATTEMPTS, _BASE_PRICE, _CATCH_UP, _CODES, _CODE_STR, _COMORBID,
    _ENCOUNTERS, _FOLLOW_UP_DAYS, _HEAVY_CLAIMS, _LAG, _LINES_CUM, _MAX_LAG, _MISMATCH_DX, _NC,
    _OON_SHARE, _PCP_SHARE, _PRUNE_EVERY, _PRUNE_MARGIN, _SEEN_BITS, _SHIFT_SHARE,
)


class _Generator(_Population, _ClaimKinds):
    """One scenario's generator: reference data first, then :meth:`claims` as a stream."""

    def __init__(self, config: SynthConfig):
        self.cfg = config
        self.rng = random.Random(config.seed)
        jan1 = date(config.year, 1, 1)
        self.last_day = (date(config.year, 12, 31) - jan1).days
        self.day_str = [(jan1 + timedelta(days=d)).isoformat()
                        for d in range(self.last_day + _MAX_LAG + 120)]
        self.pending_auths: list[list[str]] = []
        self.auth_count = 0
        self.kinds: dict[str, int] = {}
        self._build_plans()
        self._build_providers()
        self._build_members()
        self._index_encounters()


    # --- helpers -----------------------------------------------------------------------------

    def _price(self, p: int, ci: int) -> int:
        """Provider p's chargemaster price of one unit of code ci, in cents."""
        key = p * 256 + ci
        price = self.price_cache.get(key)
        if price is None:
            jitter = 0.9 + 0.2 * (((p + 1) * 2654435761 + (ci + 1) * 40503) % 10007) / 10007
            cents = _BASE_PRICE[ci] * self.providers[p].markup * jitter
            price = round(cents / 100) * 100 if cents >= 5000 else max(1, round(cents))
            self.price_cache[key] = price
        return price

    def _covered(self, m: int, lo: int, hi: int) -> bool:
        return self.member_start[m] <= lo and hi <= self.member_end[m]

    def _pick_member(self, dos: int) -> int:
        rng = self.rng
        n = len(self.member_ids)
        for _ in range(_ATTEMPTS):
            if rng.random() < _HEAVY_CLAIMS:
                m = self.heavy[rng.randrange(len(self.heavy))]
            else:
                m = rng.randrange(n)
            if self.member_start[m] <= dos <= self.member_end[m]:
                return m
        return self.full_year[rng.randrange(len(self.full_year))] if self.full_year else 0

    def _pick_encounter(self, m: int) -> int:
        rng = self.rng
        view = self.plans[self.member_plan[m]]
        child = self.member_child[m]
        for _ in range(6):
            e = view.enc_ids[bisect.bisect_left(view.enc_cum, rng.random() * view.enc_cum[-1])]
            audience = _ENCOUNTERS[e].audience
            if audience == "any" or (audience == "child") == bool(child):
                return e
        return view.enc_ids[0]

    def _pick_provider(self, m: int, e: int) -> int:
        rng = self.rng
        spec = self.plans[self.member_plan[m]].spec
        oon = self.enc_oon[e]
        if spec.oon_covered and oon and rng.random() < _OON_SHARE:
            return oon[rng.randrange(len(oon))]
        if self.enc_pcp[e] and rng.random() < _PCP_SHARE:
            return self.family_pcp[self.member_family[m]]
        ins = self.enc_in[e]
        return ins[rng.randrange(len(ins))]

    def _received_schedule(self) -> list[float]:
        """Cumulative share of claims received by the end of each day.

        Services are spread evenly over the year and each is received after the billing lag,
        so receipts ramp up over January and run out in the new year: a day's share is the
        probability that the lag lands the service inside the plan year.
        """
        pmf = [0.0] * (_MAX_LAG + 1)
        for lo, hi, prob in _LAG:
            for lag in range(lo, hi + 1):
                pmf[lag] = prob / (hi - lo + 1)
        cum, total = [], 0.0
        for r in range(self.last_day + _MAX_LAG + 1):
            total += sum(pmf[max(0, r - self.last_day):min(_MAX_LAG, r) + 1])
            cum.append(total)
        return [x / total for x in cum]

    def _dos_for(self, r: int) -> int:
        """A date of service in the plan year for a claim received on day r."""
        rng = self.rng
        for _ in range(64):  # the lag given r: draw from _LAG until the DOS is in the year
            u = rng.random()
            for lo, hi, prob in _LAG:  # noqa: B007 (the bucket drawn is used after the break)
                if u < prob:
                    break
                u -= prob
            d = r - rng.randint(lo, hi)
            if 0 <= d <= self.last_day:
                return d
        return min(max(0, r), self.last_day)

    def _dx(self, e: int) -> str:
        rng = self.rng
        pool = _ENCOUNTERS[e].dx
        first = pool[rng.randrange(len(pool))]
        u = rng.random()
        if u < 0.6:
            return first
        codes = [first]
        for _ in range(1 if u < 0.9 else 2):
            cand = rng.choice(pool) if rng.random() < 0.5 else rng.choice(_COMORBID)
            if cand not in codes:
                codes.append(cand)
        return ";".join(codes)

    def _mismatch_dx(self, ci: int) -> str:
        prefixes = _CODES[ci].dx_prefixes
        pool = [d for d in _MISMATCH_DX if not d.startswith(prefixes)]
        k = 1 if self.rng.random() < 0.7 else 2
        return ";".join(self.rng.sample(pool, k))

    def _timely(self, m: int) -> int:
        return self.plans[self.member_plan[m]].spec.timely_filing_days

    def _count(self, kind: str) -> None:
        self.kinds[kind] = self.kinds.get(kind, 0) + 1

    # --- authorizations ----------------------------------------------------------------------

    def _write_auth(self, m: int, ci: int, units: int, start: int, end: int) -> None:
        self.auth_count += 1
        aid = f"PA-{self.auth_count:0{self.id_width}d}"
        self.pending_auths.append([aid, self.member_ids[m], _CODE_STR[ci], str(units),
                                   self.day_str[start], self.day_str[end]])
        # active entry: [start, end, remaining units, authorized units]
        self.active[m * 256 + ci] = [start, end, units, units]

    def _new_auth_window(self, m: int, ci: int, dos: int) -> tuple[int, int] | None:
        """A window covering dos that overlaps no other authorization of member+code."""
        old = self.active.get(m * 256 + ci)
        rng = self.rng
        start = max(0, dos - rng.randint(0, 21))
        if old is not None:
            if old[1] >= dos:  # covers dos, or starts after it: no second, overlapping auth
                return None
            start = max(start, old[1] + 1)
        return start, start + rng.choice((30, 60, 90)) - 1

    def _authorize(self, m: int, ci: int, dos: int, units: int) -> bool:
        """Book units of an ordinary prior-auth line: use the active auth or create one."""
        entry = self.active.get(m * 256 + ci)
        if entry is not None and entry[0] <= dos <= entry[1]:
            if entry[2] >= units:
                entry[2] -= units
                return True
            return False
        window = self._new_auth_window(m, ci, dos)
        if window is None:
            return False
        granted = max(units, 200) if _CODE_STR[ci] == "J0585" else units
        self._write_auth(m, ci, granted, *window)
        self.active[m * 256 + ci][2] = granted - units
        if self.rng.random() < 0.05:
            self._orphan_auth(dos)
        return True

    def _orphan_auth(self, dos: int) -> None:
        """An authorization that is never used (the member did not have the service)."""
        rng = self.rng
        view = self.plans[rng.randrange(len(self.plans))]
        if not view.members or not view.pa_encounters:
            return
        m = view.members[rng.randrange(len(view.members))]
        e = rng.choice(view.pa_encounters)
        ci = view.enc_primary[e][0][0]
        d = min(self.last_day, dos + rng.randint(0, 30))
        if self.member_start[m] <= d <= self.member_end[m]:
            window = self._new_auth_window(m, ci, d)
            if window is not None:
                self._write_auth(m, ci, rng.choice(_CODES[ci].units), *window)

    def _prune(self, r: int) -> None:
        cutoff = r - _PRUNE_MARGIN
        stale = [k for k, v in self.active.items() if v[1] < cutoff]
        for k in stale:
            del self.active[k]

    # --- claim builders ----------------------------------------------------------------------

    def _new_id(self) -> str:
        self.claim_seq += 1
        return f"C{self.claim_seq:0{self.claim_width}d}"

    def _build(self, m: int, e: int, dos: int, r: int, *, book: bool, prov: int | None = None,
               shift: bool = True, kind: str = "original") -> _Claim | None:
        """An encounter e of member m on dos, received r. ``book`` books auths and limits."""
        rng = self.rng
        view = self.plans[self.member_plan[m]]
        prim_codes, prim_cum = view.enc_primary[e]
        prim = prim_codes[bisect.bisect_left(prim_cum, rng.random() * prim_cum[-1])]
        n = bisect.bisect_left(_LINES_CUM, rng.random()) + 1
        codes = [prim]
        if n > 1:
            extras = [ci for ci in view.enc_extras[e] if ci != prim]
            if extras:
                codes += rng.sample(extras, min(n - 1, len(extras)))
        p = self._pick_provider(m, e) if prov is None else prov
        cap = min(r, self.last_day, self.member_end[m])
        lines = []
        for j, ci in enumerate(codes):
            spec = _CODES[ci]
            d = dos
            if shift and j and rng.random() < _SHIFT_SHARE:
                d2 = dos + rng.randint(1, 2)
                if d2 <= cap:
                    d = d2
            units = spec.units[rng.randrange(len(spec.units))] if len(spec.units) > 1 else 1
            # one line per member, code and day: no CARC 18 or 151 by accident
            slot, mark = self._seen_slot(m, d, ci)
            if book:
                if mark in self.seen[slot:slot + 4]:
                    if j == 0:
                        return None
                    continue
                limit = view.annual_limit[ci]
                key = m * 256 + ci
                if limit and self.annual.get(key, 0) >= limit:
                    if j == 0:
                        return None
                    continue
                if spec.prior_auth and not self._authorize(m, ci, d, units):
                    if j == 0:
                        return None
                    continue
                if limit:
                    self.annual[key] = self.annual.get(key, 0) + 1
            self._remember(slot, mark)  # also for denied claims: their other lines may be approved
            lines.append((d, ci, units, self._price(p, ci) * units))
        return _Claim(self._new_id(), "1", "", m, self.member_ids[m], p, self.providers[p].npi, r,
                      self._dx(e), lines, e, book, kind)

    def _seen_slot(self, m: int, d: int, ci: int) -> tuple[int, int]:
        """Bucket (4 slots) and 32-bit fingerprint of member+day+code in the ``seen`` table."""
        key = (m * 1024 + d) * 256 + ci
        slot = ((key * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF) >> self.seen_shift << 2
        mark = ((key * 0xC2B2AE3D27D4EB4F) & 0xFFFFFFFFFFFFFFFF) >> 32 | 1
        return slot, mark

    def _remember(self, slot: int, mark: int) -> None:
        bucket = self.seen[slot:slot + 4]
        if mark in bucket:
            return
        # a free slot, else one picked by the fingerprint: a lost entry is merely forgotten
        self.seen[slot + (bucket.index(0) if 0 in bucket else mark >> 3 & 3)] = mark

    def _unbook(self, c: _Claim, lines: list) -> None:
        """A void gives back what the reversed lines had booked (A-7.1)."""
        m = c.member
        view = self.plans[self.member_plan[m]]
        for d, ci, units, _ in lines:
            if ci >= _NC:
                continue
            key = m * 256 + ci
            if view.annual_limit[ci] and self.annual.get(key, 0) > 0:
                self.annual[key] -= 1
            entry = self.active.get(key) if _CODES[ci].prior_auth else None
            if entry is not None and entry[0] <= d <= entry[1]:
                entry[2] = min(entry[3], entry[2] + units)

    def _original(self, r: int) -> _Claim:
        rng = self.rng
        for _ in range(_ATTEMPTS):
            dos = self._dos_for(r)
            m = self._pick_member(dos)
            c = self._build(m, self._pick_encounter(m), dos, r, book=True)
            if c is not None:
                return c
        # an office visit for a cold (no limits, no prior auth) of a member covered all year
        dos = min(r, self.last_day)
        for book in (True, False):  # the second pass, never needed in practice, cannot fail
            for _ in range(_ATTEMPTS):
                m = self.full_year[rng.randrange(len(self.full_year))] if self.full_year else 0
                c = self._build(m, self.plans[self.member_plan[m]].enc_ids[0], dos, r, book=book)
                if c is not None:
                    return c
        raise AssertionError("unreachable: a build without booking always succeeds")

    def _pick_recent(self, r: int, want_clean: bool) -> _Claim | None:
        rng = self.rng
        filled = min(self.ring_pos, RESERVOIR)
        if not filled:
            return None
        for _ in range(8):
            # how many claims back: exponential, about _FOLLOW_UP_DAYS worth of claims on average
            back = min(filled - 1, int(rng.expovariate(1.0 / self.follow_up_mean)))
            c = self.ring[(self.ring_pos - 1 - back) % RESERVOIR]
            if not want_clean:
                return c
            if c.clean and not c.reversed and \
                    r - min(line[0] for line in c.lines) <= self._timely(c.member):
                return c
        return None

    # --- the stream --------------------------------------------------------------------------

    def claims(self) -> Iterator[_Claim]:
        """Yield claim records in submission order; authorization rows collect alongside."""
        cfg, rng = self.cfg, self.rng
        n = cfg.claims
        self.claim_seq = 0
        self.claim_width = max(7, len(str(n)))
        self.ring: list[_Claim | None] = [None] * RESERVOIR
        self.ring_pos = 0
        self.last_claim_id = ""
        self.follow_up_mean = max(1.0, _FOLLOW_UP_DAYS * n / (self.last_day + 1))
        self.active: dict[int, list[int]] = {}
        self.annual: dict[int, int] = {}
        # Lines billed so far, by member+day+code, in a fixed-size table of 4-slot buckets (a full
        # bucket forgets an entry; a false match only makes the generator pick another line).
        bits = max(12, min(_SEEN_BITS, (16 * n).bit_length()))
        self.seen = array("I", bytes(4 << bits))
        self.seen_shift = 64 - (bits - 2)
        thresholds = []
        acc = 0.0
        for name, rate in (("reject", cfg.reject_rate), ("resubmit", cfg.resubmit_rate),
                           ("duplicate", cfg.duplicate_rate), ("correction", cfg.correction_rate),
                           ("late", cfg.late_rate), ("denial", cfg.denial_mix)):
            acc += rate
            thresholds.append((acc, name))
        denial_names = [k for k, _ in DENIAL_KINDS]
        denial_cum = []
        run = 0.0
        for _, w in DENIAL_KINDS:
            run += w
            denial_cum.append(run)
        owed: dict[str, int] = {}
        schedule = self._received_schedule()
        for i in range(n):
            r = bisect.bisect_left(schedule, (i + 0.5) / n)
            if i % _PRUNE_EVERY == 0:
                self._prune(r)
            u = rng.random()
            kind = "original"
            for limit, name in thresholds:
                if u < limit:
                    kind = name
                    break
            if kind == "original" and owed and rng.random() < _CATCH_UP:
                kind = next(iter(owed))  # catch up on a kind that could not be produced before
                owed[kind] -= 1
                if not owed[kind]:
                    del owed[kind]
            c = self._make(kind, r, denial_names, denial_cum)
            if c is None:
                owed[kind] = owed.get(kind, 0) + 1
                c = self._original(r)
            self._count(c.kind)
            self.last_claim_id = c.claim_id
            yield c
            if c.kind == "resubmit" or c.kind.startswith("reject:"):
                continue
            self.ring[self.ring_pos % RESERVOIR] = c
            self.ring_pos += 1

    def _make(self, kind: str, r: int, denial_names: list[str],
              denial_cum: list[float]) -> _Claim | None:
        rng = self.rng
        if kind == "original":
            return self._original(r)
        if kind == "reject":
            return self._reject(r)
        if kind == "resubmit":
            o = self._resubmit(r)
            if o is None:
                return None
            # same rows again; a lightweight view so the ring keeps the original's own kind
            return _Claim(o.claim_id, o.freq, o.orig, o.member, o.member_id, o.prov, o.npi,
                          o.received, o.dx, o.lines, o.enc, False, "resubmit")
        if kind == "duplicate":
            return self._duplicate(r)
        if kind == "correction":
            return self._correction(r)
        if kind == "late":
            return self._late(r)
        first = bisect.bisect_left(denial_cum, rng.random() * denial_cum[-1])
        for k in range(len(denial_names)):  # fall back to the next kind when one is impossible
            c = self._denial(denial_names[(first + k) % len(denial_names)], r)
            if c is not None:
                return c
        return None

    def rows(self, c: _Claim) -> list[list[str]]:
        ds = self.day_str
        received = ds[c.received]
        rows = [[c.claim_id, c.freq, c.orig, c.member_id, c.npi, received, ds[d], _CODE_STR[ci],
                 str(units), format_cents(billed), c.dx] for d, ci, units, billed in c.lines]
        if self.cfg.secondary_rate > 0:
            for row, other in zip(rows, self._other_payer(c)):
                row.extend(other)
        return rows

    def _other_payer(self, c: _Claim) -> list[tuple[str, str]]:
        """The prior payer's allowed and paid amounts of each line of ``c`` (A-11.1), empty when
        this plan pays first. Drawn from a stream keyed by seed and claim id, never from the
        generator's own: a resubmission repeats them, and the other files do not change."""
        none = [("", "")] * len(c.lines)
        if c.kind.startswith("reject:"):
            return none
        rng = random.Random(f"{self.cfg.seed}:secondary:{c.claim_id}")
        if rng.random() >= self.cfg.secondary_rate:
            return none
        out = []
        for _, _, _, billed in c.lines:
            if rng.random() < 0.15:  # this line the prior payer did not adjudicate
                out.append(("", ""))
                continue
            allowed = round(billed * rng.uniform(0.45, 0.85))
            paid = round(allowed * rng.choice((0.0, 0.5, 0.7, 0.8, 0.9)))
            out.append((format_cents(allowed), format_cents(paid)))
        return out
