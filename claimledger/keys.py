"""Role keys as people keep them: encrypted JSON keystores, or raw keys in the environment.

A role's key comes, first found, from
1. ``CLAIMLEDGER_<ROLE>_KEYSTORE``: a keystore file (the Web3 Secret Storage format that geth,
   brownie's ``accounts.load`` and eth-account's ``Account.encrypt`` write), unlocked with the
   password in ``CLAIMLEDGER_<ROLE>_PASSWORD``, else ``CLAIMLEDGER_KEYSTORE_PASSWORD``, else
   asked for on the terminal;
2. ``CLAIMLEDGER_<ROLE>_KEY``: 64 hex digits (dev use);
3. anvil's public dev key, on a dev chain only (:func:`refuse_dev_keys` elsewhere).

A key is never printed, logged or written: :class:`SecretKey` hides it from ``repr``, errors
name the variable or the file, never the value.
"""
from __future__ import annotations

import getpass
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account

from .atomic import atomic_output
from .chain import Keys, role_key_env
from .node import dev_private_keys

ROLES = tuple(Keys.__dataclass_fields__)  # admin, plan_manager, biller, reviewer, treasurer
SHARED_PASSWORD_ENV = "CLAIMLEDGER_KEYSTORE_PASSWORD"
DEV_CHAIN_IDS = frozenset({31337, 1337})  # anvil and hardhat; geth --dev and ganache
KDF_ITERATIONS = 262_144  # scrypt n of geth's standard keystores


class KeyFailed(RuntimeError):
    """A key could not be had: one-line reason that names where it was looked for."""


class SecretKey(str):
    """A private key (0x + 64 hex digits) that does not show itself in ``repr``: a traceback,
    a debugger or a dataclass's repr shows the address it signs for instead."""

    def __repr__(self) -> str:
        return f"<key of {Account.from_key(str(self)).address}>"


def keystore_env(role: str) -> str:
    return f"CLAIMLEDGER_{role.upper()}_KEYSTORE"


def password_env(role: str) -> str:
    return f"CLAIMLEDGER_{role.upper()}_PASSWORD"


@dataclass(frozen=True)
class KeySource:
    """Where a role's key came from, for display: never the key."""

    role: str
    address: str
    source: str  # "keystore PATH", "environment VAR", "anvil dev key"


def read_keystore(path: Path, password: str) -> SecretKey:
    """The key in keystore file ``path``; one-line errors for a missing file, a file that is
    not a keystore and a wrong password."""
    try:
        document = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise KeyFailed(f"{path}: keystore file not found") from None
    except (OSError, ValueError):
        raise KeyFailed(f"{path}: not a JSON keystore") from None
    if not isinstance(document, dict) or not ({"crypto", "Crypto"} & document.keys()):
        raise KeyFailed(f"{path}: not a JSON keystore (no 'crypto' section)")
    try:
        raw = Account.decrypt(document, password)
    except ValueError as exc:
        reason = "wrong password" if "MAC" in str(exc) else "cannot be decrypted"
        raise KeyFailed(f"{path}: {reason}") from None
    except Exception:  # noqa: BLE001 - malformed crypto parameters: the message might quote them
        raise KeyFailed(f"{path}: not a valid keystore") from None
    return SecretKey("0x" + bytes(raw).hex())


def write_keystore(path: Path, private_key: str, password: str, iterations: int = KDF_ITERATIONS) -> str:
    """Encrypts ``private_key`` into a new keystore file (mode 0600); returns its address.
    Refuses to overwrite a file."""
    if not password:
        raise KeyFailed("refusing to write a keystore with an empty password")
    document = Account.encrypt(private_key, password, iterations=iterations)
    path = Path(path)
    try:  # whole or absent, never a key file cut short that blocks the next attempt
        with atomic_output(path, private=True, exclusive=True) as fh:
            json.dump(document, fh)
    except FileExistsError:
        raise KeyFailed(f"{path}: exists already; not overwritten") from None
    return Account.from_key(private_key).address


def keystore_password(role: str | None, path: Path, confirm: bool = False) -> str:
    """The password for ``role``'s keystore: its environment variable, the shared one, or a
    prompt on the terminal (twice with ``confirm``)."""
    for var in ([password_env(role)] if role else []) + [SHARED_PASSWORD_ENV]:
        if os.environ.get(var):
            return os.environ[var]
    if not sys.stdin.isatty():
        named = f"{password_env(role)} or " if role else ""
        raise KeyFailed(f"{path}: no password (set {named}{SHARED_PASSWORD_ENV}, or run on a terminal)")
    password = getpass.getpass(f"password for {path}: ")
    if confirm and getpass.getpass("again: ") != password:
        raise KeyFailed("the passwords differ")
    return password


def load_keys(key_env: str | None = None, role: str = "biller") -> tuple[Keys, list[KeySource]]:
    """Every role's key (see the module's docstring) and where each came from; ``role``'s from
    the environment variable ``key_env`` when one is named (``--key-env``)."""
    keys = Keys.from_env(key_env, role)  # raw environment keys, else the dev keys
    dev = dict(zip(ROLES, dev_private_keys(len(ROLES))))
    sources = []
    for name in ROLES:
        path = os.environ.get(keystore_env(name))
        if key_env and name == role:
            source = f"environment {key_env}"
        elif path:
            setattr(keys, name, read_keystore(Path(path), keystore_password(name, Path(path))))
            source = f"keystore {path}"
        elif os.environ.get(role_key_env(name)):
            source = f"environment {role_key_env(name)}"
        else:
            source = "anvil dev key" if getattr(keys, name) == dev[name] else "environment"
        setattr(keys, name, SecretKey(getattr(keys, name)))
        sources.append(KeySource(name, Account.from_key(getattr(keys, name)).address, source))
    return keys, sources


def refuse_dev_keys(sources: list[KeySource], chain_id: int, roles: tuple[str, ...] = ROLES) -> None:
    """Anvil's dev keys are public: on a chain that is not a dev chain, whatever they hold
    is anyone's. Refuses when one of ``roles`` would sign with one there."""
    if chain_id in DEV_CHAIN_IDS:
        return
    for source in sources:
        if source.role in roles and source.source == "anvil dev key":
            raise KeyFailed(f"the {source.role} would sign with anvil's public dev key on chain {chain_id}: "
                            f"set {keystore_env(source.role)} (or {role_key_env(source.role)})")
