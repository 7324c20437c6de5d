"""Envelope encryption of reports' confidential fields, and receipt codes (pure: no Flask, no database).

Each report has its own random data key; its confidential fields are sealed with it (AES-256-GCM, the field's
name as associated data, so a sealed value cannot be moved to another field). The data key is stored only
wrapped by a master key of the keyring; destroying the wrapped key (erasure) leaves its fields unreadable.
"""
from dataclasses import dataclass
import base64
import hashlib
import hmac
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE = 12
KEY_BYTES = 32
# Crockford's base32 without I, L, O, U: no letter a worker can misread on a receipt.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_GROUPS, GROUP = 5, 5   # 25 characters of 5 bits: 125 bits, out of reach of guessing
MISREAD = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


class Unreadable(Exception):
    """A sealed value or wrapped key that no key at hand opens (wrong key, erased, or tampered with)."""


@dataclass(frozen=True)
class Keyring:
    """Master keys by id; `current` wraps new data keys, the others still unwrap old ones until rotated away."""

    current: str
    keys: dict     # id -> 32 bytes
    pepper: bytes  # keys digests that count distinct reporters; never rotated, so counts stay comparable

    def wrap(self, data_key):
        """(key id, wrapped data key) under the current master key."""
        return self.current, seal(self.keys[self.current], data_key, b"data-key")

    def unwrap(self, key_id, wrapped):
        """The data key, or Unreadable when its master key is gone or the key was erased."""
        if wrapped is None or key_id not in self.keys:
            raise Unreadable("no master key for this report's data key")
        return unseal(self.keys[key_id], wrapped, b"data-key")


def new_key():
    """A fresh random 256-bit key."""
    return AESGCM.generate_key(bit_length=256)


def seal(key, plaintext, field):
    """nonce || AES-GCM ciphertext of plaintext (bytes or text), bound to the field name."""
    if isinstance(plaintext, str):
        plaintext = plaintext.encode()
    nonce = os.urandom(NONCE)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, field if isinstance(field, bytes) else field.encode())


def unseal(key, sealed, field):
    """The plaintext bytes of a sealed value, or Unreadable."""
    try:
        return AESGCM(key).decrypt(sealed[:NONCE], sealed[NONCE:], field if isinstance(field, bytes) else field.encode())
    except (InvalidTag, ValueError) as err:
        raise Unreadable("the sealed value does not open with this key") from err


def encode_key(key):
    return base64.urlsafe_b64encode(key).decode()


def decode_key(text, where):
    """A master key from its base64 text; the error names where it came from, never the key."""
    try:
        key = base64.urlsafe_b64decode(text.strip().encode())
    except (ValueError, TypeError):
        raise ValueError(f"{where}: not base64") from None
    if len(key) != KEY_BYTES:
        raise ValueError(f"{where}: a master key is {KEY_BYTES} bytes, this one {len(key)}")
    return key


def new_receipt():
    """A receipt code to show the reporter once, e.g. 7KQ2M-..., in five groups of five."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(RECEIPT_GROUPS * GROUP))
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def receipt_digest(code):
    """What is stored of a receipt code: SHA-256 of its normal form (a code has 125 random bits: no slow hash needed)."""
    normal = "".join(ch for ch in str(code).upper() if ch.isalnum()).translate(MISREAD)
    return hashlib.sha256(normal.encode()).hexdigest()


def keyed_digest(pepper, text):
    """An HMAC of text: counts distinct reporters without keeping who they are."""
    return hmac.new(pepper, text.encode(), hashlib.sha256).hexdigest()
