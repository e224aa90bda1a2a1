"""The content of the claims that corrections name (R-17), found without a second pass over
the claims file.

The claims engine keeps a claim's content only as a tag (the leading bytes of its hash), so a
replacement or void (A-7.1) brings the packed content of the claim it takes back: the engine
uses the entry whose hash matches the tag it recorded and ignores the others.
:class:`OriginalContents` finds those contents, in this order: among the claims replayed most
recently (every claim is added before its batch is sent, so a correction finds an original
of its own batch; corrections mostly follow their originals within days), on the chain (the
transaction that recorded the claim, while the node keeps it), and last in the claims file
itself, scanned once for the ids still missing (a correction of a claim replayed long ago).
"""
from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Iterable

from .chain import Deployment
from .codec import content_hash, encode_claim
from .records import Claim, Frequency

RECENT_CLAIMS = 100_000  # ~50 MB of packed claims; a synthetic correction names one of its last 5,000


class OriginalContents:
    """Candidate contents of named claims, by claim key (the claim id's pseudonym in ``ids``)."""

    def __init__(self, ids, dep: Deployment | None = None, claims_file: Path | None = None,
                 keep: int = RECENT_CLAIMS):
        self._ids = ids
        self._dep = dep
        self._claims_file = claims_file
        self._keep = keep
        # claim key -> content hash -> packed claim, oldest first
        self._recent: OrderedDict[bytes, dict[bytes, bytes]] = OrderedDict()

    def add(self, packed: bytes) -> None:
        """Keeps a packed claim as a candidate content of its claim id."""
        key = packed[:32]
        contents = self._recent.pop(key, None) or {}
        contents.setdefault(content_hash(packed), packed)
        self._recent[key] = contents
        while len(self._recent) > self._keep:
            self._recent.popitem(last=False)

    def for_claims(self, claims: Iterable[Claim]) -> bytes:
        """The packed ``originals`` argument for a submission of ``claims``: every candidate
        content of each claim their corrections name, each once. Ids named but not held are
        looked up on the chain together, then in the claims file, once per submission."""
        named = list(dict.fromkeys(self._ids.claim(c.original_claim_id) for c in claims if is_correction(c)))
        missing = [key for key in named if key not in self._recent]
        if missing and self._dep is not None:
            from .recorded import recorded_claims

            for packed in recorded_claims(self._dep, missing, from_scenario=False).values():
                self.add(packed)
            missing = [key for key in missing if key not in self._recent]
        if missing and self._claims_file is not None:
            self._scan_file(set(missing))
        return b"".join(packed for key in named for packed in self._recent.get(key, {}).values())

    def _scan_file(self, keys: set[bytes]) -> None:
        from .scenario import iter_claims

        for item in iter_claims(self._claims_file):
            if isinstance(item, Claim) and self._ids.claim(item.claim_id) in keys:
                self.add(encode_claim(item, self._ids))


def is_correction(item) -> bool:
    return isinstance(item, Claim) and item.frequency != Frequency.ORIGINAL and bool(item.original_claim_id)
