"""SQLite persistence: sessions, turns and reports (schema: ``storage/migrations.py``).

One database file under ``settings.db_path``, WAL mode, every write committed at once, so a
process killed mid-interview loses no committed turn. Only plain data is stored: never a key.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviewer.engine.state import SessionState
from interviewer.storage.migrations import StoreError, migrate


class UnknownSessionError(KeyError):
    """No session with that id."""

    def __init__(self, session_id: str):
        super().__init__(f"unknown session '{session_id}' (see `interviewer sessions`)")


@dataclass
class TurnRecord:
    session_id: str
    seq: int
    role: str
    stage: str
    kind: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0


@dataclass
class SessionRecord:
    id: str
    problem_id: str
    title: str
    started_at: float
    ended_at: float | None
    status: str
    stage: str
    minutes: float
    model: str
    state_json: str

    def state(self) -> SessionState:
        return SessionState.from_json(json.loads(self.state_json))

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "problem": self.problem_id, "title": self.title,
                "started": time.strftime("%Y-%m-%d %H:%M", time.localtime(self.started_at)),
                "started_at": self.started_at, "ended_at": self.ended_at,
                "stage": self.stage, "status": self.status, "minutes": self.minutes,
                "model": self.model}


_SESSION_COLS = "id, problem_id, title, started_at, ended_at, status, stage, minutes, model, state_json"


class Store:
    """Thread-safe access to one SQLite file (one connection, a lock around each call)."""

    def __init__(self, db_path: Path | str):
        self.path = Path(db_path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=10.0,
                                       isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL + NORMAL: a commit survives a killed process (kill -9); only an OS crash or power
            # loss can drop the last commits. Saves an fsync per turn.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=10000")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the session database {self.path}: {exc}") from None
        self._lock = threading.RLock()
        self._migrate()

    # ---- plumbing ----------------------------------------------------------------
    def _migrate(self) -> None:
        with self._lock:
            migrate(self._db, self.path)

    def _tx(self):
        return _Transaction(self._db, self._lock)

    def applied_migrations(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT name FROM schema_migrations ORDER BY rowid")]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # ---- sessions ------------------------------------------------------------------
    def create_session(self, state: SessionState) -> None:
        with self._tx() as db:
            db.execute(f"INSERT INTO sessions ({_SESSION_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (state.session_id, state.problem.id, state.problem.title, state.started_at,
                        state.ended_at, state.status, state.stage, state.minutes, state.model,
                        json.dumps(state.to_json())))

    def save_state(self, state: SessionState) -> None:
        with self._tx() as db:
            self._save_state(db, state)

    def _save_state(self, db: sqlite3.Connection, state: SessionState) -> None:
        cur = db.execute("UPDATE sessions SET ended_at=?, status=?, stage=?, model=?, state_json=? "
                         "WHERE id=?", (state.ended_at, state.status, state.stage, state.model,
                                        json.dumps(state.to_json()), state.session_id))
        if cur.rowcount == 0:
            raise UnknownSessionError(state.session_id)

    def get_session(self, session_id: str) -> SessionRecord:
        with self._lock:
            row = self._db.execute(f"SELECT {_SESSION_COLS} FROM sessions WHERE id=?",
                                   (session_id,)).fetchone()
        if row is None:
            raise UnknownSessionError(session_id)
        return SessionRecord(*row)

    def load_state(self, session_id: str) -> SessionState:
        return self.get_session(session_id).state()

    def list_sessions(self, limit: int | None = None) -> list[SessionRecord]:
        sql = f"SELECT {_SESSION_COLS} FROM sessions ORDER BY started_at DESC, rowid DESC"
        args: tuple = ()
        if limit:
            sql += " LIMIT ?"
            args = (int(limit),)
        with self._lock:
            return [SessionRecord(*r) for r in self._db.execute(sql, args)]

    def latest_session_id(self) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM sessions ORDER BY started_at DESC, rowid DESC "
                                   "LIMIT 1").fetchone()
        return row[0] if row else None

    def resolve(self, ref: str) -> str:
        """A session id from 'latest' or an id (or an unambiguous id prefix)."""
        ref = (ref or "").strip()
        if ref == "latest":
            latest = self.latest_session_id()
            if latest is None:
                raise UnknownSessionError("latest")
            return latest
        with self._lock:
            rows = self._db.execute("SELECT id FROM sessions WHERE id LIKE ? || '%' ESCAPE '\\'",
                                    (ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"),)
                                    ).fetchall() if ref else []
        ids = [r[0] for r in rows]
        if ref in ids:
            return ref
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            raise ValueError(f"session id '{ref}' is ambiguous: {', '.join(sorted(ids)[:5])}")
        raise UnknownSessionError(ref)

    # ---- turns -----------------------------------------------------------------------
    def append_turn(self, session_id: str, role: str, stage: str, kind: str, text: str,
                    meta: dict[str, Any] | None = None, state: SessionState | None = None,
                    created_at: float | None = None) -> int:
        """Append one turn (and, in the same transaction, the session state); returns its seq."""
        with self._tx() as db:
            if db.execute("SELECT 1 FROM sessions WHERE id=?", (session_id,)).fetchone() is None:
                raise UnknownSessionError(session_id)
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM turns WHERE session_id=?",
                             (session_id,)).fetchone()[0]
            db.execute("INSERT INTO turns VALUES (?,?,?,?,?,?,?,?)",
                       (session_id, seq, role, stage, kind, text, json.dumps(meta or {}),
                        created_at if created_at is not None else time.time()))
            if state is not None:
                self._save_state(db, state)
        return seq

    def turns(self, session_id: str, limit: int | None = None) -> list[TurnRecord]:
        """A session's turns in order (the last ``limit`` if given)."""
        self.get_session(session_id)
        with self._lock:
            if limit:
                rows = self._db.execute("SELECT * FROM (SELECT * FROM turns WHERE session_id=? "
                                        "ORDER BY seq DESC LIMIT ?) ORDER BY seq",
                                        (session_id, int(limit))).fetchall()
            else:
                rows = self._db.execute("SELECT * FROM turns WHERE session_id=? ORDER BY seq",
                                        (session_id,)).fetchall()
        return [TurnRecord(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7]) for r in rows]

    # ---- reports ---------------------------------------------------------------------
    def save_report(self, session_id: str, report: dict[str, Any] | str) -> None:
        body = report if isinstance(report, str) else json.dumps(report)
        with self._tx() as db:
            if db.execute("SELECT 1 FROM sessions WHERE id=?", (session_id,)).fetchone() is None:
                raise UnknownSessionError(session_id)
            db.execute("INSERT OR REPLACE INTO reports VALUES (?,?,?)", (session_id, body, time.time()))

    def get_report(self, session_id: str) -> dict[str, Any] | None:
        self.get_session(session_id)
        with self._lock:
            row = self._db.execute("SELECT report_json FROM reports WHERE session_id=?",
                                   (session_id,)).fetchone()
        return json.loads(row[0]) if row else None


class _Transaction:
    def __init__(self, db: sqlite3.Connection, lock: threading.RLock):
        self.db, self.lock = db, lock

    def __enter__(self) -> sqlite3.Connection:
        self.lock.acquire()
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except BaseException:
            self.lock.release()
            raise
        return self.db

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self.lock.release()


def open_store(settings) -> Store:
    settings.ensure_home()
    return Store(settings.db_path)
