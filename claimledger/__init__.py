"""claimledger: health-insurance claims adjudication and settlement on an EVM ledger."""

__version__ = "0.1.0"
