"""The content of the claims that corrections name (R-17).

The claims engine keeps a claim's content only as a tag (the leading bytes of its hash), so a
replacement or void (A-7.1) brings the content of the claim it takes back: the engine uses the
entry whose hash matches the tag it recorded and ignores the others. :class:`OriginalContents`
finds those contents: in the claims being submitted (every distinct content of each claim id
that some correction names, gathered in one streaming pass, so memory grows with the claims
named, not with the file) and, for an id they do not hold, on the chain (the transaction that
recorded the claim).
"""
from __future__ import annotations

from typing import Callable, Iterable, Iterator

from .chain import Deployment, claim_input, input_content_hash, recorded_claim_inputs, to_id
from .records import Claim, Frequency


class OriginalContents:
    """Candidate contents of named claims, by claim key (keccak of the claim id)."""

    def __init__(self, dep: Deployment | None = None):
        self._dep = dep
        self._by_key: dict[bytes, dict[bytes, tuple]] = {}  # claim key -> content hash -> ClaimInput

    @classmethod
    def gather(cls, items: Callable[[], Iterator], dep: Deployment | None = None) -> "OriginalContents":
        """From two passes over ``items()`` (Claims and loader rejects, as ``iter_claims`` gives
        them): the ids that corrections name, then every distinct content of those ids."""
        named = {to_id(c.original_claim_id) for c in items() if _is_correction(c)}
        contents = cls(dep)
        for item in items():
            if isinstance(item, Claim) and to_id(item.claim_id) in named:
                contents.add(claim_input(item))
        return contents

    def add(self, claim: tuple) -> None:
        """Keeps a ClaimInput as a candidate content of its claim id."""
        self._by_key.setdefault(bytes(claim[0]), {}).setdefault(input_content_hash(claim), claim)

    def for_claims(self, claims: Iterable[Claim]) -> list[tuple]:
        """The ``originals`` argument for a submission of ``claims``: every candidate content of
        each claim their corrections name, each once. Ids named but not held are looked up on
        the chain together, once per submission."""
        named = list(dict.fromkeys(to_id(c.original_claim_id) for c in claims if _is_correction(c)))
        missing = [key for key in named if key not in self._by_key]
        if missing and self._dep is not None:
            # submitted elsewhere; not looked for in the deployment's scenario, which is where
            # gather() found the rest
            for recorded in recorded_claim_inputs(self._dep, missing, from_scenario=False).values():
                self.add(recorded)
        return [content for key in named for content in self._by_key.get(key, {}).values()]


def _is_correction(item) -> bool:
    return isinstance(item, Claim) and item.frequency != Frequency.ORIGINAL and bool(item.original_claim_id)
