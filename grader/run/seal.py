"""Sealed test code and signed records: how a grading run keeps its secrets and its verdicts honest.

The host makes a fresh key for every run. The kernel reads it from a pipe once, before any student code
runs, and only the kernel's audit hook holds it afterwards. Test cells travel in the graded notebook
encrypted and authenticated (`seal`/`unseal`), so nothing the student's code can open holds hidden tests or
reference answers; the hook signs what it reports (verdicts, evidence) with `sign`, so neither the student's
code nor anything else in the run can forge a verdict.

`crypto()` binds every primitive it uses (C functions of the standard library and the builtins) when it is
called. The kernel calls it before any student code runs, so patching `hashlib`, `hmac` or `builtins` later
cannot reach the functions it returns. Both sides use the same functions: SHA-256 in counter mode as the
key stream, HMAC-SHA256 (written out, from the C hash) as the tag.
"""

import binascii
import hashlib
import hmac
import os
from typing import Callable, NamedTuple

KEY_BYTES = 32
NONCE_BYTES = 16
TAG_BYTES = 16


class Crypto(NamedTuple):
    """The functions of one run's cryptography (see `crypto`)."""
    seal: Callable[[bytes, bytes], str]  # (key, plaintext) -> ASCII text
    unseal: Callable[[bytes, str], bytes]  # (key, text) -> plaintext; ValueError when forged or damaged
    sign: Callable[[bytes, bytes], str]  # (key, record body) -> hex tag
    check: Callable[[bytes, bytes, str], bool]  # (key, record body, hex tag) -> authentic?


def crypto() -> Crypto:
    """The seal/unseal/sign/check functions, built from primitives bound now (see the module docstring)."""
    sha256, same, urandom = hashlib.sha256, hmac.compare_digest, os.urandom
    to_text, from_text, from_bytes, to_bytes = binascii.b2a_base64, binascii.a2b_base64, int.from_bytes, int.to_bytes
    length, as_bytes, numbers, error, not_base64 = len, bytes, range, ValueError, binascii.Error
    inner_pad, outer_pad = as_bytes(x ^ 0x36 for x in numbers(256)), as_bytes(x ^ 0x5C for x in numbers(256))

    def mac(key: bytes, data: bytes) -> bytes:
        block = key.ljust(64, b"\0")
        inner = sha256(block.translate(inner_pad) + data).digest()
        return sha256(block.translate(outer_pad) + inner).digest()

    def xor_stream(key: bytes, nonce: bytes, data: bytes) -> bytes:
        blocks = (length(data) + 31) // 32
        stream = b"".join(sha256(key + nonce + to_bytes(i, 8, "big")).digest() for i in numbers(blocks))
        mixed = from_bytes(data, "big") ^ from_bytes(stream[:length(data)], "big")
        return to_bytes(mixed, length(data), "big")

    def seal(key: bytes, plaintext: bytes) -> str:
        nonce = urandom(NONCE_BYTES)
        body = xor_stream(key, nonce, plaintext)
        tag = mac(key, b"seal" + nonce + body)[:TAG_BYTES]
        return to_text(nonce + tag + body, newline=False).decode("ascii")

    def unseal(key: bytes, text: str) -> bytes:
        try:
            raw = from_text(text)
        except (not_base64, TypeError, error):
            raise error("sealed text is not base64") from None
        nonce, tag, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:NONCE_BYTES + TAG_BYTES], raw[NONCE_BYTES + TAG_BYTES:]
        if length(nonce) != NONCE_BYTES or not same(tag, mac(key, b"seal" + nonce + body)[:TAG_BYTES]):
            raise error("sealed text was not made with this run's key")
        return xor_stream(key, nonce, body)

    def sign(key: bytes, body: bytes) -> str:
        return mac(key, b"record" + body)[:TAG_BYTES].hex()

    def check(key: bytes, body: bytes, tag: str) -> bool:
        return same(sign(key, body), tag)

    return Crypto(seal, unseal, sign, check)


def new_key() -> bytes:
    """A fresh random key for one run."""
    return os.urandom(KEY_BYTES)
