"""Shared resources for the app, cached once per server process with ``st.cache_resource``.

Each getter is keyed by the settings that shape the resource (data directory, model, embeddings),
so a second data directory (e.g. another test) gets its own engine and store. The API key typed
on the Settings page lives only in ``st.session_state`` (memory): it reaches services inside an
in-memory ``Settings`` copy, and only a short hash of it is part of a cache key.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import streamlit as st
from pydantic import SecretStr

from interviewer.config.settings import Settings
from interviewer.knowledge.service import KnowledgeBase
from interviewer.services import Services

KEY_STATE = "api_key"              # the key typed on the Settings page (memory only)
OVERRIDES_STATE = "settings_overrides"  # model / base_url / embeddings chosen on the Settings page
OVERRIDABLE = ("model", "base_url", "embeddings")


def api_key() -> str | None:
    key = (st.session_state.get(KEY_STATE) or "").strip()
    return key or None


def settings() -> Settings:
    """The effective settings for this browser session: environment/.env, then the
    Settings page's choices, then the in-memory key."""
    base = Settings()
    update: dict[str, Any] = {}
    for name, value in st.session_state.get(OVERRIDES_STATE, {}).items():
        if name in OVERRIDABLE:
            update[name] = (value.strip() or None) if isinstance(value, str) else value
    if update.get("embeddings") is None:
        update.pop("embeddings", None)
    key = api_key()
    if key:
        update["api_key"] = SecretStr(key)
    return base.model_copy(update=update) if update else base


def fingerprint(s: Settings) -> str:
    """A cache key for everything that shapes a resource; the key only as a short hash."""
    data = s.model_dump(mode="json", exclude={"api_key"})
    secret = s.api_key.get_secret_value() if s.api_key else ""
    data["api_key_hash"] = hashlib.sha256(secret.encode()).hexdigest()[:12] if secret else ""
    return json.dumps(data, sort_keys=True)


# ---- cached getters (underscore arguments are not hashed by Streamlit) -----------------------
@st.cache_resource(show_spinner="Preparing the knowledge base…")
def _knowledge(key: str, _settings: Settings):
    """One knowledge base per data directory and embeddings, shared by every tab's services."""
    return KnowledgeBase(_settings)


@st.cache_resource(show_spinner="Starting the interviewer…")
def _services(key: str, _settings: Settings) -> Services:
    return Services.from_settings(_settings, knowledge=knowledge(_settings))


def _knowledge_key(s: Settings) -> str:
    return json.dumps([str(s.home), s.embeddings, s.chroma_url, str(s.knowledge_dir)])


def services(s: Settings | None = None) -> Services:
    """The composition root for this tab's effective settings (cached per server process)."""
    s = s or settings()
    return _services(fingerprint(s), s)


def knowledge(s: Settings | None = None):
    s = s or settings()
    return _knowledge(_knowledge_key(s), s)


def engine(s: Settings | None = None):
    return services(s).engine


def store(s: Settings | None = None):
    return services(s).store


def bank(s: Settings | None = None):
    return services(s).bank


def flow(s: Settings | None = None):
    return services(s).flow


def reset_knowledge() -> None:
    """Forget cached knowledge bases and services (after a re-ingest or an embeddings change)."""
    _knowledge.clear()
    _services.clear()


@st.cache_resource(show_spinner=False)
def _warm(key: str, _settings: Settings):
    """Load the embedding model and the listener, and index the built-in guides, in the
    background once per data directory, so the first answer, hint or grade does not wait."""
    import logging
    import threading

    kb = knowledge(_settings)          # fetched here: the thread has no Streamlit context
    sv = services(_settings)

    def work() -> None:
        try:
            sv.listener()
            kb.ensure_ready()
        except Exception as exc:  # shown when the page needs the knowledge; here only logged
            logging.getLogger("interviewer.ui").warning("warm-up failed: %s", exc)

    thread = threading.Thread(target=work, name="interviewer-warmup", daemon=True)
    thread.start()
    return thread


def warm_up(s: Settings | None = None):
    s = s or settings()
    return _warm(_knowledge_key(s), s)
