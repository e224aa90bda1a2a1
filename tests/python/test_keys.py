"""Role keys as people keep them: encrypted keystores (Account.encrypt's format), passwords from
the environment, and a key never shown."""
import json
import subprocess
import sys

import pytest
from eth_account import Account

from claimledger import atomic
from claimledger.keys import (KeyFailed, SecretKey, keystore_env, load_keys, password_env, read_keystore,
                              refuse_dev_keys, write_keystore)
from claimledger.node import dev_private_keys

from tests.full_disk import filling_open

KEY = "0x" + "4c" * 32
ADDRESS = Account.from_key(KEY).address
FAST = 2  # scrypt n for tests; the files themselves say which n they were made with


def test_a_keystore_round_trips_and_is_the_format_geth_and_brownie_read(tmp_path):
    path = tmp_path / "biller.json"
    assert write_keystore(path, KEY, "s3cret", iterations=FAST) == ADDRESS
    document = json.loads(path.read_text())
    assert document["version"] == 3 and document["crypto"]["kdf"] == "scrypt"
    assert document["address"].lower() == ADDRESS[2:].lower()
    assert KEY[2:] not in path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert read_keystore(path, "s3cret") == KEY
    assert bytes(Account.decrypt(document, "s3cret")).hex() == KEY[2:]  # eth-account, as brownie's accounts.load


@pytest.mark.parametrize("content, message", [
    (None, "keystore file not found"), ("{", "not a JSON keystore"),
    ('{"a": 1}', "not a JSON keystore (no 'crypto' section)"),
])
def test_an_unusable_keystore_is_one_line_naming_the_file(tmp_path, content, message):
    path = tmp_path / "k.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(KeyFailed) as failure:
        read_keystore(path, "pw")
    assert str(failure.value) == f"{path}: {message}"


def test_a_wrong_password_is_said_so_and_nothing_overwrites_a_keystore(tmp_path):
    path = tmp_path / "k.json"
    write_keystore(path, KEY, "right", iterations=FAST)
    with pytest.raises(KeyFailed, match=r"k.json: wrong password$"):
        read_keystore(path, "wrong")
    with pytest.raises(KeyFailed, match="exists already; not overwritten"):
        write_keystore(path, "0x" + "11" * 32, "pw", iterations=FAST)
    assert read_keystore(path, "right") == KEY


def test_a_keystore_the_disk_had_no_room_for_is_not_left_cut_short(tmp_path, monkeypatch):
    """R-48: written whole (mode 0600 from the start) or not at all, so the next attempt can
    write it; a cut-short file would be "exists already" and unreadable for good."""
    path = tmp_path / "k.json"
    with monkeypatch.context() as patch:
        patch.setattr(atomic, "open", filling_open("k.json.tmp", 40), raising=False)
        with pytest.raises(atomic.OutputFailed, match=r"k.json: cannot write \(no space left on device\)"):
            write_keystore(path, KEY, "pw", iterations=FAST)
    assert not path.exists() and not (tmp_path / "k.json.tmp").exists()
    write_keystore(path, KEY, "pw", iterations=FAST)
    assert read_keystore(path, "pw") == KEY and oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_secret_key_shows_its_address_not_itself():
    key = SecretKey(KEY)
    assert repr(key) == f"<key of {ADDRESS}>" and KEY[2:] not in repr([key])
    assert Account.from_key(key).address == ADDRESS


def test_roles_come_from_keystores_environment_keys_or_dev_keys(tmp_path, monkeypatch):
    path = tmp_path / "treasurer.json"
    write_keystore(path, KEY, "pw", iterations=FAST)
    monkeypatch.setenv(keystore_env("treasurer"), str(path))
    monkeypatch.setenv(password_env("treasurer"), "pw")
    other = "0x" + "5d" * 32
    monkeypatch.setenv("CLAIMLEDGER_BILLER_KEY", other)
    keys, sources = load_keys()
    assert keys.treasurer == KEY and keys.biller == other and keys.admin == dev_private_keys(1)[0]
    assert [(s.role, s.source) for s in sources] == [
        ("admin", "anvil dev key"), ("plan_manager", "anvil dev key"), ("biller", "environment CLAIMLEDGER_BILLER_KEY"),
        ("reviewer", "anvil dev key"), ("treasurer", f"keystore {path}"), ("records_officer", "anvil dev key")]
    assert KEY[2:] not in repr(keys) and other[2:] not in repr(keys)
    with pytest.raises(KeyFailed) as failure:
        refuse_dev_keys(sources, 8453)
    assert str(failure.value) == ("the admin would sign with anvil's public dev key on chain 8453: set "
                                  "CLAIMLEDGER_ADMIN_KEYSTORE (or CLAIMLEDGER_ADMIN_KEY)")
    refuse_dev_keys(sources, 31337)  # a dev chain: the dev keys are what it has
    refuse_dev_keys(sources, 8453, ("treasurer", "biller"))


def test_a_keystore_without_a_password_off_a_terminal_says_which_variables(tmp_path, monkeypatch):
    path = tmp_path / "admin.json"
    write_keystore(path, KEY, "pw", iterations=FAST)
    monkeypatch.setenv(keystore_env("admin"), str(path))
    monkeypatch.delenv("CLAIMLEDGER_KEYSTORE_PASSWORD", raising=False)
    monkeypatch.setattr(sys, "stdin", open("/dev/null"))
    with pytest.raises(KeyFailed) as failure:
        load_keys()
    assert str(failure.value) == (f"{path}: no password (set CLAIMLEDGER_ADMIN_PASSWORD or "
                                  "CLAIMLEDGER_KEYSTORE_PASSWORD, or run on a terminal)")


def test_the_keys_commands_never_print_a_key(tmp_path):
    """`keys import` of an environment key, `keys list` with it as a keystore, and a failing
    command: the key appears in no output."""
    env = {"PATH": "/usr/bin:/bin", "CLAIMLEDGER_IMPORT": KEY, "CLAIMLEDGER_KEYSTORE_PASSWORD": "pw",
           "HOME": str(tmp_path)}
    cli = [sys.executable, "-m", "claimledger.cli"]
    path = tmp_path / "biller.json"
    outputs = []
    for argv, extra in ((["keys", "import", str(path), "--key-env", "CLAIMLEDGER_IMPORT"], {}),
                        (["keys", "list"], {"CLAIMLEDGER_BILLER_KEYSTORE": str(path)}),
                        (["keys", "list"], {"CLAIMLEDGER_BILLER_KEYSTORE": str(path), "CLAIMLEDGER_KEYSTORE_PASSWORD": "no"}),
                        (["deploy", "--rpc", "http://127.0.0.1:9", "--out", str(tmp_path / "d")],
                         {"CLAIMLEDGER_ADMIN_KEY": KEY})):
        done = subprocess.run([*cli, *argv], capture_output=True, text=True, env={**env, **extra}, timeout=120)
        outputs.append((done.returncode, done.stdout, done.stderr))
    assert outputs[0][:2] == (0, f"wrote {path}: keystore of {ADDRESS}\n")
    assert f"biller        {ADDRESS}  keystore {path}" in outputs[1][1].splitlines()
    assert outputs[2][0] == 1 and outputs[2][2] == f"claimledger: {path}: wrong password\n"
    assert outputs[3][0] == 1 and outputs[3][2] == "claimledger: no JSON-RPC node answers at http://127.0.0.1:9\n"
    for _code, out, err in outputs:
        assert KEY[2:].lower() not in (out + err).lower()
