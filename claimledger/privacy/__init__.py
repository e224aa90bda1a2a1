"""Privacy, consent and an audit trail (issue 14, docs/PRIVACY.md): keyed pseudonyms and
erasure (:mod:`.pseudonyms`), the privacy ledger's consents and access log (:mod:`.consent`,
:mod:`.disclosures`), and integrity anchoring of runs (:mod:`.merkle`, :mod:`.anchoring`)."""
