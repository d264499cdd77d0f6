"""The session database's schema, as ordered migrations, and the code that applies them.

Each migration runs once, in its own transaction, and is recorded in ``schema_migrations``; a
database that records a migration this version does not know was written by a newer version
and is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Callable


class StoreError(RuntimeError):
    """The database cannot be opened or is from a newer version."""


def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Execute statements one by one (``executescript`` would commit the open transaction)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def m1_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE sessions (
            id          TEXT PRIMARY KEY,
            problem_id  TEXT NOT NULL,
            title       TEXT NOT NULL,
            started_at  REAL NOT NULL,
            ended_at    REAL,
            status      TEXT NOT NULL DEFAULT 'active',
            stage       TEXT NOT NULL,
            minutes     REAL NOT NULL,
            model       TEXT NOT NULL DEFAULT 'offline',
            state_json  TEXT NOT NULL
        );
        CREATE INDEX sessions_started ON sessions(started_at);
        CREATE TABLE turns (
            session_id  TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq         INTEGER NOT NULL,
            role        TEXT NOT NULL CHECK (role IN ('interviewer', 'candidate')),
            stage       TEXT NOT NULL,
            kind        TEXT NOT NULL,
            text        TEXT NOT NULL,
            meta_json   TEXT NOT NULL DEFAULT '{}',
            created_at  REAL NOT NULL,
            PRIMARY KEY (session_id, seq)
        );
        CREATE TABLE reports (
            session_id  TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            report_json TEXT NOT NULL,
            created_at  REAL NOT NULL
        );
        """
    )


def m2_drafts(db: sqlite3.Connection) -> None:
    db.execute("""CREATE TABLE drafts (
                      problem_id   TEXT PRIMARY KEY,
                      problem_json TEXT NOT NULL,
                      model        TEXT NOT NULL,
                      created_at   REAL NOT NULL)""")


# Ordered; append new migrations, never edit or reorder applied ones.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("m001_initial", m1_initial),
    ("m002_drafts", m2_drafts),          # free-text questions' drafted sheets (storage/drafts.py)
]


def migrate(db: sqlite3.Connection, path: Path | str) -> None:
    """Apply the migrations ``db`` lacks (the caller holds the connection's lock)."""
    try:
        db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                   "(name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
        done = {r[0] for r in db.execute("SELECT name FROM schema_migrations")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is not a usable session database: {exc}") from None
    known = {name for name, _ in MIGRATIONS}
    if done - known:
        raise StoreError(f"{path} was written by a newer version "
                         f"(unknown migrations: {sorted(done - known)})")
    for name, fn in MIGRATIONS:
        if name in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            fn(db)
            db.execute("INSERT INTO schema_migrations VALUES (?, ?)", (name, time.time()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
