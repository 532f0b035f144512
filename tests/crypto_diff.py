#!/usr/bin/env python3
"""crypto_diff: our primitives against Python's `cryptography` (OpenSSL).

Random inputs of random lengths, edge values included, go to
tests/crypto_tool (our code) and to the `cryptography` module; every
answer must agree: SHA-256, HMAC-SHA-256, HKDF-SHA-256, ChaCha20-Poly1305
sealing and opening (genuine, and with one bit changed, which both must
refuse), X25519 and its public keys.  Prints one line per primitive and
"N passed, N failed"; exits 0 when all agree.  Without the module it says
"skipped" and exits 0.  Usage: crypto_diff.py TOOL [CASES] [SEED]
"""
import os
import random
import subprocess
import sys

try:
    from cryptography.hazmat.primitives import hashes, hmac
    from cryptography.hazmat.primitives.asymmetric.x25519 import (
        X25519PrivateKey, X25519PublicKey)
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    from cryptography.hazmat.primitives import serialization
except ImportError:
    print("crypto_diff: skipped: the Python module 'cryptography' is not "
          "installed (apt-get install python3-cryptography)")
    print("0 passed, 0 failed, 1 skipped")
    sys.exit(0)

tool = sys.argv[1]
cases = int(sys.argv[2]) if len(sys.argv) > 2 else 300
seed = int(sys.argv[3]) if len(sys.argv) > 3 else int.from_bytes(
    os.urandom(4), "big")
rng = random.Random(seed)
proc = subprocess.Popen([tool], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                        text=True)


def ask(*words):
    proc.stdin.write(" ".join(words) + "\n")
    proc.stdin.flush()
    return proc.stdout.readline().strip()


def h(b):
    return b.hex() if b else "-"


def rbytes(n):
    kind = rng.random()
    if kind < 0.1:
        return b"\x00" * n
    if kind < 0.2:
        return b"\xff" * n
    return bytes(rng.getrandbits(8) for _ in range(n))


def rlen(top):
    edges = [0, 1, 15, 16, 17, 31, 32, 33, 55, 56, 63, 64, 65, 127, 128,
             129, 255, 256, 1000]
    return rng.choice(edges) if rng.random() < 0.5 else rng.randrange(top)


def check_sha256():
    m = rbytes(rlen(3000))
    d = hashes.Hash(hashes.SHA256())
    d.update(m)
    return ask("sha256", h(m)) == d.finalize().hex()


def check_hmac():
    k, m = rbytes(rlen(200)), rbytes(rlen(2000))
    t = hmac.HMAC(k, hashes.SHA256())
    t.update(m)
    return ask("hmac", h(k), h(m)) == t.finalize().hex()


def check_hkdf():
    salt, ikm, info = rbytes(rlen(100)), rbytes(rlen(100)), rbytes(rlen(60))
    n = rng.choice([1, 16, 31, 32, 33, 64, 100, 255 * 32, rng.randrange(
        1, 2000)])
    ours = ask("hkdf", h(salt), h(ikm), h(info), str(n))
    theirs = HKDF(hashes.SHA256(), n, salt or None, info).derive(ikm)
    return ours == theirs.hex()


def check_aead():
    k, nonce = rbytes(32), rbytes(12)
    ad, pt = rbytes(rlen(100)), rbytes(rlen(5000))
    ct = ChaCha20Poly1305(k).encrypt(nonce, pt, ad)
    if ask("seal", h(k), h(nonce), h(ad), h(pt)) != ct.hex():
        return False
    if ask("open", h(k), h(nonce), h(ad), h(ct)) != (pt.hex() or "-"):
        return False
    bad = bytearray(ct)
    bad[rng.randrange(len(bad))] ^= 1 << rng.randrange(8)
    return ask("open", h(k), h(nonce), h(ad), h(bytes(bad))) == "fail"


def raw(pub):
    return pub.public_bytes(serialization.Encoding.Raw,
                            serialization.PublicFormat.Raw)


def check_x25519():
    a, b = rbytes(32), rbytes(32)
    ka = X25519PrivateKey.from_private_bytes(a)
    kb = X25519PrivateKey.from_private_bytes(b)
    pa = raw(ka.public_key())
    if ask("pub", h(a)) != pa.hex():
        return False
    shared = ka.exchange(X25519PublicKey.from_public_bytes(raw(
        kb.public_key())))
    return ask("x25519", h(a), raw(kb.public_key()).hex()) == shared.hex()


checks = [("sha256", check_sha256), ("hmac_sha256", check_hmac),
          ("hkdf_sha256", check_hkdf), ("chacha20_poly1305", check_aead),
          ("x25519", check_x25519)]
passed = failed = 0
for name, fn in checks:
    bad = sum(0 if fn() else 1 for _ in range(cases))
    if bad:
        print("crypto_diff: %s: FAILED: %d of %d disagree (seed %d)"
              % (name, bad, cases, seed))
        failed += 1
    else:
        print("crypto_diff: %s: %d random cases agree" % (name, cases))
        passed += 1
proc.stdin.close()
proc.wait()
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
