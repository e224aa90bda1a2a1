"""Helpers shared by the X12 test modules (test_x12_samples.py, test_x12_malformed.py,
test_x12_interchanges.py, test_x12_round_trips.py): where the library's sample files are, amounts
in cents, and the base 837 file (two transactions, three claims) with the mutations built on it."""
from __future__ import annotations

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples" / "x12"


def _cents(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    whole, _, frac = text.lstrip("-").partition(".")
    return sign * (int(whole) * 100 + int(frac.ljust(2, "0")))


# ---------------------------------------------------------------------------------------------
# malformed input (test_x12_malformed.py, test_x12_interchanges.py): one base file of two
# transactions, three claims; each case breaks one thing

BASE = """ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*CLAIMLEDGER    *260301*1200*^*00501*000000101*0*P*:
GS*HC*SUBMITTER*CLAIMLEDGER*20260301*1200*101*X*005010X222A1
ST*837*0001*005010X222A1
BHT*0019*00*B0001*20260301*1200*CH
NM1*41*2*SUBMITTER*****46*S1
PER*IC*EDI*TE*8005550100
NM1*40*2*CLAIMLEDGER*****46*CL
HL*1**20*1
NM1*85*2*RIVERSIDE FAMILY MEDICINE*****XX*1234567893
N3*1 MAIN ST
N4*TOWN*NY*10001
REF*EI*123456789
HL*2*1*22*0
SBR*P*18*GOLD-PPO-2026******CI
NM1*IL*1*DOE*JANE****MI*M100
NM1*PR*2*CLAIMLEDGER*****PI*CL
CLM*C1*160***11:B:1*Y*A*Y*I
HI*ABK:J069
LX*1
SV1*HC:99213*120*UN*1***1
DTP*472*D8*20260210
LX*2
SV1*HC:80053*40*UN*1***1
DTP*472*D8*20260210
HL*3*1*22*0
SBR*P*18*GOLD-PPO-2026******CI
NM1*IL*1*DOE*JOHN****MI*M101
NM1*PR*2*CLAIMLEDGER*****PI*CL
CLM*C2*131***11:B:1*Y*A*Y*I
HI*ABK:G43909*ABF:R51
LX*1
SV1*HC:99214*131*UN*1***1
DTP*472*D8*20260215
SE*32*0001
ST*837*0002*005010X222A1
BHT*0019*00*B0002*20260302*1200*CH
NM1*41*2*SUBMITTER*****46*S1
PER*IC*EDI*TE*8005550100
NM1*40*2*CLAIMLEDGER*****46*CL
HL*1**20*1
NM1*85*2*LAKEVIEW IMAGING*****XX*1659478212
N3*2 MAIN ST
N4*TOWN*NY*10001
REF*EI*987654321
HL*2*1*22*0
SBR*P*18*GOLD-PPO-2026******CI
NM1*IL*1*DOE*JANE****MI*M100
NM1*PR*2*CLAIMLEDGER*****PI*CL
CLM*C3*60***11:B:1*Y*A*Y*I
HI*ABK:R059
LX*1
SV1*HC:71046*60*UN*1***1
DTP*472*D8*20260220
SE*20*0002
GE*2*101
IEA*1*000000101"""

# the claims of BASE
ALL = {"C1", "C2", "C3"}


def _base() -> list[str]:
    return BASE.split("\n")


def _render(segs: list[str], recount: bool = True, terminator: str = "~\n") -> str:
    if recount:
        out, start = [], None
        for seg in segs:
            if seg.startswith("ST*"):
                start = len(out)
            if seg.startswith("SE*") and start is not None:
                seg = f"SE*{len(out) - start + 1}*{seg.split('*')[2]}"
            out.append(seg)
        segs = out
    return terminator.join(segs) + terminator


def _sub(old: str, new: str | None, nth: int = 0):
    """A mutation replacing the nth segment equal to (or starting with) ``old``; None deletes."""
    def mutate(segs: list[str]) -> list[str]:
        hits = [i for i, s in enumerate(segs) if s == old or s.startswith(old)]
        assert len(hits) > nth, (old, nth)
        i = hits[nth]
        return segs[:i] + ([] if new is None else [new]) + segs[i + 1:]
    return mutate


def _chain(*mutations):
    def mutate(segs):
        for m in mutations:
            segs = m(segs)
        return segs
    return mutate


def _insert_after(anchor: str, *new: str):
    def mutate(segs):
        i = segs.index(anchor)
        return segs[:i + 1] + list(new) + segs[i + 1:]
    return mutate
