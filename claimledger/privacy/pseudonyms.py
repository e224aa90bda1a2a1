"""Keyed pseudonyms: the on-chain key of every id that names a person or can carry one.

A member id such as ``JS00111223333`` hashed alone (``keccak(text)``) is reversed by hashing
candidates; so every id that names a person (member, subscriber) or may carry one (claim ids,
which 837 files fill with patient account numbers; authorization ids) goes on chain as an
HMAC-SHA256 under the deployment's secret, never in a transaction (docs/PRIVACY.md, R-30..R-33):

    member        HMAC(secret, "member" 0 salt(member) id)
    family        HMAC(secret, "family" 0 salt(family) subscriber id)
    claim         HMAC(secret, "claim" 0 id)
    authorization HMAC(secret, "authorization" 0 id)

Each member and each family has a random 32-byte salt of its own, made the first time its id
is seen; ``forget`` destroys a member's salts (crypto-shredding, GDPR Art. 17). Claim and
authorization ids are unique in a deployment across members (A-3, ``AuthorizationExists``),
so they take the deployment's secret alone: a reused id still meets its earlier record, and a
correction finds its original whichever member it names (R-31).

The key store is a text file of mode 0600 beside ``deployments.json`` (or where
``CLAIMLEDGER_PSEUDONYM_KEYS`` says): a header line with the secret, then one line a salt,
``index salt`` in hex, where the index is itself an HMAC of the kind and the id, so the file
lists no id in clear. New salts are appended under a file lock (so two commands on one
deployment agree) and made durable by :meth:`Pseudonyms.commit` before the pseudonym goes on
chain; ``forget`` rewrites the file without them.
"""
from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from eth_utils import keccak

from ..atomic import atomic_output

KEYSTORE_FILE = "pseudonyms.keys"
KEYSTORE_ENV = "CLAIMLEDGER_PSEUDONYM_KEYS"
HEADER = "claimledger-pseudonyms 1"
SECRET_BYTES = 32
SALTED_KINDS = (b"member", b"family")


class PseudonymError(RuntimeError):
    """The key store cannot be used: one-line reason naming the file."""


def keystore_of(directory: Path, document: dict) -> Path:
    """The key store of the deployment whose deployments.json (``document``) is in
    ``directory``: a run on a deployment that lives uses its deployment's."""
    return keystore_path(Path(document["deployment"]) if document.get("deployment") else Path(directory))


def keystore_path(directory: Path) -> Path:
    """Where the key store of the deployment in ``directory`` is: the environment's path, else
    ``directory/pseudonyms.keys``."""
    return Path(os.environ[KEYSTORE_ENV]) if os.environ.get(KEYSTORE_ENV) else Path(directory) / KEYSTORE_FILE


class Pseudonyms:
    """The id mapping of one deployment. Use :meth:`create`, :meth:`open`, :meth:`in_memory`
    or, for contract tests and synthetic benchmarks only, :meth:`unkeyed`."""

    def __init__(self, secret: bytes | None, path: Path | None = None):
        self._secret = secret
        self.path = path
        self._salts: dict[bytes, bytes] = {}
        self._cache: dict[tuple[bytes, str], bytes] = {}
        self._read_to = 0  # bytes of the file merged into _salts
        self._inode = None  # of the file merged: ``forget`` elsewhere replaces the file
        self._unsynced = False

    # ------------------------------------------------------------------ construction

    @classmethod
    def in_memory(cls) -> "Pseudonyms":
        """A fresh random secret kept in memory until :meth:`attach` writes it to a file."""
        return cls(secrets.token_bytes(SECRET_BYTES))

    @classmethod
    def unkeyed(cls) -> "Pseudonyms":
        """``keccak(id)`` for every id, as before issue 14: for contract tests and synthetic
        benchmarks, whose ids name nobody. Never for data of persons."""
        return cls(None)

    @classmethod
    def create(cls, path: Path) -> "Pseudonyms":
        ids = cls.in_memory()
        ids.attach(path)
        return ids

    @classmethod
    def open(cls, path: Path) -> "Pseudonyms":
        """The key store at ``path``; refuses a missing file, one others may read, a bad header."""
        path = Path(path)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            raise PseudonymError(f"{path}: no pseudonym key store (the deployment's ids cannot be computed)") from None
        if mode & 0o077:
            raise PseudonymError(f"{path}: pseudonym key store readable by others (mode {mode & 0o777:o}): "
                                 f"chmod 600 {path}")
        with open(path, "rb") as fh:
            header = fh.readline().decode().split()
        if len(header) != 3 or " ".join(header[:2]) != HEADER:
            raise PseudonymError(f"{path}: not a claimledger pseudonym key store")
        ids = cls(bytes.fromhex(header[2]), path)
        ids._merge()
        return ids

    def attach(self, path: Path) -> None:
        """Writes this in-memory key store to a new file of mode 0600 at ``path`` and keeps it
        there from now on. Refuses a file that exists."""
        if self._secret is None or self.path is not None:
            raise PseudonymError(f"{path}: only a keyed key store held in memory can be written")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # whole or absent
            with atomic_output(path, private=True, exclusive=True) as fh:
                fh.write(self._text(self._salts))
        except FileExistsError:
            raise PseudonymError(f"{path}: a pseudonym key store exists already; not overwritten") from None
        self.path = path
        self._read_to, self._inode = path.stat().st_size, path.stat().st_ino

    # ------------------------------------------------------------------ pseudonyms

    @property
    def keyed(self) -> bool:
        return self._secret is not None

    def member(self, member_id: str) -> bytes:
        """A member's pseudonym (made with a new salt the first time the id is seen)."""
        return self._salted(b"member", member_id, create=True)

    def family(self, subscriber_id: str) -> bytes:
        """A family's pseudonym, by its subscriber's id."""
        return self._salted(b"family", subscriber_id, create=True)

    def claim(self, claim_id: str) -> bytes:
        return self._plain(b"claim", claim_id)

    def authorization(self, auth_id: str) -> bytes:
        return self._plain(b"authorization", auth_id)

    def find_member(self, member_id: str) -> bytes | None:
        """A member's pseudonym if the key store has its salt; None (erased, or never seen)."""
        return self._salted(b"member", member_id, create=False)

    def _plain(self, kind: bytes, text: str) -> bytes:
        if self._secret is None:
            return keccak(text=text)
        return hmac.new(self._secret, kind + b"\0" + text.encode(), hashlib.sha256).digest()

    def _salted(self, kind: bytes, text: str, create: bool) -> bytes | None:
        if self._secret is None:
            return keccak(text=text)
        cached = self._cache.get((kind, text))
        if cached is not None:
            return cached
        index = self._index(kind, text)
        salt = self._salts.get(index)
        if salt is None:
            if not create:
                return None
            salt = self._new_salt(index)
        value = hmac.new(self._secret, kind + b"\0" + salt + text.encode(), hashlib.sha256).digest()
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[(kind, text)] = value
        return value

    def _index(self, kind: bytes, text: str) -> bytes:
        return hmac.new(self._secret, b"index\0" + kind + b"\0" + text.encode(), hashlib.sha256).digest()

    # ------------------------------------------------------------------ the file

    def _new_salt(self, index: bytes) -> bytes:
        """A new random salt for ``index``, appended to the file under its lock (another
        command may have made one meanwhile: then that one)."""
        if self.path is None:
            salt = self._salts[index] = secrets.token_bytes(SECRET_BYTES)
            return salt
        with open(self.path, "ab") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            self._merge()
            if index not in self._salts:
                self._salts[index] = secrets.token_bytes(SECRET_BYTES)
                fh.write(f"{index.hex()} {self._salts[index].hex()}\n".encode())
                self._read_to += 2 * SECRET_BYTES * 2 + 2
                self._unsynced = True
        return self._salts[index]

    def _merge(self) -> None:
        """Reads the lines written since this object last read the file (all of it again if
        ``forget`` replaced it meanwhile)."""
        with open(self.path, "rb") as fh:
            inode = os.fstat(fh.fileno()).st_ino
            if inode != self._inode:
                self._salts, self._read_to, self._inode = {}, 0, inode
                self._cache.clear()
            if self._read_to == 0:
                fh.readline()
            else:
                fh.seek(self._read_to)
            for line in fh:
                index, salt = line.decode().split()
                self._salts[bytes.fromhex(index)] = bytes.fromhex(salt)
            self._read_to = fh.tell()

    def commit(self) -> None:
        """Makes every salt made so far durable: called before their pseudonyms go on chain,
        so that no record on chain has a pseudonym the key store could lose."""
        if self.path is not None and self._unsynced:
            with open(self.path, "ab") as fh:
                os.fsync(fh.fileno())
            self._unsynced = False

    def forget(self, member_id: str) -> list[str]:
        """Destroys the salts of ``member_id`` (as a member, and as a subscriber: their family):
        nothing here links those pseudonyms to the id any more. Returns the kinds destroyed."""
        if self._secret is None:
            raise PseudonymError("unkeyed ids cannot be forgotten")
        doomed = {kind.decode(): self._index(kind, member_id) for kind in SALTED_KINDS}
        if self.path is None:
            gone = [kind for kind, index in doomed.items() if self._salts.pop(index, None) is not None]
        else:
            with open(self.path, "ab") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._merge()
                gone = [kind for kind, index in doomed.items() if self._salts.pop(index, None) is not None]
                if gone:
                    self._rewrite()
        self._cache.clear()
        return gone

    def _rewrite(self) -> None:
        with atomic_output(self.path, private=True) as fh:
            fh.write(self._text(self._salts))
        self._read_to, self._inode = self.path.stat().st_size, self.path.stat().st_ino
        self._unsynced = False

    def _text(self, salts: dict[bytes, bytes]) -> str:
        return f"{HEADER} {self._secret.hex()}\n" + "".join(f"{i.hex()} {s.hex()}\n" for i, s in salts.items())

    def __repr__(self) -> str:  # never the secret
        return f"<Pseudonyms {'keyed' if self.keyed else 'unkeyed'} {self.path or 'in memory'}>"


def new_keystore(directory: Path) -> Pseudonyms:
    """The key store of a new deployment written into ``directory``: the one the environment
    names if it exists (deployments that share it share pseudonyms), else a new one, replacing
    the key store of an earlier deployment that ``directory`` held (its deployments.json is
    replaced too)."""
    path = keystore_path(directory)
    if os.environ.get(KEYSTORE_ENV):
        return Pseudonyms.open(path) if path.exists() else Pseudonyms.create(path)
    path.unlink(missing_ok=True)
    return Pseudonyms.create(path)
