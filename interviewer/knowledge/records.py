"""A SQLite-backed LangChain ``RecordManager`` for the indexing API.

``langchain_core`` ships only ``InMemoryRecordManager``, which forgets everything when the process
ends; ``index()`` needs the records to survive so that re-ingesting unchanged files adds nothing.
This is a small persistent equivalent: one table ``records(namespace, key, group_id, updated_at)``
in ``$INTERVIEWER_HOME/knowledge-records.sqlite``. A connection is opened per call (WAL mode), so
one file is safe across threads and processes.

Namespaces are ``<collection>|<root>``: one per vector collection and ingested root folder, so
cleaning up one folder never touches another's chunks, and a new embeddings collection starts
with no records.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path
from typing import Sequence

from langchain_core.indexing import RecordManager

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    namespace  TEXT NOT NULL,
    key        TEXT NOT NULL,
    group_id   TEXT,
    updated_at REAL NOT NULL,
    PRIMARY KEY (namespace, key)
);
CREATE INDEX IF NOT EXISTS records_group ON records (namespace, group_id);
CREATE INDEX IF NOT EXISTS records_time ON records (namespace, updated_at);
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

NS_SEP = "|"


_ready: set[str] = set()


def connect(db_path: Path) -> sqlite3.Connection:
    """A connection; ``with conn:`` around writes commits them as one transaction."""
    db_path = Path(db_path)
    key = str(db_path)
    if key not in _ready or not db_path.exists():
        db_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(key, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(_SCHEMA)
        _ready.add(key)
        return conn
    return sqlite3.connect(key, timeout=30)


class SQLiteRecordManager(RecordManager):
    """Persistent record manager (see module docstring)."""

    def __init__(self, namespace: str, db_path: Path):
        super().__init__(namespace)
        self.db_path = Path(db_path)

    def _conn(self) -> sqlite3.Connection:
        return connect(self.db_path)

    # ---- schema and time ---------------------------------------------------
    def create_schema(self) -> None:
        with closing(self._conn()):
            pass

    async def acreate_schema(self) -> None:
        self.create_schema()

    def get_time(self) -> float:
        return time.time()

    async def aget_time(self) -> float:
        return self.get_time()

    # ---- records -------------------------------------------------------------
    def update(self, keys: Sequence[str], *, group_ids: Sequence[str | None] | None = None,
               time_at_least: float | None = None) -> None:
        if group_ids is not None and len(keys) != len(group_ids):
            raise ValueError("Length of keys must match length of group_ids")
        now = self.get_time()
        if time_at_least is not None and time_at_least > now:
            raise ValueError("time_at_least must be in the past")
        gids = list(group_ids) if group_ids is not None else [None] * len(keys)
        rows = [(self.namespace, k, g, now) for k, g in zip(keys, gids)]
        with closing(self._conn()) as conn, conn:
            conn.executemany(
                "INSERT INTO records (namespace, key, group_id, updated_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(namespace, key) DO UPDATE SET group_id=excluded.group_id, "
                "updated_at=excluded.updated_at", rows)

    async def aupdate(self, keys: Sequence[str], *, group_ids: Sequence[str | None] | None = None,
                      time_at_least: float | None = None) -> None:
        self.update(keys, group_ids=group_ids, time_at_least=time_at_least)

    def exists(self, keys: Sequence[str]) -> list[bool]:
        if not keys:
            return []
        found: set[str] = set()
        with closing(self._conn()) as conn:
            for i in range(0, len(keys), 500):
                part = list(keys[i:i + 500])
                q = f"SELECT key FROM records WHERE namespace=? AND key IN ({','.join('?' * len(part))})"
                found.update(r[0] for r in conn.execute(q, [self.namespace, *part]))
        return [k in found for k in keys]

    async def aexists(self, keys: Sequence[str]) -> list[bool]:
        return self.exists(keys)

    def list_keys(self, *, before: float | None = None, after: float | None = None,
                  group_ids: Sequence[str] | None = None, limit: int | None = None) -> list[str]:
        q = "SELECT key FROM records WHERE namespace=?"
        args: list = [self.namespace]
        if before is not None:
            q += " AND updated_at < ?"
            args.append(before)
        if after is not None:
            q += " AND updated_at > ?"
            args.append(after)
        if group_ids is not None:
            q += f" AND group_id IN ({','.join('?' * len(group_ids))})"
            args.extend(group_ids)
        q += " ORDER BY key"
        if limit:
            q += " LIMIT ?"
            args.append(int(limit))
        with closing(self._conn()) as conn:
            return [r[0] for r in conn.execute(q, args)]

    async def alist_keys(self, *, before: float | None = None, after: float | None = None,
                         group_ids: Sequence[str] | None = None, limit: int | None = None) -> list[str]:
        return self.list_keys(before=before, after=after, group_ids=group_ids, limit=limit)

    def delete_keys(self, keys: Sequence[str]) -> None:
        with closing(self._conn()) as conn, conn:
            conn.executemany("DELETE FROM records WHERE namespace=? AND key=?",
                             [(self.namespace, k) for k in keys])

    async def adelete_keys(self, keys: Sequence[str]) -> None:
        self.delete_keys(keys)

    # ---- extras used by ingest -------------------------------------------------
    def list_groups(self) -> list[str]:
        """Distinct group ids (sources) recorded in this namespace."""
        with closing(self._conn()) as conn:
            return [r[0] for r in conn.execute(
                "SELECT DISTINCT group_id FROM records WHERE namespace=? AND group_id IS NOT NULL "
                "ORDER BY group_id", (self.namespace,))]


def namespace(collection: str, root: Path | str) -> str:
    return f"{collection}{NS_SEP}{root}"


def collection_state(db_path: Path, collection: str) -> tuple[int, float]:
    """(record count, latest update time) over a collection's namespaces: changes on every ingest
    that adds, refreshes or removes chunks, so callers can tell when to rebuild caches."""
    with closing(connect(db_path)) as conn:
        row = conn.execute("SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM records "
                           "WHERE namespace >= ? AND namespace < ?",
                           (collection + NS_SEP, collection + chr(ord(NS_SEP) + 1))).fetchone()
    return int(row[0]), float(row[1])


def collection_roots(db_path: Path, collection: str) -> list[Path]:
    """The folders whose files have records in this collection."""
    with closing(connect(db_path)) as conn:
        rows = conn.execute("SELECT DISTINCT namespace FROM records WHERE namespace >= ? AND namespace < ?",
                            (collection + NS_SEP, collection + chr(ord(NS_SEP) + 1))).fetchall()
    return sorted(Path(ns.partition(NS_SEP)[2]) for (ns,) in rows if ns.partition(NS_SEP)[2])


def forget_collection(db_path: Path, collection: str) -> None:
    """Drop every record of a collection (used when its vectors are gone)."""
    with closing(connect(db_path)) as conn, conn:
        conn.execute("DELETE FROM records WHERE namespace >= ? AND namespace < ?",
                     (collection + NS_SEP, collection + chr(ord(NS_SEP) + 1)))


def get_meta(db_path: Path, name: str) -> str | None:
    with closing(connect(db_path)) as conn:
        row = conn.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
    return row[0] if row else None


def set_meta(db_path: Path, name: str, value: str) -> None:
    with closing(connect(db_path)) as conn, conn:
        conn.execute("INSERT INTO meta (name, value) VALUES (?, ?) "
                     "ON CONFLICT(name) DO UPDATE SET value=excluded.value", (name, value))


def known_sources(db_path: Path, exclude_record_key: str) -> list[tuple[str, str]]:
    """(root, source) pairs ingested into *other* collections, for rebuilding a new one."""
    with closing(connect(db_path)) as conn:
        rows = conn.execute("SELECT DISTINCT namespace, group_id FROM records "
                            "WHERE group_id IS NOT NULL").fetchall()
    out = set()
    for ns, source in rows:
        key, _, root = ns.partition(NS_SEP)
        if key != exclude_record_key and root:
            out.add((root, source))
    return sorted(out)
