"""Keyed pseudonyms (R-30..R-33, claimledger/privacy/pseudonyms.py): ids of persons go on chain
as HMACs under the deployment's secret with a salt per member and per family, from a key store
of mode 0600 that lists no id in clear; the same id always gives the same pseudonym, from any
process; forgetting a member destroys its salts and nothing else."""
import os
import stat

import pytest
from eth_utils import keccak

from claimledger.privacy.pseudonyms import (
    KEYSTORE_ENV, KEYSTORE_FILE, PseudonymError, Pseudonyms, keystore_of, new_keystore,
)


@pytest.fixture
def store(tmp_path):
    return Pseudonyms.create(tmp_path / KEYSTORE_FILE)


def test_ids_are_keyed_and_stable_across_processes(store, tmp_path):
    member, family, claim, auth = (store.member("JS00111223333"), store.family("JS00111223333"),
                                   store.claim("PA-0001"), store.authorization("AUTH-1"))
    assert len({member, family, claim, auth, keccak(text="JS00111223333")}) == 5
    store.commit()
    again = Pseudonyms.open(tmp_path / KEYSTORE_FILE)
    assert (again.member("JS00111223333"), again.family("JS00111223333"), again.claim("PA-0001"),
            again.authorization("AUTH-1")) == (member, family, claim, auth)


def test_each_member_has_a_salt_of_its_own(store):
    """Two members' pseudonyms share nothing a dictionary attack could use: the same secret,
    other salts; claim ids take the secret alone (R-31), so equal ids meet."""
    assert store.member("M1") != store.member("M2")
    other = Pseudonyms.in_memory()
    assert other.member("M1") != store.member("M1") and other.claim("C1") != store.claim("C1")
    assert store.claim("C1") == store.claim("C1")


def test_the_key_store_is_private_and_lists_no_id(store, tmp_path):
    store.member("JS00111223333")
    store.commit()
    path = tmp_path / KEYSTORE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert b"JS00111223333" not in path.read_bytes()
    assert "JS0011" not in repr(store) and path.read_text().split()[2] not in repr(store)
    path.chmod(0o644)
    with pytest.raises(PseudonymError) as refused:
        Pseudonyms.open(path)
    assert str(refused.value) == f"{path}: pseudonym key store readable by others (mode 644): chmod 600 {path}"
    with pytest.raises(PseudonymError) as missing:
        Pseudonyms.open(tmp_path / "none.keys")
    assert str(missing.value) == f"{tmp_path / 'none.keys'}: no pseudonym key store (the deployment's ids cannot be computed)"


def test_two_commands_on_one_store_agree_on_a_new_member(store, tmp_path):
    """A salt made by one process is the one the other uses (appended under the file's lock)."""
    first, second = Pseudonyms.open(tmp_path / KEYSTORE_FILE), Pseudonyms.open(tmp_path / KEYSTORE_FILE)
    assert first.member("NEW") == second.member("NEW") == store.member("NEW")


def test_forgetting_a_member_destroys_its_salts_only(store, tmp_path):
    kept, gone = store.member("M2"), store.member("M1")
    store.family("M1")
    store.commit()
    other = Pseudonyms.open(tmp_path / KEYSTORE_FILE)  # a command holding the store open meanwhile
    assert other.member("M1") == gone
    assert store.forget("M1") == ["member", "family"]
    assert store.find_member("M1") is None and store.find_member("M2") == kept
    reopened = Pseudonyms.open(tmp_path / KEYSTORE_FILE)
    assert reopened.find_member("M1") is None and reopened.member("M2") == kept
    assert reopened.member("M1") != gone  # seen again: a new member, a new pseudonym
    assert store.forget("NEVER") == []
    other._merge()
    assert other.find_member("M1") == reopened.member("M1")  # the replaced file is read anew


def test_unkeyed_ids_are_keccak_for_contract_tests_only():
    plain = Pseudonyms.unkeyed()
    assert plain.member("M100") == plain.claim("M100") == keccak(text="M100")
    with pytest.raises(PseudonymError):
        plain.forget("M100")


def test_a_new_deployment_takes_the_environments_store_or_a_new_one(tmp_path, monkeypatch):
    old = Pseudonyms.create(tmp_path / "run" / KEYSTORE_FILE)
    fresh = new_keystore(tmp_path / "run")  # a fresh run into the same directory
    assert fresh.claim("C1") != old.claim("C1")
    shared = tmp_path / "vault" / "ids.keys"
    monkeypatch.setenv(KEYSTORE_ENV, str(shared))
    first = new_keystore(tmp_path / "a")
    assert new_keystore(tmp_path / "b").claim("C1") == first.claim("C1") and shared.is_file()
    assert keystore_of(tmp_path / "run", {"deployment": str(tmp_path / "dep")}) == shared
    monkeypatch.delenv(KEYSTORE_ENV)
    assert keystore_of(tmp_path / "run", {"deployment": str(tmp_path / "dep")}) == tmp_path / "dep" / KEYSTORE_FILE
    assert not os.path.exists(tmp_path / "a" / KEYSTORE_FILE)
