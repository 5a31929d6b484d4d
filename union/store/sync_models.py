"""Branch-to-branch sync: durable outbox, inbox, acknowledgements, custody and audit
(migration 0004)."""

from __future__ import annotations
