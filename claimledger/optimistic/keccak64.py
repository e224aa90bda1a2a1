"""keccak256 of 64 bytes, the one hash the sparse Merkle tree computes, and ``chain``, the tree's
hot loop (a node hashed up a run of empty siblings: up to 256 hashes an update).

Fastest first, each checked against ``eth_hash`` before it is used:

1. ``smt_chain.c`` beside this module, compiled on first use with the machine's C compiler
   (``$CC``, else ``cc``) into ``$XDG_CACHE_HOME/claimledger/`` (else ``~/.cache``), keyed by the
   source's hash: the whole chain is one call (0.86 us a hash on the development machine, against 2.0 us at -O2).
2. pycryptodome's Keccak core through ctypes with one reusable state per thread (2.1 us a hash,
   and the loop in Python).
3. ``eth_hash`` (8.5 us a hash).

``CLAIMLEDGER_NATIVE=0`` skips the first (the tests compare it with the others that way)."""
from __future__ import annotations

import ctypes
import glob
import hashlib
import os
import platform
import subprocess
import tempfile
import threading
from pathlib import Path

from eth_hash.auto import keccak as _slow

ZERO = b"\x00" * 32
SOURCE = Path(__file__).with_name("smt_chain.c")
FLAGS = "-O3 -funroll-loops -shared -fPIC"  # no -march=native: the build may be copied to another CPU


def _checked(keccak64) -> bool:
    samples = [bytes(64), b"\x01" * 64, bytes(range(64)), hashlib.sha512(b"claimledger").digest()]
    return all(keccak64(s) == _slow(s) for s in samples)


def _native_library() -> ctypes.CDLL | None:
    """The compiled ``smt_chain.c`` (built once per source and machine), or None where it cannot
    be built or loaded."""
    if os.environ.get("CLAIMLEDGER_NATIVE", "1") == "0" or not SOURCE.exists():
        return None
    source = SOURCE.read_bytes()
    tag = hashlib.sha256(source + FLAGS.encode() + platform.machine().encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "claimledger"
    built = cache / f"smt_chain-{tag}.so"
    if not built.exists():
        try:
            cache.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache, suffix=".so")
            os.close(fd)
            compiler = os.environ.get("CC") or "cc"
            done = subprocess.run([compiler, *FLAGS.split(), "-o", tmp, str(SOURCE)],
                                  capture_output=True, timeout=120)
            if done.returncode != 0:
                os.unlink(tmp)
                return None
            os.replace(tmp, built)  # atomic: a parallel build of the same source writes the same bytes
        except (OSError, subprocess.SubprocessError):
            return None
    try:
        lib = ctypes.CDLL(str(built))
    except OSError:
        return None
    lib.keccak64.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
    lib.keccak64.restype = None
    lib.chain.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_int, ctypes.c_int]
    lib.chain.restype = None
    return lib


def _native():
    lib = _native_library()
    if lib is None:
        return None
    local = threading.local()

    def buffer():
        try:
            return local.buf
        except AttributeError:
            local.buf = ctypes.create_string_buffer(32)
            return local.buf

    def keccak64(data: bytes) -> bytes:
        buf = buffer()
        lib.keccak64(data, buf)
        return buf.raw

    def chain(h: bytes, key: int, start: int, end: int) -> bytes:
        if h == ZERO or start >= end:
            return h
        buf = buffer()
        buf.raw = h
        lib.chain(buf, key.to_bytes(32, "big"), start, end)
        return buf.raw

    if not _checked(keccak64) or chain(b"\x01" * 32, 5, 0, 3) != _chain_with(keccak64)(b"\x01" * 32, 5, 0, 3):
        return None
    return keccak64, chain


def _pycryptodome():
    import Crypto.Hash

    paths = glob.glob(os.path.join(os.path.dirname(Crypto.Hash.__file__), "_keccak*.so"))
    if not paths:
        return None
    lib = ctypes.CDLL(paths[0])
    size64, size32, padding = ctypes.c_size_t(64), ctypes.c_size_t(32), ctypes.c_ubyte(1)
    reset, absorb, digest = lib.keccak_reset, lib.keccak_absorb, lib.keccak_digest
    local = threading.local()

    def state():
        st = ctypes.c_void_p()
        # capacity 512 bits (keccak256), 24 rounds; the state lives as long as the thread
        if lib.keccak_init(ctypes.byref(st), ctypes.c_size_t(64), ctypes.c_ubyte(24)) != 0:
            raise OSError("keccak_init failed")
        local.st, local.buf = st, ctypes.create_string_buffer(32)
        return st, local.buf

    def keccak64(data: bytes) -> bytes:
        try:
            st, buf = local.st, local.buf
        except AttributeError:
            st, buf = state()
        reset(st)
        absorb(st, data, size64)
        digest(st, buf, size32, padding)  # Keccak padding 0x01 (not SHA-3's 0x06)
        return buf.raw

    return (keccak64, _chain_with(keccak64)) if _checked(keccak64) else None


def _chain_with(keccak64):
    def chain(h: bytes, key: int, start: int, end: int) -> bytes:
        if h == ZERO:
            return ZERO
        for height in range(start, end):
            h = keccak64(ZERO + h) if (key >> height) & 1 else keccak64(h + ZERO)
        return h

    return chain


def _eth_hash(data: bytes) -> bytes:
    if len(data) != 64:
        raise ValueError("keccak64 takes 64 bytes")
    return _slow(data)


def _load():
    for loader in (_native, _pycryptodome):
        try:
            found = loader()
        except (ImportError, OSError, AttributeError):
            found = None
        if found is not None:
            return (loader.__name__.lstrip("_"),) + found
    return ("eth_hash", _eth_hash, _chain_with(_eth_hash))


BACKEND, keccak64, chain = _load()
"""``keccak64(data)``: keccak256 of exactly 64 bytes. ``chain(h, key, start, end)``: the hash at
height ``end`` of ``h`` at height ``start`` on ``key``'s path, all siblings between empty."""
