"""The key store: one random data key (DEK) per scope, wrapped by the KEK, in the database.

Life of a scope's row (one row holds the key and, later, its fence, so creating a key and
destroying it can never race into two states):

    absent --first write--> keyed --gallring--> fenced (no key, no key id, never keyed again)

A fenced row keeps (subject, category, epoch), so the key can never be made again; its key id
is cleared, so nothing links the sealed parts left in the events to the subject any more.
Gallring also closes whole periods (category, month) so no subject can get a key in them.
Once a subject's identity is culled too, their fenced rows give way to one tombstone that names
neither them nor what they had (``forgetting``, ADR 0020).

New keys are recorded in the same transaction as the events they seal (``writing``); readers
fetch keys per page of events in one query through an LRU cache (``reading``); a generation
counter bumped by every shredding lets every process notice that its cached keys may be stale.
"""

from __future__ import annotations

from retention.keys.base import DataKey
from retention.keys.blind_index import BlindIndex
from retention.keys.culling import ScopeRecord
from retention.keys.forgetting import KeyForgetting
from retention.keys.reading import KeyReading
from retention.keys.writing import KeyConflictError, KeyUse, KeyWriting, NewKey


class KeyStore(KeyWriting, KeyReading, KeyForgetting, BlindIndex):
    """Backends (``sqlite``, ``postgres``) supply the SQL dialect and durable deletion."""


__all__ = [
    "DataKey",
    "KeyConflictError",
    "KeyStore",
    "KeyUse",
    "NewKey",
    "ScopeRecord",
]
