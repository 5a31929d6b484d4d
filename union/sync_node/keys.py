"""Branch signing keys: made and kept in PEM files, public halves registered in the store."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from sync.signing import KeyRing, public_bytes
from union.store.sync_models import SyncKeyRow


def new_key_file(path: Path) -> Ed25519PrivateKey:
    """Make a branch's key pair and write the private key to ``path`` (mode 0600, never
    overwriting an existing file)."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return key


def load_key_file(path: Path) -> Ed25519PrivateKey:
    """The private key in ``path``; ``ValueError`` if it is not an Ed25519 key."""
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def register(session: Session, branch: str, public_key: bytes, now: datetime) -> None:
    """Enrol ``branch`` with ``public_key`` (re-enrolling replaces its key)."""
    if len(public_key) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    row = session.get(SyncKeyRow, branch)
    if row is None:
        session.add(SyncKeyRow(branch=branch, public_key=public_key, enrolled_at=now))
    else:
        row.public_key, row.enrolled_at = public_key, now


def key_ring(session: Session) -> KeyRing:
    """Every enrolled branch's public key."""
    return KeyRing(dict(session.execute(select(SyncKeyRow.branch, SyncKeyRow.public_key)).all()))


__all__ = ["key_ring", "load_key_file", "new_key_file", "public_bytes", "register"]
