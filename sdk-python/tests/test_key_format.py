"""The key format rule (PRODUCT.md section 1), checked offline."""

from __future__ import annotations

import unittest

from bentoo._key_format import (
    BASE62_ALPHABET,
    checksum_of,
    encode_base62,
    is_well_formed_key,
    key_mode,
)

from .support import make_key


class EncodeBase62Test(unittest.TestCase):
    def test_most_significant_digit_first_and_padded(self) -> None:
        self.assertEqual(encode_base62(0, 6), "000000")
        self.assertEqual(encode_base62(61, 6), "00000z")
        self.assertEqual(encode_base62(62, 6), "000010")
        self.assertEqual(encode_base62(62 ** 6 - 1, 6), "zzzzzz")

    def test_largest_crc32_fits_in_six_digits(self) -> None:
        self.assertEqual(len(encode_base62(0xFFFFFFFF, 6)), 6)

    def test_rejects_overflow_and_negatives(self) -> None:
        with self.assertRaises(ValueError):
            encode_base62(62 ** 6, 6)
        with self.assertRaises(ValueError):
            encode_base62(-1, 6)


class ChecksumTest(unittest.TestCase):
    def test_matches_the_gateway(self) -> None:
        # Vectors computed with node:zlib crc32 and packages/core/src/base62.ts.
        self.assertEqual(checksum_of("btoo_sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAA"), "02zY9Y")
        self.assertEqual(checksum_of("btoo_sk_live_0123456789abcdefghijKLMNOP"), "00VgVX")

    def test_known_key_is_valid(self) -> None:
        self.assertEqual(key_mode("btoo_sk_test_AAAAAAAAAAAAAAAAAAAAAAAAAA02zY9Y"), "test")
        self.assertEqual(key_mode("btoo_sk_live_0123456789abcdefghijKLMNOP00VgVX"), "live")


class KeyModeTest(unittest.TestCase):
    def test_generated_keys_are_valid(self) -> None:
        for mode in ("live", "test"):
            for _ in range(50):
                key = make_key(mode)
                self.assertEqual(key_mode(key), mode, key)

    def test_any_changed_checksum_character_is_rejected(self) -> None:
        key = make_key("live")
        for position in range(len(key) - 6, len(key)):
            for replacement in "0aZ9":
                if key[position] == replacement:
                    continue
                mutated = key[:position] + replacement + key[position + 1:]
                self.assertIsNone(key_mode(mutated), mutated)

    def test_changed_random_character_is_rejected(self) -> None:
        key = make_key("test")
        position = len("btoo_sk_test_") + 3
        replacement = BASE62_ALPHABET[(BASE62_ALPHABET.index(key[position]) + 1) % 62]
        self.assertIsNone(key_mode(key[:position] + replacement + key[position + 1:]))

    def test_malformed_keys_are_rejected(self) -> None:
        key = make_key("live")
        body = key[len("btoo_sk_live_"):]
        for candidate in [
            "",
            "sk-proj-abc",
            "btoo_sk_prod_" + body,
            "btoo_pk_live_" + body,
            key[:-1],
            key + "A",
            key + "\n",
            " " + key,
            key[:20] + "-" + key[21:],
            key.upper(),
        ]:
            self.assertFalse(is_well_formed_key(candidate), repr(candidate))

    def test_non_strings_are_rejected(self) -> None:
        self.assertIsNone(key_mode(None))  # type: ignore[arg-type]
        self.assertIsNone(key_mode(b"btoo_sk_live_x"))  # type: ignore[arg-type]


if __name__ == "__main__":
    unittest.main()
