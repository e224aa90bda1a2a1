"""The claim kinds other than an ordinary original: resubmissions, duplicates, corrections,
late claims, malformed records and deliberate denials (part of
:class:`~claimledger.synth.generator._Generator`)."""
from __future__ import annotations

from .records import _Claim
from .tables import (
    NOT_COVERED_CODES, REJECT_KINDS, _ATTEMPTS, _CODES, _COMORBID, _LATE_BY, _NC, _VOID_SHARE,
)


class _ClaimKinds:
    """Claim records of the special kinds, on the generator's state and helpers."""

    def _resubmit(self, r: int) -> _Claim | None:
        o = self._pick_recent(r, want_clean=False)
        # right after itself, the parser would read the two copies as one claim of twice the lines
        return None if o is None or o.claim_id == self.last_claim_id else o

    def _duplicate(self, r: int) -> _Claim | None:
        o = self._pick_recent(r, want_clean=True)
        if o is None:
            return None
        return _Claim(self._new_id(), "1", "", o.member, o.member_id, o.prov, o.npi, r, o.dx,
                      list(o.lines), o.enc, False, "duplicate")

    def _correction(self, r: int) -> _Claim | None:
        rng = self.rng
        o = self._pick_recent(r, want_clean=True)
        if o is None:
            return None
        o.reversed = True
        if rng.random() < _VOID_SHARE:
            self._unbook(o, o.lines)
            return _Claim(self._new_id(), "8", o.claim_id, o.member, o.member_id, o.prov, o.npi, r,
                          o.dx, list(o.lines), o.enc, False, "void")
        lines = list(o.lines)
        dx = o.dx
        droppable = [j for j in range(1, len(lines)) if not _CODES[lines[j][1]].prior_auth]
        adjustable = [j for j, ln in enumerate(lines)
                      if not _CODES[ln[1]].prior_auth and (_CODES[ln[1]].max_units or 1) > 1]
        ops = ["billed", "billed", "dx"] + ["drop"] * bool(droppable) + ["units"] * 2 * bool(adjustable)
        op = rng.choice(ops)
        if op == "billed":  # corrected charge
            j = rng.randrange(len(lines))
            d, ci, units, billed = lines[j]
            new = max(units, round(billed * rng.uniform(0.85, 1.15)))
            lines[j] = (d, ci, units, new if new != billed else billed + 100)
        elif op == "dx":  # corrected or added diagnosis
            dx = self._dx(o.enc)
            if dx == o.dx:
                dx = o.dx.split(";")[0] if ";" in o.dx else f"{o.dx};{rng.choice(_COMORBID)}"
        elif op == "drop":  # a line billed in error
            j = rng.choice(droppable)
            self._unbook(o, [lines[j]])
            del lines[j]
        else:  # corrected units
            j = rng.choice(adjustable)
            d, ci, units, billed = lines[j]
            top = _CODES[ci].max_units or 1
            new_units = rng.choice([u for u in range(1, top + 1) if u != units])
            lines[j] = (d, ci, new_units, billed // units * new_units)
        return _Claim(self._new_id(), "7", o.claim_id, o.member, o.member_id, o.prov, o.npi, r,
                      dx, lines, o.enc, True, "replacement")

    def _late(self, r: int) -> _Claim | None:
        rng = self.rng
        feasible = [v for v in self.plans if v.members and r - v.spec.timely_filing_days - 1 >= 0]
        if not feasible:
            return None
        view = rng.choice(feasible)
        limit = view.spec.timely_filing_days
        for _ in range(_ATTEMPTS):
            # 1-120 days past the limit; early in the year that is often before Jan 1: try later
            dos = r - limit - rng.randint(1, _LATE_BY)
            if dos < 0:
                return None
            m = view.members[rng.randrange(len(view.members))]
            if self.member_start[m] <= dos <= min(self.member_end[m], self.last_day):
                return self._build(m, self._pick_encounter(m), dos, r, book=False, shift=False,
                                   kind="late")
        return None

    def _reject(self, r: int) -> _Claim:
        rng = self.rng
        dos = self._dos_for(r)
        m = self._pick_member(dos)
        c = self._build(m, self._pick_encounter(m), dos, r, book=False, shift=False)
        d, ci, units, billed = c.lines[0]
        kind = REJECT_KINDS[rng.randrange(len(REJECT_KINDS))]
        if kind == "zero_units":
            c.lines = [(d, ci, 0, billed)]
        elif kind == "negative_billed":
            c.lines = [(d, ci, units, -billed)]
        else:
            c.lines = [(r + rng.randint(1, 5), ci, units, billed)]
        c.clean = False
        c.kind = f"reject:{kind}"
        return c

    # deliberate denials: each returns None when it cannot be produced right now

    def _denial(self, kind: str, r: int) -> _Claim | None:
        rng = self.rng
        dos = self._dos_for(r)
        c: _Claim | None = None
        if kind == "coverage_gap":
            if not self.partial:
                return None
            for _ in range(_ATTEMPTS):
                m = self.partial[rng.randrange(len(self.partial))]
                if dos < self.member_start[m] or dos > self.member_end[m]:
                    c = self._build(m, self._pick_encounter(m), dos, r, book=False, shift=False)
                    break
        elif kind == "oon_not_covered":
            views = [v for v in self.plans if not v.spec.oon_covered and v.members]
            if not views:
                return None
            view = rng.choice(views)
            for _ in range(_ATTEMPTS):
                m = view.members[rng.randrange(len(view.members))]
                e = self._pick_encounter(m)
                if self._covered(m, dos, dos) and self.enc_oon[e]:
                    c = self._build(m, e, dos, r, book=False, prov=rng.choice(self.enc_oon[e]))
                    break
        elif kind in ("missing_prior_auth", "auth_units_exceeded"):
            for _ in range(_ATTEMPTS):
                m = self._pick_member(dos)
                view = self.plans[self.member_plan[m]]
                if not view.pa_encounters:
                    continue
                e = rng.choice(view.pa_encounters)
                ci = view.enc_primary[e][0][0]
                if kind == "missing_prior_auth":
                    old = self.active.get(m * 256 + ci)
                    if old is not None and old[1] >= dos:
                        continue  # an authorization covers (or may later cover) this date
                    c = self._build(m, e, dos, r, book=False, shift=False)
                    # a zero-unit placeholder keeps later authorizations clear of this date
                    self.active[m * 256 + ci] = [dos, dos, 0, 0]
                else:
                    window = self._new_auth_window(m, ci, dos)
                    if window is None:
                        continue
                    c = self._build(m, e, dos, r, book=False, shift=False)
                    d, ci0, units, billed = c.lines[0]
                    if units > 1:  # e.g. 155 units of botox against an auth for 100
                        granted = max(1, units - rng.choice((5, 15, 55)))
                    else:  # billed bilateral (2 units), authorized 1
                        granted, units, billed = 1, 2, billed * 2
                    c.lines[0] = (d, ci0, units, billed)
                    self._write_auth(m, ci0, granted, *window)
                break
        elif kind == "dx_mismatch":
            found = self._member_and_code(dos, lambda view: view.dx_codes)
            if found is not None:
                m, ci = found
                c = self._single(m, self.code_enc[ci], ci, dos, r, None, self._mismatch_dx(ci))
        elif kind == "units_over_max":
            found = self._member_and_code(dos, lambda view: view.max_codes)
            if found is not None:
                m, ci = found
                units = (_CODES[ci].max_units or 1) + rng.randint(1, 3)
                c = self._single(m, self.code_enc[ci], ci, dos, r, units, None)
        else:  # unknown_member, unknown_provider, not_in_schedule: mutate an ordinary claim
            book = kind == "not_in_schedule"
            for _ in range(_ATTEMPTS):
                m = self._pick_member(dos)
                c = self._build(m, self._pick_encounter(m), dos, r, book=book, shift=book)
                if c is not None:
                    break
            if c is None:
                return None
            if kind == "unknown_member":
                c.member = -1
                c.member_id = f"M{rng.randint(self.unknown_lo, self.unknown_hi):0{self.id_width}d}"
            elif kind == "unknown_provider":
                c.prov = -1
                c.npi = rng.choice(self.unknown_npis)
            else:
                j = rng.randrange(len(c.lines))
                ci = _NC + rng.randrange(len(NOT_COVERED_CODES))
                c.lines[j] = (c.lines[j][0], ci, 1, self._price(c.prov, ci))
        if c is None:
            return None
        c.clean = False
        c.kind = f"denial:{kind}"
        return c

    def _member_and_code(self, dos: int, codes_of) -> tuple[int, int] | None:
        """A member covered on ``dos`` and one of ``codes_of(their plan view)``, drawn in up to
        :data:`_ATTEMPTS` tries (None if no member's plan has such a code)."""
        for _ in range(_ATTEMPTS):
            m = self._pick_member(dos)
            codes = codes_of(self.plans[self.member_plan[m]])
            if codes:
                return m, self.rng.choice(codes)
        return None

    def _single(self, m: int, e: int, ci: int, dos: int, r: int, units: int | None,
                dx: str | None) -> _Claim:
        """A one-line claim for code ci (used by deliberate denials)."""
        rng = self.rng
        spec = _CODES[ci]
        if units is None:
            units = spec.units[rng.randrange(len(spec.units))]
        p = self._pick_provider(m, e)
        # an out-of-network provider of an HMO member would deny 242 first
        if not self.providers[p].in_network and not self.plans[self.member_plan[m]].spec.oon_covered:
            p = rng.choice(self.enc_in[e])
        return _Claim(self._new_id(), "1", "", m, self.member_ids[m], p, self.providers[p].npi, r,
                      dx if dx is not None else self._dx(e),
                      [(dos, ci, units, self._price(p, ci) * units)], e, False, "denial")
