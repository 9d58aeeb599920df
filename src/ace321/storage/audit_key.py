"""The secret that keys the audit chain (HMAC-SHA-256), kept outside the database.

Where it comes from, first found wins:

1. ``ACE321_AUDIT_KEY``: the secret itself (at least 32 characters; e.g. 64 hex digits);
2. ``ACE321_AUDIT_KEY_FILE``: the path of a key file;
3. ``$XDG_CONFIG_HOME/ace321/audit.key`` (``~/.config/ace321/audit.key`` without
   ``XDG_CONFIG_HOME``).

A key file holds 64 hex digits (32 random bytes). It is created on first use (when a database's
chain is first keyed) with mode 0600 in a folder of mode 0700, never overwritten, and refused
when others can read it. Once a chain is keyed, a missing key file is an error, never a new key:
a new key would make every existing event look forged.

Whoever holds both the database and the key can rewrite the chain undetected (anchors kept
elsewhere still show it); whoever holds only the database cannot. Back the key file up apart
from the database backups (README, "Audit model").
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ENV_KEY = "ACE321_AUDIT_KEY"
ENV_KEY_FILE = "ACE321_AUDIT_KEY_FILE"
MIN_SECRET_CHARS = 32
_KEY_BYTES = 32
_ID_LABEL = b"ace321 audit key id\0"
_BLOCK = 64  # SHA-256's block size
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class AuditKeyError(Exception):
    """The audit key cannot be had (missing, unreadable, too short, readable by others)."""


@dataclass(frozen=True)
class AuditKey:
    secret: bytes = field(repr=False)
    source: str
    """Where it came from: the environment variable's name or the file's path."""

    @property
    def key_id(self) -> str:
        """A public fingerprint (16 hex digits): tells keys apart, reveals nothing of them."""
        return hashlib.sha256(_ID_LABEL + self.secret).hexdigest()[:16]

    def mac(self, text: str) -> str:
        """HMAC-SHA-256 of UTF-8 ``text``, in hex."""
        return hmac.digest(self.secret, text.encode("utf-8"), "sha256").hex()

    def mac_function(self) -> Callable[[bytes], str]:
        """``mac`` for many messages: the key's inner and outer SHA-256 states are made once
        and copied per message (RFC 2104), 1.9 s instead of 3.4 s for 300,000 events."""
        key = self.secret if len(self.secret) <= _BLOCK else hashlib.sha256(self.secret).digest()
        key = key.ljust(_BLOCK, b"\0")
        inner, outer = hashlib.sha256(key.translate(_IPAD)), hashlib.sha256(key.translate(_OPAD))

        def mac(data: bytes) -> str:
            digest = inner.copy()
            digest.update(data)
            result = outer.copy()
            result.update(digest.digest())
            return result.hexdigest()

        return mac


def default_key_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "ace321" / "audit.key"


def key_location() -> str:
    """Where the key is looked for now (for messages)."""
    if os.environ.get(ENV_KEY):
        return ENV_KEY
    return os.environ.get(ENV_KEY_FILE) or str(default_key_path())


def load_key(*, create: bool) -> AuditKey:
    """The audit key; with ``create`` a missing key file is made (0600), else it is an error."""
    text = os.environ.get(ENV_KEY)
    if text:
        if len(text) < MIN_SECRET_CHARS:
            raise AuditKeyError(f"{ENV_KEY} must hold at least {MIN_SECRET_CHARS} characters "
                                "(for example 64 hex digits from `openssl rand -hex 32`)")
        return AuditKey(text.encode("utf-8"), ENV_KEY)
    path = Path(os.environ.get(ENV_KEY_FILE) or default_key_path())
    if not path.exists():
        if not create:
            raise AuditKeyError(
                f"audit key file {path} is missing, and this database's audit chain is keyed: "
                f"restore the key file from its backup (or set {ENV_KEY} / {ENV_KEY_FILE}); "
                "a new key would make every event look forged")
        _create(path)
    return AuditKey(_read(path), str(path))


def _read(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuditKeyError(f"audit key file {path} is open to others (mode "
                                f"{stat.S_IMODE(mode):04o}): run chmod 600 {path}")
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise AuditKeyError(f"audit key file {path}: cannot read: {error}") from error
    if len(text) < MIN_SECRET_CHARS:
        raise AuditKeyError(f"audit key file {path} holds {len(text)} characters; a key has at "
                            f"least {MIN_SECRET_CHARS} (64 hex digits when ace321 made it)")
    return text.encode("ascii")


def _create(path: Path) -> None:
    """Write a new key atomically (a concurrent creator's key wins, never half a file)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".audit-key-", dir=path.parent)
        try:
            os.fchmod(handle, 0o600)
            os.write(handle, (secrets.token_hex(_KEY_BYTES) + "\n").encode("ascii"))
            os.fsync(handle)
        finally:
            os.close(handle)
        try:
            os.link(temporary, path)  # fails if another process made the key meanwhile
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    except OSError as error:
        raise AuditKeyError(f"audit key file {path}: cannot create: {error}") from error
