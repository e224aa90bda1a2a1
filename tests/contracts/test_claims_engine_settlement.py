"""Settlement (A-8, R-11) in the engine: the treasurer funds it with the settlement token; paid
amounts accrue per provider as claims are adjudicated, reversals recoup (a balance may go
negative and nets against later accruals); settle pays the listed providers in order as far as
the balance allows (SafeERC20); what is not paid stays outstanding and is paid once funded:
never lost, never paid twice. Amounts in token units (1 cent = 10,000).

Accruals come from claims of plan PAY (no deductible, no coinsurance, no copay: a line pays
what it bills) for member MP; recoupments from voiding them."""
import itertools

import brownie
import pytest

from tests.contracts.helpers import (
    CENT, NPI_IMAGING, NPI_IN, NPI_ORTHO, account, claim, create_plan, enroll, err, fee, names, only,
    outcome, submit, terms, void,
)

A, B, C = NPI_IN, NPI_IMAGING, NPI_ORTHO  # re-registered below with payees accounts[6..8]
UNREGISTERED = 5555555555


@pytest.fixture(scope="module")
def payees(loaded, plan_manager, accounts):
    registered = {A: accounts[6], B: accounts[7], C: accounts[8]}
    loaded.registerProviders(list(registered), [(True, True, p) for p in registered.values()], {"from": plan_manager})
    create_plan(loaded, plan_manager, "PAY", plan_terms=terms(
        deductibleIndividual=0, deductibleFamily=0, coinsuranceBps=0, outOfNetworkCoinsuranceBps=0,
        timelyFilingDays=3650), fees={"PAY1": fee(10**9, "payment")})
    enroll(loaded, plan_manager, "MP", "SP", "PAY")
    return registered


@pytest.fixture
def ledger(loaded, payees, biller):
    """Accrues by adjudicating a claim that pays `cents`; recoups by voiding it."""
    class Ledger:
        ids = itertools.count(1)

        def accrue(self, npi, cents):
            n = next(self.ids)
            claim_id = f"P{n}"
            self.last = claim(claim_id, member="MP", npi=npi, received="2026-12-31",
                              lines=[("2026-01-01", "PAY1", 1, cents * 100 + n)])  # unique: never CO-18
            o = outcome(submit(loaded, biller, self.last))
            assert o.paid == cents * 100 + n
            return claim_id, o.paid

        def recoup(self, npi, claim_id):
            return submit(loaded, biller, void(f"V-{claim_id}", claim_id, member="MP", npi=npi,
                                               received="2026-12-31"))

    return Ledger()


def fund(token, engine, treasurer, amount):
    token.mint(treasurer, amount, {"from": treasurer})
    token.approve(engine, amount, {"from": treasurer})
    return engine.fund(amount, {"from": treasurer})


def settle(engine, treasurer, *npis):
    """Settles and returns (total paid as returned by the call, [(npi, payee, amount, outstanding)])."""
    paid = engine.settle.call(list(npis), {"from": treasurer})
    tx = engine.settle(list(npis), {"from": treasurer})
    rows = [(e["npi"], e["payee"], e["amount"], e["outstanding"]) for e in tx.events["ProviderPaid"]] \
        if "ProviderPaid" in tx.events else []
    assert sum(r[2] for r in rows) == paid
    return paid, rows


def assert_outstanding_is_sum_of_positive_balances(engine, npis=(A, B, C, UNREGISTERED)):
    """A-8: totalOutstanding is what the escrow owes, the sum of the positive balances."""
    assert engine.totalOutstanding() == sum(max(0, engine.owed(n)) for n in npis)


# ------------------------------------------------------------------------------ funding


def test_fund_moves_tokens_into_the_engine(loaded, token, treasurer):
    """A-8: the treasurer funds the escrow with the settlement token: Funded(from, amount)."""
    tx = fund(token, loaded, treasurer, 500 * CENT)
    ev = tx.events["Funded"][0]
    assert (ev["from"], ev["amount"]) == (treasurer, 500 * CENT)
    assert token.balanceOf(loaded) == 500 * CENT and token.balanceOf(treasurer) == 0
    assert loaded.token() == token and token.decimals() == 6


def test_fund_zero_is_refused(loaded, treasurer):
    """A-8: funding nothing is an error: ZeroAmount."""
    with brownie.reverts(err("ZeroAmount")):
        loaded.fund(0, {"from": treasurer})


def test_fund_needs_an_allowance_and_a_balance(loaded, token, treasurer):
    """A-8: the engine pulls only what the treasurer approved and holds (SafeERC20 over OZ
    ERC20: ERC20InsufficientAllowance, ERC20InsufficientBalance); nothing moves."""
    token.mint(treasurer, 100, {"from": treasurer})
    with brownie.reverts(err("ERC20InsufficientAllowance", loaded, 0, 100)):
        loaded.fund(100, {"from": treasurer})
    token.approve(loaded, 1000, {"from": treasurer})
    with brownie.reverts(err("ERC20InsufficientBalance", treasurer, 100, 1000)):
        loaded.fund(1000, {"from": treasurer})
    assert token.balanceOf(loaded) == 0 and token.balanceOf(treasurer) == 100


# ------------------------------------------------------------------------------ accrue / recoup


def test_accrue_and_recoup_net_per_provider(loaded, ledger):
    """R-11: owed = accrued - recouped - paidOut, per provider."""
    first, paid_1 = ledger.accrue(A, 100)
    _, paid_2 = ledger.accrue(A, 50)
    ledger.recoup(A, first)
    assert account(loaded, A) == ((paid_1 + paid_2) * CENT, paid_1 * CENT, 0)
    assert loaded.owed(A) == paid_2 * CENT and loaded.owed(B) == 0
    assert loaded.totalOutstanding() == paid_2 * CENT


def test_balance_may_go_negative_and_nets_later(loaded, token, treasurer, ledger, payees):
    """R-11: recouping a payment already made leaves the balance negative (not outstanding);
    later accruals first make up for it."""
    paid_claim, p1 = ledger.accrue(A, 80)  # 80.01
    fund(token, loaded, treasurer, 1000_00 * CENT)
    settle(loaded, treasurer, A)
    ledger.recoup(A, paid_claim)
    assert loaded.owed(A) == -80_01 * CENT
    assert loaded.totalOutstanding() == 0
    _, p2 = ledger.accrue(A, 20)  # 20.02
    assert loaded.owed(A) == -59_99 * CENT and loaded.totalOutstanding() == 0
    _, p3 = ledger.accrue(A, 100)  # 100.03
    assert loaded.owed(A) == 40_04 * CENT and loaded.totalOutstanding() == 40_04 * CENT
    assert (p1, p2, p3) == (80_01, 20_02, 100_03)


# ------------------------------------------------------------------------------ settle


def test_settle_pays_what_is_owed(loaded, token, treasurer, ledger, payees):
    """A-8: settle sends each listed provider's balance to its payee: ProviderPaid(npi, payee,
    amount, outstanding 0)."""
    ledger.accrue(A, 100)  # 100.01
    ledger.accrue(B, 40)  # 40.02
    fund(token, loaded, treasurer, 1000_00 * CENT)
    paid, rows = settle(loaded, treasurer, A, B)
    assert paid == 140_03 * CENT
    assert rows == [(A, payees[A], 100_01 * CENT, 0), (B, payees[B], 40_02 * CENT, 0)]
    assert token.balanceOf(payees[A]) == 100_01 * CENT and token.balanceOf(payees[B]) == 40_02 * CENT
    assert account(loaded, A) == (100_01 * CENT, 0, 100_01 * CENT)
    assert loaded.owed(A) == 0 and loaded.totalOutstanding() == 0
    assert token.balanceOf(loaded) == 859_97 * CENT


def test_short_escrow_pays_in_order_and_keeps_the_rest_outstanding(loaded, token, treasurer, ledger, payees):
    """A-8 / R-11: with 120.00 in the escrow and 100.01 + 50.02 owed, the first listed is paid in
    full, the second 19.99 with 30.03 outstanding; after funding 30.03 more, only that is paid;
    a third settle pays nothing: never twice."""
    ledger.accrue(A, 100)
    ledger.accrue(B, 50)
    fund(token, loaded, treasurer, 120_00 * CENT)
    _, rows = settle(loaded, treasurer, A, B)
    assert rows == [(A, payees[A], 100_01 * CENT, 0), (B, payees[B], 19_99 * CENT, 30_03 * CENT)]
    assert loaded.owed(B) == 30_03 * CENT and loaded.totalOutstanding() == 30_03 * CENT
    assert token.balanceOf(loaded) == 0
    assert_outstanding_is_sum_of_positive_balances(loaded)

    assert settle(loaded, treasurer, A, B) == (0, [])  # nothing in the escrow: nothing paid
    assert loaded.totalOutstanding() == 30_03 * CENT

    fund(token, loaded, treasurer, 30_03 * CENT)
    _, rows = settle(loaded, treasurer, A, B)
    assert rows == [(B, payees[B], 30_03 * CENT, 0)]
    assert settle(loaded, treasurer, A, B) == (0, [])
    assert token.balanceOf(payees[A]) == 100_01 * CENT and token.balanceOf(payees[B]) == 50_02 * CENT
    assert loaded.totalOutstanding() == 0


def test_settle_order_is_the_listed_order(loaded, token, treasurer, ledger, payees):
    """R-11: "in order": the list decides who is paid first when funds are short."""
    ledger.accrue(A, 100)  # 100.01
    ledger.accrue(B, 50)  # 50.02
    fund(token, loaded, treasurer, 60_00 * CENT)
    _, rows = settle(loaded, treasurer, B, A)
    assert rows == [(B, payees[B], 50_02 * CENT, 0), (A, payees[A], 9_98 * CENT, 90_03 * CENT)]
    assert_outstanding_is_sum_of_positive_balances(loaded)


def test_settle_pays_whole_cents_and_leaves_the_dust(loaded, token, treasurer, ledger, payees):
    """A-1.1 / A-8: the escrow pays in cents: 1.5 cents of tokens pay 1 cent of the 1.01 owed;
    the half cent stays in the escrow, 1.00 stays outstanding."""
    ledger.accrue(A, 1)  # 1.01
    fund(token, loaded, treasurer, 15_000)
    _, rows = settle(loaded, treasurer, A)
    assert rows == [(A, payees[A], 1 * CENT, 1_00 * CENT)]
    assert token.balanceOf(loaded) == 5_000 and loaded.owed(A) == 1_00 * CENT


def test_settle_skips_negative_unregistered_and_unlisted_balances(loaded, token, treasurer, ledger, payees):
    """R-11: a provider whose recoupments exceed its accruals is owed nothing and skipped, so is
    an NPI owed nothing (even unregistered); a provider not listed is not paid; its balance
    stays outstanding."""
    fund(token, loaded, treasurer, 50_01 * CENT)
    paid_claim, _ = ledger.accrue(A, 50)  # 50.01, paid below, then recouped: -50.01
    settle(loaded, treasurer, A)
    ledger.recoup(A, paid_claim)
    ledger.accrue(B, 40)  # 40.02
    ledger.accrue(C, 25)  # 25.03
    fund(token, loaded, treasurer, 100_00 * CENT)
    _, rows = settle(loaded, treasurer, A, UNREGISTERED, B)
    assert rows == [(B, payees[B], 40_02 * CENT, 0)]
    assert loaded.owed(A) == -50_01 * CENT and loaded.owed(C) == 25_03 * CENT
    assert loaded.totalOutstanding() == 25_03 * CENT
    # A's later accrual first makes up the negative balance: 100.04 - 50.01 = 50.03
    ledger.accrue(A, 100)
    _, rows = settle(loaded, treasurer, A, C)
    assert rows == [(A, payees[A], 50_03 * CENT, 0), (C, payees[C], 9_95 * CENT, 15_08 * CENT)]
    assert_outstanding_is_sum_of_positive_balances(loaded)


def test_recoup_after_payment_nets_against_next_accruals(loaded, token, treasurer, ledger, payees):
    """R-11: a payment already made and then reversed is recouped from what the provider is
    owed next: 100.01 paid, 100.01 recouped, 150.02 accrued -> 50.01 paid."""
    fund(token, loaded, treasurer, 1000_00 * CENT)
    paid_claim, _ = ledger.accrue(A, 100)
    settle(loaded, treasurer, A)
    ledger.recoup(A, paid_claim)
    assert loaded.owed(A) == -100_01 * CENT and loaded.totalOutstanding() == 0
    ledger.accrue(A, 150)
    assert loaded.totalOutstanding() == 50_01 * CENT
    _, rows = settle(loaded, treasurer, A)
    assert rows == [(A, payees[A], 50_01 * CENT, 0)]
    assert token.balanceOf(payees[A]) == 150_02 * CENT
    assert account(loaded, A) == (250_03 * CENT, 100_01 * CENT, 150_02 * CENT)


def test_provider_listed_twice_is_paid_once(loaded, token, treasurer, ledger, payees):
    """A-8: never paid twice, even when listed twice in one settle."""
    ledger.accrue(A, 100)
    fund(token, loaded, treasurer, 1000_00 * CENT)
    _, rows = settle(loaded, treasurer, A, A)
    assert rows == [(A, payees[A], 100_01 * CENT, 0)]
    assert token.balanceOf(payees[A]) == 100_01 * CENT


def test_new_payee_is_paid_and_the_account_kept(loaded, token, treasurer, plan_manager, ledger, accounts):
    """A-2.3 / A-8: re-registering a provider keeps what it is owed; settle pays its current payee."""
    ledger.accrue(A, 100)
    loaded.registerProviders([A], [(True, True, accounts[5])], {"from": plan_manager})
    assert account(loaded, A) == (100_01 * CENT, 0, 0)
    fund(token, loaded, treasurer, 1000_00 * CENT)
    _, rows = settle(loaded, treasurer, A)
    assert rows == [(A, accounts[5], 100_01 * CENT, 0)]


def test_outstanding_tracks_every_step(loaded, token, treasurer, ledger):
    """A-8: after every accrual, recoupment and payment, totalOutstanding equals the sum of the
    positive balances (an auditor replaying the events gets the same total)."""
    claims = {}
    steps = [
        lambda: claims.setdefault("a1", ledger.accrue(A, 70)[0]),
        lambda: claims.setdefault("b1", ledger.accrue(B, 30)[0]),
        lambda: fund(token, loaded, treasurer, 20_00 * CENT),
        lambda: loaded.settle([A, B, C], {"from": treasurer}),
        lambda: ledger.recoup(A, claims["a1"]),
        lambda: claims.setdefault("a2", ledger.accrue(A, 50)[0]),
        lambda: ledger.recoup(B, claims["b1"]),
        lambda: fund(token, loaded, treasurer, 100_00 * CENT),
        lambda: loaded.settle([B, A], {"from": treasurer}),
        lambda: ledger.recoup(A, claims["a2"]),
    ]
    for step in steps:
        step()
        assert_outstanding_is_sum_of_positive_balances(loaded)
    # A: 70.01 and 50.03 accrued and recouped, 20.00 + 30.03 paid: -50.03; B: 30.02 accrued and recouped
    assert loaded.owed(A) == -50_03 * CENT and loaded.owed(B) == 0
    assert account(loaded, A) == (120_04 * CENT, 120_04 * CENT, 50_03 * CENT)


# ------------------------------------------------------------------------------ with examples/basic


def test_claim_paid_amount_reaches_the_providers_payee(loaded, token, treasurer, biller, payees):
    """A-8 / A-1.1: a claim paid 67.00 accrues 67.00 * 10,000 token units, which settle sends to
    the provider's registered payee, in two payments when the escrow is short at first."""
    submit(loaded, biller, claim("CX1"))
    assert loaded.owed(NPI_IN) == 67_00 * CENT
    fund(token, loaded, treasurer, 50_00 * CENT)
    _, rows = settle(loaded, treasurer, NPI_IN)
    assert rows == [(NPI_IN, payees[NPI_IN], 50_00 * CENT, 17_00 * CENT)]
    fund(token, loaded, treasurer, 50_00 * CENT)
    tx = loaded.settle([NPI_IN], {"from": treasurer})
    assert names(tx) == ["ProviderPaid", "Transfer"]
    transfer = only(tx, "Transfer")
    assert (transfer["from"], transfer["to"], transfer["value"]) == (loaded, payees[NPI_IN], 17_00 * CENT)
    assert token.balanceOf(payees[NPI_IN]) == 67_00 * CENT
    assert loaded.totalOutstanding() == 0 and token.balanceOf(loaded) == 33_00 * CENT
