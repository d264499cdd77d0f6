"""Settings: which model speaks and grades, the key (memory only), embeddings, the knowledge index."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import components, resources

PROVIDERS = {
    "offline": "Offline (no model, no network)",
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "ollama": "Ollama (local server)",
    "openai-compatible": "OpenAI-compatible server (base URL)",
}
DEFAULT_MODELS = {"openai": "gpt-4o-mini", "anthropic": "claude-3-5-haiku-latest", "ollama": "llama3.1",
                  "openai-compatible": "gpt-4o-mini"}

st.title("Settings")
st.caption("Choices here last for this browser tab. For permanent ones use `INTERVIEWER_*` "
           "environment variables or a `.env` file (see `interviewer config`).")

with components.user_errors("Reading the settings"):
    current = resources.settings()
    effective = current.effective_model()
    provider_now, _, model_now = effective.partition(":")
    if provider_now == "openai" and current.base_url:
        provider_now = "openai-compatible"

    left, right = st.columns(2, gap="large")
    with left:
        # ---- model ----------------------------------------------------------------------------
        st.subheader("Model", anchor=False)
        with st.form("model_form", border=True):
            provider = st.selectbox("Provider", list(PROVIDERS), format_func=lambda k: PROVIDERS.get(k, k),
                                    index=list(PROVIDERS).index(provider_now) if provider_now in PROVIDERS else 0)
            model = st.text_input("Model", value=model_now or "",
                                  placeholder="e.g. " + DEFAULT_MODELS.get(provider, "gpt-4o-mini"),
                                  help="The provider's model name. Ignored when offline.")
            base_url = st.text_input("Base URL", value=current.base_url or "",
                                     placeholder="http://localhost:8000/v1",
                                     help="For an OpenAI-compatible server or a remote Ollama.")
            key = st.text_input("API key", type="password", value=resources.api_key() or "",
                                help="Kept in this tab's memory only: never written to disk, "
                                     "the database, logs or reports.")
            saved = st.form_submit_button("Apply", type="primary")
        if saved:
            if provider == "offline":
                chosen = "offline"
            else:
                name = (model or "").strip() or DEFAULT_MODELS[provider]
                chosen = f"{'openai' if provider == 'openai-compatible' else provider}:{name}"
            overrides = dict(st.session_state.get(resources.OVERRIDES_STATE, {}))
            overrides.update({"model": chosen, "base_url": base_url})
            st.session_state[resources.OVERRIDES_STATE] = overrides
            st.session_state[resources.KEY_STATE] = key
            st.toast(f"Model set to {chosen}", icon=":material/check:")
            st.rerun()

        if st.button("Test connection", icon=":material/network_check:"):
            from interviewer.llm.chat import check_connection

            with st.spinner("Asking the model for a short reply…"):
                ok, message, latency = check_connection(resources.settings(), api_key=resources.api_key())
            if ok:
                st.success(message)
            else:
                st.error(message)

    with right:
        # ---- embeddings ---------------------------------------------------------------------
        st.subheader("Embeddings", anchor=False)
        local = (current.embeddings or "local") == "local"
        with st.form("emb_form", border=True):
            kind = st.radio("Embeddings", ["local", "provider"], horizontal=True, index=0 if local else 1,
                            format_func={"local": "Local all-MiniLM-L6-v2 (bundled, offline)",
                                         "provider": "A provider's model"}.get)
            spec = st.text_input("Provider embeddings", value="" if local else current.embeddings,
                                 placeholder="openai:text-embedding-3-small",
                                 help="'provider:model'. Each embeddings choice has its own index.")
            emb_saved = st.form_submit_button("Apply embeddings")
        if emb_saved:
            chosen = "local" if kind == "local" else spec.strip()
            if kind == "provider" and ":" not in chosen:
                st.error("Write the provider's embeddings as 'provider:model', e.g. openai:text-embedding-3-small.")
            else:
                overrides = dict(st.session_state.get(resources.OVERRIDES_STATE, {}))
                overrides["embeddings"] = chosen
                st.session_state[resources.OVERRIDES_STATE] = overrides
                st.toast(f"Embeddings set to {chosen}", icon=":material/check:")
                st.rerun()

        # ---- knowledge ------------------------------------------------------------------------
        st.subheader("Knowledge", anchor=False)
        st.caption(f"Built-in guides: `{current.knowledge_dir}` · index under `{current.home}`")
        folder = st.text_input("Folder or file to ingest (optional)", placeholder=str(current.knowledge_dir),
                               help="Markdown, text or PDF. Leave empty to re-ingest the built-in guides.")
        if st.button("Re-ingest knowledge", icon=":material/sync:"):
            target = Path(folder.strip()).expanduser() if folder.strip() else current.knowledge_dir
            if not target.exists():
                st.error(f"Not found: {target}")
            else:
                with components.user_errors("Ingesting"):
                    summary = components.ingest_with_progress(resources.knowledge(current), [target])
                    resources.reset_knowledge()
                    line = summary.line() if hasattr(summary, "line") else str(summary)
                    st.success(line)
                    for err in getattr(summary, "errors", [])[:20]:
                        st.warning(err)
