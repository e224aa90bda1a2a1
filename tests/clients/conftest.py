"""Client integration tests (`make test-clients`): the same runs on other EVM clients that
claimledger starts itself. Slow (minutes), so `make test` does not collect them."""
import os

if not os.environ.get("CLAIMLEDGER_CLIENT_TESTS"):
    collect_ignore_glob = ["test_*.py"]
