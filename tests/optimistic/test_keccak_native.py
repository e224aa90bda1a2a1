"""The tree's hashing backends (claimledger/optimistic/keccak64.py): the C build of smt_chain.c
against eth_hash and the Python loop, and the fallbacks where no compiler is at hand."""
import json
import os
import random
import subprocess
import sys

import pytest
from eth_hash.auto import keccak

from claimledger.optimistic import keccak64 as backend
from claimledger.optimistic.smt import SparseMerkleTree

python_chain = backend._chain_with(backend._eth_hash)


def test_the_c_build_is_used_where_a_compiler_is_at_hand():
    # the machines this project runs on have gcc (docs/OPTIMISTIC.md): a silent fallback would
    # halve the adjudicator's throughput unnoticed
    assert backend.BACKEND == "native"


def test_keccak64_equals_eth_hash_on_random_inputs():
    rng = random.Random(64)
    for _ in range(2000):
        data = rng.randbytes(64)
        assert backend.keccak64(data) == keccak(data)


@pytest.mark.parametrize("seed", range(4))
def test_chain_equals_the_python_loop(seed):
    rng = random.Random(seed)
    for _ in range(200):
        h = rng.randbytes(32) if rng.random() > 0.05 else bytes(32)
        key = rng.getrandbits(rng.choice([3, 64, 256]))
        start = rng.randrange(0, 257)
        end = rng.randrange(start, 257)
        assert backend.chain(h, key, start, end) == python_chain(h, key, start, end)


def _root_in_subprocess(env: dict) -> dict:
    code = ("import json, random; from claimledger.optimistic import keccak64 as k; "
            "from claimledger.optimistic.smt import SparseMerkleTree; rng = random.Random(5); "
            "t = SparseMerkleTree((rng.getrandbits(256), rng.getrandbits(256)) for _ in range(300)); "
            "print(json.dumps({'backend': k.BACKEND, 'root': t.root.hex()}))")
    done = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def test_without_a_compiler_the_tree_falls_back_and_gives_the_same_roots(tmp_path):
    rng = random.Random(5)
    expected = SparseMerkleTree((rng.getrandbits(256), rng.getrandbits(256)) for _ in range(300)).root.hex()
    no_compiler = _root_in_subprocess({"CC": str(tmp_path / "no-such-cc"), "XDG_CACHE_HOME": str(tmp_path)})
    switched_off = _root_in_subprocess({"CLAIMLEDGER_NATIVE": "0"})
    assert no_compiler == {"backend": "pycryptodome", "root": expected}
    assert switched_off == {"backend": "pycryptodome", "root": expected}


def test_a_fresh_cache_builds_the_library_once(tmp_path):
    first = _root_in_subprocess({"XDG_CACHE_HOME": str(tmp_path)})
    built = list((tmp_path / "claimledger").glob("smt_chain-*.so"))
    second = _root_in_subprocess({"XDG_CACHE_HOME": str(tmp_path)})
    assert first == second and first["backend"] == "native"
    assert len(built) == 1 and list((tmp_path / "claimledger").iterdir()) == built
