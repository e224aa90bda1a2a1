"""SettlementEscrow (A-8, R-11): the insurer funds the escrow; paid amounts accrue per provider,
reversals recoup (a balance may go negative and nets against later accruals); settle pays the
listed providers in order as far as the balance allows; what is not paid stays outstanding and
is paid once funded: never lost, never paid twice. Amounts in token units (1 cent = 10,000).

Accruals and recoupments are driven directly by an account holding ENGINE (`engine_account`)."""
import brownie
import pytest

from tests.contracts.helpers import CENT, NPI_IN, cid, claim, err, submit

A, B, C = 1234567893, 1659478212, 1982734650  # registered below with payees accounts[6..8]
UNREGISTERED = 5555555555


@pytest.fixture(scope="module")
def payees(providers, plan_manager, accounts):
    registered = {A: accounts[6], B: accounts[7], C: accounts[8]}
    providers.register(list(registered), [(True, True, p) for p in registered.values()], {"from": plan_manager})
    return registered


@pytest.fixture(scope="module")
def ledger(escrow, payees, engine_account):
    """Accrue / recoup as the engine does, by provider NPI."""
    class Ledger:
        def accrue(self, npi, amount, claim_id="CX"):
            return escrow.accrue(npi, cid(claim_id), amount, {"from": engine_account})

        def recoup(self, npi, amount, claim_id="CX"):
            return escrow.recoup(npi, cid(claim_id), amount, {"from": engine_account})

    return Ledger()


def fund(token, escrow, treasurer, amount):
    token.mint(treasurer, amount, {"from": treasurer})
    token.approve(escrow, amount, {"from": treasurer})
    return escrow.fund(amount, {"from": treasurer})


def settle(escrow, treasurer, *npis):
    """Settles and returns (total paid as returned by the call, [(npi, payee, amount, outstanding)])."""
    paid = escrow.settle.call(list(npis), {"from": treasurer})
    tx = escrow.settle(list(npis), {"from": treasurer})
    rows = [(e["npi"], e["payee"], e["amount"], e["outstanding"]) for e in tx.events["ProviderPaid"]] \
        if "ProviderPaid" in tx.events else []
    assert sum(r[2] for r in rows) == paid
    return paid, rows


def assert_outstanding_is_sum_of_positive_balances(escrow, npis=(A, B, C, UNREGISTERED)):
    """A-8: totalOutstanding is what the escrow owes, the sum of the positive balances."""
    assert escrow.totalOutstanding() == sum(max(0, escrow.owed(n)) for n in npis)


# ------------------------------------------------------------------------------ funding


def test_fund_moves_tokens_into_the_escrow(escrow, token, treasurer):
    """A-8: the treasurer funds the escrow with the settlement token: Funded(from, amount)."""
    tx = fund(token, escrow, treasurer, 500 * CENT)
    ev = tx.events["Funded"][0]
    assert (ev["from"], ev["amount"]) == (treasurer, 500 * CENT)
    assert token.balanceOf(escrow) == 500 * CENT and token.balanceOf(treasurer) == 0
    assert escrow.token() == token and token.decimals() == 6


def test_fund_zero_is_refused(escrow, treasurer):
    """A-8: funding nothing is an error: ZeroAmount."""
    with brownie.reverts(err("ZeroAmount")):
        escrow.fund(0, {"from": treasurer})


def test_fund_needs_an_allowance(escrow, token, treasurer):
    """A-8: the escrow pulls only what the treasurer approved (OZ ERC20InsufficientAllowance)."""
    token.mint(treasurer, 100, {"from": treasurer})
    with brownie.reverts(err("ERC20InsufficientAllowance", escrow, 0, 100)):
        escrow.fund(100, {"from": treasurer})


# ------------------------------------------------------------------------------ accrue / recoup


def test_accrue_and_recoup_net_per_provider(escrow, ledger):
    """R-11: owed = accrued - recouped - paidOut, per provider; events carry npi, claim, amount."""
    tx = ledger.accrue(A, 100 * CENT, "C1")
    ev = tx.events["Accrued"][0]
    assert (ev["npi"], bytes(ev["claimId"]), ev["amount"]) == (A, cid("C1"), 100 * CENT)
    ledger.accrue(A, 50 * CENT, "C2")
    tx = ledger.recoup(A, 30 * CENT, "C1")
    ev = tx.events["Recouped"][0]
    assert (ev["npi"], bytes(ev["claimId"]), ev["amount"]) == (A, cid("C1"), 30 * CENT)
    assert tuple(escrow.account(A)) == (150 * CENT, 30 * CENT, 0)
    assert escrow.owed(A) == 120 * CENT and escrow.owed(B) == 0
    assert escrow.totalOutstanding() == 120 * CENT


def test_balance_may_go_negative_and_nets_later(escrow, ledger):
    """R-11: a recoupment larger than the balance leaves it negative (not outstanding); later
    accruals first make up for it."""
    ledger.accrue(A, 50 * CENT)
    ledger.recoup(A, 80 * CENT)
    assert escrow.owed(A) == -30 * CENT
    assert escrow.totalOutstanding() == 0
    ledger.accrue(A, 20 * CENT)
    assert escrow.owed(A) == -10 * CENT and escrow.totalOutstanding() == 0
    ledger.accrue(A, 100 * CENT)
    assert escrow.owed(A) == 90 * CENT and escrow.totalOutstanding() == 90 * CENT


# ------------------------------------------------------------------------------ settle


def test_settle_pays_what_is_owed(escrow, token, treasurer, ledger, payees):
    """A-8: settle sends each listed provider's balance to its payee: ProviderPaid(npi, payee,
    amount, outstanding 0)."""
    ledger.accrue(A, 100 * CENT)
    ledger.accrue(B, 40 * CENT)
    fund(token, escrow, treasurer, 1000 * CENT)
    paid, rows = settle(escrow, treasurer, A, B)
    assert paid == 140 * CENT
    assert rows == [(A, payees[A], 100 * CENT, 0), (B, payees[B], 40 * CENT, 0)]
    assert token.balanceOf(payees[A]) == 100 * CENT and token.balanceOf(payees[B]) == 40 * CENT
    assert tuple(escrow.account(A)) == (100 * CENT, 0, 100 * CENT)
    assert escrow.owed(A) == 0 and escrow.totalOutstanding() == 0
    assert token.balanceOf(escrow) == 860 * CENT


def test_short_escrow_pays_in_order_and_keeps_the_rest_outstanding(escrow, token, treasurer, ledger, payees):
    """A-8 / R-11: with 120 in the escrow and 100 + 50 owed, the first listed is paid in full,
    the second 20 with 30 outstanding; after funding 30 more, only the 30 is paid; a third
    settle pays nothing: never twice."""
    ledger.accrue(A, 100 * CENT)
    ledger.accrue(B, 50 * CENT)
    fund(token, escrow, treasurer, 120 * CENT)
    paid, rows = settle(escrow, treasurer, A, B)
    assert rows == [(A, payees[A], 100 * CENT, 0), (B, payees[B], 20 * CENT, 30 * CENT)]
    assert escrow.owed(B) == 30 * CENT and escrow.totalOutstanding() == 30 * CENT
    assert token.balanceOf(escrow) == 0
    assert_outstanding_is_sum_of_positive_balances(escrow)

    assert settle(escrow, treasurer, A, B) == (0, [])  # nothing in the escrow: nothing paid
    assert escrow.totalOutstanding() == 30 * CENT

    fund(token, escrow, treasurer, 30 * CENT)
    paid, rows = settle(escrow, treasurer, A, B)
    assert rows == [(B, payees[B], 30 * CENT, 0)]
    assert settle(escrow, treasurer, A, B) == (0, [])
    assert token.balanceOf(payees[A]) == 100 * CENT and token.balanceOf(payees[B]) == 50 * CENT
    assert escrow.totalOutstanding() == 0


def test_settle_order_is_the_listed_order(escrow, token, treasurer, ledger, payees):
    """R-11: "in order": the list decides who is paid first when funds are short."""
    ledger.accrue(A, 100 * CENT)
    ledger.accrue(B, 50 * CENT)
    fund(token, escrow, treasurer, 60 * CENT)
    _, rows = settle(escrow, treasurer, B, A)
    assert rows == [(B, payees[B], 50 * CENT, 0), (A, payees[A], 10 * CENT, 90 * CENT)]
    assert_outstanding_is_sum_of_positive_balances(escrow)


def test_settle_skips_negative_and_unlisted_balances(escrow, token, treasurer, ledger, payees):
    """R-11: a provider whose recoupments exceed its accruals is owed nothing and skipped; a
    provider not listed is not paid; its balance stays outstanding."""
    ledger.accrue(A, 50 * CENT)
    ledger.recoup(A, 80 * CENT)
    ledger.accrue(B, 40 * CENT)
    ledger.accrue(C, 25 * CENT)
    fund(token, escrow, treasurer, 100 * CENT)
    _, rows = settle(escrow, treasurer, A, B)
    assert rows == [(B, payees[B], 40 * CENT, 0)]
    assert escrow.owed(A) == -30 * CENT and escrow.owed(C) == 25 * CENT
    assert escrow.totalOutstanding() == 25 * CENT
    # A's later accrual first makes up the negative balance
    ledger.accrue(A, 100 * CENT)
    _, rows = settle(escrow, treasurer, A, C)
    assert rows == [(A, payees[A], 60 * CENT, 10 * CENT)]  # 70 owed, 60 left in the escrow
    assert_outstanding_is_sum_of_positive_balances(escrow)


def test_recoup_after_payment_nets_against_next_accruals(escrow, token, treasurer, ledger, payees):
    """R-11: a payment already made and then reversed is recouped from what the provider is
    owed next: 100 paid, 100 recouped, 150 accrued -> 50 paid."""
    fund(token, escrow, treasurer, 1000 * CENT)
    ledger.accrue(A, 100 * CENT)
    settle(escrow, treasurer, A)
    ledger.recoup(A, 100 * CENT)
    assert escrow.owed(A) == -100 * CENT and escrow.totalOutstanding() == 0
    ledger.accrue(A, 150 * CENT)
    assert escrow.totalOutstanding() == 50 * CENT
    _, rows = settle(escrow, treasurer, A)
    assert rows == [(A, payees[A], 50 * CENT, 0)]
    assert token.balanceOf(payees[A]) == 150 * CENT
    assert tuple(escrow.account(A)) == (250 * CENT, 100 * CENT, 150 * CENT)


def test_provider_listed_twice_is_paid_once(escrow, token, treasurer, ledger, payees):
    """A-8: never paid twice, even when listed twice in one settle."""
    ledger.accrue(A, 100 * CENT)
    fund(token, escrow, treasurer, 1000 * CENT)
    _, rows = settle(escrow, treasurer, A, A)
    assert rows == [(A, payees[A], 100 * CENT, 0)]
    assert token.balanceOf(payees[A]) == 100 * CENT


def test_owed_provider_without_payee_stops_settle(escrow, token, treasurer, ledger):
    """A-8: an amount owed to an NPI with no registered payee cannot be sent:
    ProviderUnknown(npi), and nothing of that settle is paid; unlisted, the others are paid."""
    ledger.accrue(A, 10 * CENT)
    ledger.accrue(UNREGISTERED, 10 * CENT)
    fund(token, escrow, treasurer, 100 * CENT)
    with brownie.reverts(err("ProviderUnknown", UNREGISTERED)):
        escrow.settle([A, UNREGISTERED], {"from": treasurer})
    assert escrow.owed(A) == 10 * CENT
    settle(escrow, treasurer, A)
    assert escrow.owed(A) == 0 and escrow.totalOutstanding() == 10 * CENT


def test_outstanding_tracks_every_step(escrow, token, treasurer, ledger):
    """A-8: after every accrual, recoupment and payment, totalOutstanding equals the sum of the
    positive balances (an auditor replaying the events gets the same total)."""
    steps = [
        lambda: ledger.accrue(A, 70 * CENT),
        lambda: ledger.accrue(B, 30 * CENT),
        lambda: ledger.recoup(A, 90 * CENT),
        lambda: fund(token, escrow, treasurer, 20 * CENT),
        lambda: escrow.settle([A, B, C], {"from": treasurer}),
        lambda: ledger.accrue(A, 50 * CENT),
        lambda: ledger.recoup(B, 5 * CENT),
        lambda: fund(token, escrow, treasurer, 100 * CENT),
        lambda: escrow.settle([B, A], {"from": treasurer}),
        lambda: ledger.recoup(A, 40 * CENT),
    ]
    for step in steps:
        step()
        assert_outstanding_is_sum_of_positive_balances(escrow)
    assert escrow.owed(A) == -40 * CENT and escrow.owed(B) == 0


# ------------------------------------------------------------------------------ with the engine


def test_engine_accrual_is_paid_to_the_providers_payee(loaded, escrow, token, treasurer, biller):
    """A-8 / A-1.1: a claim paid 67.00 accrues 67.00 * 10,000 token units, which settle sends to
    the provider's registered payee."""
    from claimledger.chain import payee_for

    submit(loaded, biller, claim("CX1"))
    assert escrow.owed(NPI_IN) == 67_00 * CENT
    fund(token, escrow, treasurer, 50_00 * CENT)
    paid, rows = settle(escrow, treasurer, NPI_IN)
    assert rows == [(NPI_IN, payee_for(str(NPI_IN)), 50_00 * CENT, 17_00 * CENT)]
    fund(token, escrow, treasurer, 50_00 * CENT)
    settle(escrow, treasurer, NPI_IN)
    assert token.balanceOf(payee_for(str(NPI_IN))) == 67_00 * CENT
    assert escrow.totalOutstanding() == 0
