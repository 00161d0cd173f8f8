"""The approval page's second factor: a PIN kept only as a slow salted hash in an SSM SecureString.

Format `pbkdf2_sha256$<iterations>$<salt, urlsafe b64>$<hash, urlsafe b64>`: the cost travels
with the hash, so raising ITERATIONS later does not break PINs already set. Hashes cheaper than
MIN_ITERATIONS are refused rather than trusted (someone wrote the parameter by hand).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

DEFAULT_PIN_PARAMETER = "/megaticket-dr/approval-pin"
SCHEME = "pbkdf2_sha256"
ITERATIONS = 600_000  # OWASP 2023 figure for PBKDF2-HMAC-SHA256
MIN_ITERATIONS = 100_000
SALT_BYTES = 16
PIN_MIN_LENGTH = 6
PIN_MAX_LENGTH = 64


class PinError(ValueError):
    """A PIN or stored hash that cannot be used; one line saying what was expected."""


def check_pin_shape(pin: str) -> str:
    if not isinstance(pin, str) or not pin:
        raise PinError(f"the approval PIN is empty; expected {PIN_MIN_LENGTH}-{PIN_MAX_LENGTH} characters")
    if pin != pin.strip() or any(c.isspace() for c in pin):
        raise PinError("the approval PIN contains whitespace; expected no spaces, tabs or newlines")
    if not pin.isprintable():
        raise PinError("the approval PIN contains control characters")
    if not PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH:
        raise PinError(
            f"the approval PIN has {len(pin)} characters; expected {PIN_MIN_LENGTH}-{PIN_MAX_LENGTH}"
        )
    return pin


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_pin(pin: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    check_pin_shape(pin)
    if iterations < MIN_ITERATIONS:
        raise PinError(f"PBKDF2 iterations {iterations} is below the minimum {MIN_ITERATIONS}")
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    return f"{SCHEME}${iterations}${_b64(salt)}${_b64(digest)}"


def verify_pin(pin: str, stored: str) -> bool:
    """True when `pin` matches `stored`; PinError when `stored` is not a usable hash."""
    parts = stored.strip().split("$")
    if len(parts) != 4 or parts[0] != SCHEME:
        raise PinError(
            f"the stored approval PIN is not a {SCHEME} hash; set it with `drctl approval-pin set`"
        )
    try:
        iterations = int(parts[1])
        salt, expected = _unb64(parts[2]), _unb64(parts[3])
    except ValueError:
        raise PinError(
            "the stored approval PIN hash is malformed; set it again with `drctl approval-pin set`"
        ) from None
    if iterations < MIN_ITERATIONS or not salt or not expected:
        raise PinError("the stored approval PIN hash is too weak; set it again with `drctl approval-pin set`")
    if not isinstance(pin, str) or not pin or len(pin) > PIN_MAX_LENGTH:
        return False  # never spend the KDF on absurd input
    actual = hashlib.pbkdf2_hmac("sha256", pin.encode("utf-8"), salt, iterations)
    return hmac.compare_digest(actual, expected)


def store_pin_hash(ssm: Any, parameter: str, pin: str, *, iterations: int = ITERATIONS) -> str:
    """Hash `pin` and write it as a SecureString (never the PIN itself); returns the version."""
    hashed = hash_pin(pin, iterations=iterations)
    result = ssm.put_parameter(
        Name=parameter,
        Value=hashed,
        Type="SecureString",
        Overwrite=True,
        Description="MegaTicket DR approval page PIN (PBKDF2 hash, set by drctl approval-pin set)",
    )
    return str(result.get("Version", ""))


def read_pin_hash(ssm: Any, parameter: str) -> str | None:
    """The stored hash, or None when no PIN was ever set."""
    try:
        return str(ssm.get_parameter(Name=parameter, WithDecryption=True)["Parameter"]["Value"])
    except ssm.exceptions.ParameterNotFound:
        return None
