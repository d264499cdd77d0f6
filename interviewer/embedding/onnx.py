"""all-MiniLM-L6-v2 through onnxruntime: the same verified weights, without torch at run time.

Importing sentence-transformers (transformers, sklearn) and torch costs several seconds per
process, more than the rest of ``interviewer feedback``. So on first use the verified
safetensors are loaded once with transformers + torch and exported to ONNX under
``settings.home / "models"``, beside a sidecar JSON holding the source weights' sha256 and the
ONNX file's sha256; both are checked on every load. Inference then needs only onnxruntime,
``tokenizers`` and numpy, and reproduces sentence-transformers for this model: truncation to
``max_seq_length`` (256) tokens, padding to the longest text of a batch, mean pooling over the
attention mask, L2 normalisation.

This module imports neither torch nor transformers at import time (``export_onnx`` does, lazily,
and runs in a child process: ``export_onnx_isolated``).
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from interviewer.config.datafiles import sha256_file
from interviewer.embedding.batching import length_buckets, spread

log = logging.getLogger(__name__)

DIM = 384
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OPSET = 17
# workers of new encoders: the cores, up to 4. Each runs its own batches on a one-thread session
# (``OnnxEncoder``); spinning is off, so idle threads sleep.
_default_threads = max(1, min(4, os.cpu_count() or 1))


class OnnxModelError(RuntimeError):
    """The exported ONNX model is missing, unverifiable or could not be built."""


def set_default_threads(n: int) -> None:
    """Workers of encoders created from now on."""
    global _default_threads
    _default_threads = max(1, int(n))



def onnx_path(home: Path, name: str, weights_sha256: str) -> Path:
    return Path(home) / "models" / f"{name}-{weights_sha256[:12]}.onnx"


def sidecar_path(model: Path) -> Path:
    return model.with_suffix(".json")


def max_seq_length(model_dir: Path) -> int:
    try:
        cfg = json.loads((Path(model_dir) / "sentence_bert_config.json").read_text(encoding="utf-8"))
        return int(cfg["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OnnxModelError(f"cannot read max_seq_length from {model_dir}: {exc}") from None


def verify_export(model: Path, weights_sha256: str) -> None:
    """Raise OnnxModelError unless ``model`` and its sidecar match each other and the weights."""
    side = sidecar_path(model)
    if not model.is_file() or not side.is_file():
        raise OnnxModelError(f"no exported ONNX model at {model}")
    try:
        meta = json.loads(side.read_text(encoding="utf-8"))
        source, onnx_sha = str(meta["source_sha256"]), str(meta["onnx_sha256"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise OnnxModelError(f"unreadable ONNX sidecar {side}: {exc}") from None
    if source != weights_sha256:
        raise OnnxModelError(f"{model.name} was exported from other weights "
                             f"(sha256 {source[:12]}…, expected {weights_sha256[:12]}…)")
    actual = sha256_file(model)
    if actual != onnx_sha:
        raise OnnxModelError(f"{model.name} does not match its sidecar "
                             f"(sha256 {actual[:12]}…, expected {onnx_sha[:12]}…)")


def export_onnx(model_dir: Path, target: Path, weights_sha256: str) -> Path:
    """Export the (already verified) weights in ``model_dir`` to ``target`` plus its sidecar.

    Slow (loads torch and transformers, ~10 s); runs once per data directory. Written to
    temporary names and renamed, so a concurrent or interrupted export leaves no half file.
    """
    import warnings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError as exc:  # pragma: no cover - dependencies of the package
        raise OnnxModelError(f"cannot export to ONNX: {exc}") from None
    hf_logging.disable_progress_bar()

    class _LastHidden(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.model(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()
        ids = torch.ones((2, 8), dtype=torch.long)
        axes = {name: {0: "batch", 1: "tokens"} for name in (*INPUTS, "last_hidden_state")}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            # the classic (TorchScript) exporter: the dynamo one would need onnxscript
            torch.onnx.export(_LastHidden(model), (ids, ids, torch.zeros_like(ids)), str(tmp),
                              dynamo=False, input_names=list(INPUTS), output_names=["last_hidden_state"],
                              dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True)
        meta = {"source_sha256": weights_sha256, "onnx_sha256": sha256_file(tmp), "opset": OPSET,
                "torch": torch.__version__, "inputs": list(INPUTS), "output": "last_hidden_state"}
        side_tmp = tmp.with_suffix(".json.tmp")
        side_tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, target)
        os.replace(side_tmp, sidecar_path(target))
    except OnnxModelError:
        raise
    except Exception as exc:
        raise OnnxModelError(f"ONNX export failed: {' '.join(str(exc).split())[:200]}") from None
    finally:
        for leftover in (tmp, tmp.with_suffix(".json.tmp")):
            leftover.unlink(missing_ok=True)
    log.info("exported %s to %s", model_dir, target)
    return target


# The export in a child process: the parent (chat, the Streamlit app) never imports torch, which
# stays resident once loaded; the first chat on a new data directory peaked at 1.05 GB with
# the export in-process (the export alone takes ~780 MB) and torch would sit in the app for good.
_EXPORT_CHILD = """
import sys
from pathlib import Path
from interviewer.embedding.onnx import OnnxModelError, export_onnx
try:
    export_onnx(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
except OnnxModelError as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
"""
EXPORT_TIMEOUT_S = 600


def export_onnx_isolated(model_dir: Path, target: Path, weights_sha256: str) -> Path:
    """``export_onnx`` in a child Python process; its failure is an OnnxModelError with the
    child's own one-line reason."""
    cmd = [sys.executable, "-c", _EXPORT_CHILD, str(model_dir), str(target), weights_sha256]
    # the child imports this package from where the parent did, installed or not
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=EXPORT_TIMEOUT_S, env=env)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OnnxModelError(f"ONNX export failed: {' '.join(str(exc).split())[:200]}") from None
    if res.returncode != 0:
        lines = [ln.strip() for ln in res.stderr.splitlines() if ln.strip()]
        reason = lines[-1] if lines else f"exit code {res.returncode}"
        if res.returncode != 3:
            reason = f"ONNX export failed: {reason}"
        raise OnnxModelError(reason[:300])
    return target


class OnnxEncoder:
    """Sentence embeddings from an exported, verified ONNX model (no torch import)."""

    def __init__(self, model: Path, model_dir: Path, weights_sha256: str, threads: int | None = None):
        verify_export(model, weights_sha256)
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:  # pragma: no cover - dependencies of the package
            raise OnnxModelError(f"ONNX inference unavailable: {exc}") from None
        tok_file = Path(model_dir) / "tokenizer.json"
        try:
            self.tokenizer = Tokenizer.from_file(str(tok_file))
        except Exception as exc:
            raise OnnxModelError(f"cannot load {tok_file}: {exc}") from None
        # as sentence-transformers: truncate to max_seq_length, pad to the batch's longest text
        self.max_length = max_seq_length(model_dir)
        self.tokenizer.enable_truncation(max_length=self.max_length)
        pad_id = self.tokenizer.token_to_id("[PAD]")
        self.tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
        opts = ort.SessionOptions()
        # one thread per run, and the runs of a text list's batches spread over ``workers``
        # threads: on 2 cores a 300-word answer (47 texts, ~870 tokens) took 155 ms this way
        # against 185 ms as one two-thread run per batch (the batches are small matrices, where
        # splitting each product over threads costs more than it saves)
        opts.intra_op_num_threads = 1
        self.workers = max(1, threads or _default_threads)
        self._pool = None
        self._pool_pid = 0
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(model), sess_options=opts,
                                                providers=["CPUExecutionProvider"])
        except Exception as exc:
            raise OnnxModelError(f"cannot load {model.name}: {' '.join(str(exc).split())[:200]}") from None
        self._lock = threading.Lock()

    def _batch(self, texts: list[str]) -> np.ndarray:
        encs = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        types = np.array([e.type_ids for e in encs], dtype=np.int64)
        return self._run(ids, mask, types)

    def _run(self, ids: np.ndarray, mask: np.ndarray, types: np.ndarray) -> np.ndarray:
        (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types})
        m = mask[:, :, None].astype(np.float32)
        pooled = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        texts = [str(t) for t in texts]
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        with self._lock:
            encs = self.tokenizer.encode_batch(texts)       # padded to the longest of all
            ids = np.array([e.ids for e in encs], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
            types = np.array([e.type_ids for e in encs], dtype=np.int64)
            lengths = mask.sum(axis=1)

            def run(batches: list[np.ndarray]) -> None:
                for idx in batches:
                    width = int(lengths[idx].max())          # right padding: cut the columns
                    out[idx] = self._run(ids[idx, :width], mask[idx, :width], types[idx, :width])

            shares = spread(length_buckets(lengths), lengths, self.workers)
            if len(shares) == 1:
                run(shares[0])
            else:
                if self._pool is None or self._pool_pid != os.getpid():
                    # a forked child inherits the pool but not its threads: it makes its own
                    from concurrent.futures import ThreadPoolExecutor

                    self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="onnx")
                    self._pool_pid = os.getpid()
                for f in [self._pool.submit(run, share) for share in shares]:
                    f.result()
        return out


def open_onnx(model_dir: Path, home: Path, weights_sha256: str, name: str, *, required: bool,
              error: type[Exception] = OnnxModelError) -> OnnxEncoder | None:
    """The ONNX encoder for the verified weights in ``model_dir``, exporting it first if needed.

    A missing or unverifiable export is (re)made; if that fails, ``required`` raises ``error``
    with a one-line reason, else None is returned (the caller uses sentence-transformers).
    """
    target = onnx_path(home, name, weights_sha256)
    try:
        return OnnxEncoder(target, model_dir, weights_sha256)
    except OnnxModelError as exc:
        if target.exists() or sidecar_path(target).exists():
            log.warning("re-exporting the ONNX embedding model: %s", exc)
    try:
        export_onnx_isolated(model_dir, target, weights_sha256)
        return OnnxEncoder(target, model_dir, weights_sha256)
    except OnnxModelError as exc:
        if required:
            raise error(str(exc)) from None
        log.warning("ONNX embeddings unavailable, using sentence-transformers: %s", exc)
        return None
