"""Fees and finality on a chain that is not a dev node's: a stuck transaction replaced with a
raised fee at its nonce, and a reorg during a replay that drops confirmed-looking blocks,
after which nothing is lost and nothing is paid twice."""
import json

import pytest

from claimledger.chain import Deployment
from claimledger.fees import GWEI
from claimledger.money import CENT_UNITS
from claimledger.node import AnvilNode, connect, dev_private_keys, run_chain
from claimledger.pipeline import adjudicate_on_chain, adjudicate_reference, write_summary
from claimledger.scenario import load_scenario
from claimledger.sender import SendSettings, TxSender, configured
from claimledger.synth import SynthConfig, generate

SINK = "0x000000000000000000000000000000000000dEaD"


def test_a_stuck_transaction_is_replaced_at_its_nonce_with_a_raised_fee():
    """The base fee jumps (50 gwei) after the transaction was sent with a cap of ~2 gwei, so no
    block takes it; the sender sends a replacement at the same nonce priced for the new base
    fee, which is mined; the first form never is, and the value moves once."""
    with AnvilNode(accounts=1, base_fee=GWEI) as node:
        w3 = connect(node.url)
        request = w3.provider.make_request
        sender = TxSender(w3, dev_private_keys(1)[0], settings=SendSettings(replace_after_s=0))
        assert sender.fees.dynamic and sender.fees.max_fee < 3 * GWEI
        request("evm_setAutomine", [False])
        sender.send(SINK, b"", 21_000, value=3)
        first, nonce = sender._in_flight[0].tx_hash, sender._in_flight[0].tx["nonce"]
        request("anvil_setNextBlockBaseFeePerGas", [hex(50 * GWEI)])
        request("evm_mine", [])  # a block at 50 gwei: without the transaction
        request("evm_setAutomine", [True])  # the replacement is mined as it arrives
        receipts = []
        sender.flush(lambda receipt, _tag: receipts.append(receipt))
        (receipt,) = receipts
        assert sender.stats.replaced == 1
        assert bytes(receipt["transactionHash"]) != bytes(first)
        assert w3.eth.get_transaction(receipt["transactionHash"])["nonce"] == nonce
        assert int(receipt["effectiveGasPrice"], 16) >= 43_750_000_000  # the base fee after an empty 50-gwei block
        assert request("eth_getTransactionReceipt", ["0x" + bytes(first).hex()])["result"] is None
        assert w3.eth.get_balance(SINK) == 3


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    generate(out, SynthConfig(claims=400, seed=5, correction_rate=0.05, resubmit_rate=0.03, duplicate_rate=0.03))
    return out


def test_a_reorg_during_a_replay_loses_nothing_and_pays_nothing_twice(scenario, tmp_path, monkeypatch):
    """With --confirmations 4 (the sender mines an empty block on the embedded node when it waits
    for confirmations and no block comes), the blocks mined after the 10th batch are taken back
    (evm_snapshot, then evm_revert after the 20th batch): the transactions they held had
    receipts but too few blocks on top to count. The sender finds them gone and sends them
    again; the results equal the reference model's byte for byte, and the escrow paid out
    exactly the net paid."""
    reference = tmp_path / "reference"
    adjudicate_reference(scenario, reference)
    senders: list[TxSender] = []
    original_send = TxSender.send
    state = {"sends": 0}

    def send(self, to, data, gas, tag=None, value=0, on_receipt=None):
        if tag is not None:  # the replay's batches
            state["sends"] += 1
            if not senders or senders[-1] is not self:
                senders.append(self)
            request = self.w3.provider.make_request
            if state["sends"] == 10:
                request("evm_mine", [])  # what came before the snapshot stays
                state["snapshot"] = request("evm_snapshot", [])["result"]
                state["block"] = self.w3.eth.block_number
            elif state["sends"] == 20:
                request("evm_mine", [])  # batches 10 to 19 in a block that goes away
                assert self.w3.eth.block_number > state["block"]
                assert request("evm_revert", [state["snapshot"]])["result"] is True
        return original_send(self, to, data, gas, tag=tag, value=value, on_receipt=on_receipt)

    monkeypatch.setattr(TxSender, "send", send)
    run = tmp_path / "run"
    with configured(SendSettings(confirmations=4)):
        result = adjudicate_on_chain(scenario, run, batch_claims=10)
    summary = write_summary(result)
    assert senders[-1].stats.resent >= 10  # the reorg happened and was handled
    assert (run / "results.csv").read_bytes() == (reference / "results.csv").read_bytes()
    assert (run / "rejects.csv").read_bytes() == (reference / "rejects.csv").read_bytes()
    assert summary["settlement"]["outstanding_cents"] == 0
    with run_chain(run) as w3:
        escrow = Deployment.load(w3, run / "deployments.json")["ClaimsEngine"]
        paid_out = sum(escrow.functions.account(int(npi)).call()[2] for npi in load_scenario(scenario).providers)
    assert paid_out == round(summary["outcomes"]["amounts"]["paid"] * 100) * CENT_UNITS
    assert json.loads((run / "progress.json").read_text())["records"] > 0
