"""Offline check of the Bentoo key format (PRODUCT.md section 1).

A key is ``btoo_sk_live_`` or ``btoo_sk_test_`` followed by exactly 32 base62
characters: 26 random ones and a 6-character checksum, the CRC32 of everything
before it in base62 (most significant digit first, left-padded with ``0``).
Checking it in the constructor turns a typo into an immediate local error
instead of a 401 round trip, and the gateway applies the same rule.
"""

from __future__ import annotations

import re
import zlib
from typing import Optional

BASE62_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
KEY_PREFIX = "btoo_sk_"
RANDOM_LENGTH = 26
CHECKSUM_LENGTH = 6

_KEY_PATTERN = re.compile(r"btoo_sk_(live|test)_[0-9A-Za-z]{32}")


def encode_base62(value: int, width: int) -> str:
    """Encodes a non-negative integer in base62, left-padded with ``0`` to ``width``."""
    if value < 0:
        raise ValueError("cannot base62-encode a negative number")
    digits = []
    rest = value
    while True:
        rest, digit = divmod(rest, 62)
        digits.append(BASE62_ALPHABET[digit])
        if rest == 0:
            break
    encoded = "".join(reversed(digits))
    if len(encoded) > width:
        raise ValueError("value needs more than %d base62 digits" % width)
    return encoded.rjust(width, "0")


def checksum_of(head: str) -> str:
    """The 6-character checksum of a key's prefix and random part."""
    return encode_base62(zlib.crc32(head.encode("ascii")), CHECKSUM_LENGTH)


def key_mode(key: str) -> Optional[str]:
    """``"live"`` or ``"test"`` for a well-formed key with a valid checksum, else None."""
    if not isinstance(key, str):
        return None
    match = _KEY_PATTERN.fullmatch(key)
    if match is None:
        return None
    head, checksum = key[:-CHECKSUM_LENGTH], key[-CHECKSUM_LENGTH:]
    if checksum_of(head) != checksum:
        return None
    return match.group(1)


def is_well_formed_key(key: str) -> bool:
    return key_mode(key) is not None
