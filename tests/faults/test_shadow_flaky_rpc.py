"""The adjudicator's shadow (claimledger/optimistic/shadow.py) through a node whose answers get
lost: a claim's transaction is sent with eth_sendRawTransactionSync and its two traces in one
JSON-RPC batch, so a lost answer to either is retried as a whole (claimledger/rpc.py), and a
transaction the node took before its answer was lost is found by its hash, never sent again at
another nonce. The steps (keys, values, roots, results) equal those of a shadow on a clean node."""
from claimledger import chain
from claimledger.chain import Keys
from claimledger.claims_csv import iter_claims
from claimledger.node import AnvilNode, connect, dev_private_keys
from claimledger.optimistic.shadow import KEPT_STATES, Shadow, shadow_chain
from claimledger.privacy.pseudonyms import Pseudonyms
from claimledger.records import Claim
from claimledger.scenario import load_scenario

from tests.faults.rpc_proxy import RpcProxy

CLAIMS = 40
FORCED = {("eth_sendRawTransactionSync", 3): "drop after", ("eth_sendRawTransactionSync", 9): "drop before",
          ("eth_sendRawTransactionSync", 12): "502", ("eth_sendRawTransactionSync", 20): "delay",
          ("batch", 5): "drop after", ("batch", 7): "drop before", ("batch", 15): "502"}


def steps_of(shadow: Shadow, claims: list[Claim]) -> list[tuple]:
    return [(s.keys, s.pre_values, s.post_values, s.pre_root, s.post_root, s.result_hash)
            for s in (shadow.submit(c) for c in claims)]


def test_a_shadow_through_an_rpc_that_loses_answers_takes_the_same_steps(scenario):
    loaded = load_scenario(scenario)
    claims = [c for c in iter_claims(loaded.claims_path) if isinstance(c, Claim)][:CLAIMS]
    pseudonyms = Pseudonyms.in_memory()
    with shadow_chain(loaded, pseudonyms) as clean:
        expected = steps_of(clean, claims)
    with AnvilNode(kept_states=KEPT_STATES) as node, RpcProxy(node.url, forced=FORCED) as proxy:
        w3 = connect(proxy.url)
        keys = Keys.from_list(dev_private_keys(6))
        dep = chain.deploy(w3, keys, pseudonyms=pseudonyms)
        chain.load_reference_data(dep, keys, loaded)
        flaky = Shadow(dep, keys, loaded.claims_path)
        before = flaky.sender.nonce
        assert steps_of(flaky, claims) == expected
        assert all(proxy.faults[(fault, method)] for (method, _n), fault in FORCED.items())
        # one transaction a claim: none was sent twice at two nonces
        assert w3.eth.get_transaction_count(flaky.sender.address) == flaky.sender.nonce == before + CLAIMS
