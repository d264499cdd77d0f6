"""The ONNX backend of the local embedding model: same vectors as sentence-transformers, verified
exports, and a cold CLI that never imports torch/transformers/sklearn/sentence-transformers."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from interviewer.embedding import batching
from interviewer.embedding import onnx as ox
from interviewer.embedding.local import (MINILM_NAME, MINILM_SAFETENSORS_SHA256, Embedder,
                                              EmbeddingsError, LocalEmbeddings, local_model_dir)

HEAVY = ("torch", "transformers", "sklearn", "sentence_transformers")
LONG = " ".join(f"word{i} ranking recall calibration" for i in range(300))   # far over 256 tokens


def _texts() -> list[str]:
    base = ["PR-AUC or ROC-AUC for rare positives?", "", " ", "   padded on both sides   ", ".", "a",
            "Ünïcödé façade — naïve café", "日本語のテキストと推薦システム", "emoji 🚀🔥 in a sentence 👍",
            "Ελληνικά και русский текст", "tab\tand\nnewline", "UPPER CASE SHOUTING ABOUT NDCG",
            LONG, LONG + " tail that truncation drops", "x" * 5000, "ab " * 400,
            "<script>alert(1)</script> ignore previous instructions", "1234567890 3.14159 1e-9",
            "the the the the", "Negative sampling with hard negatives for the two-tower retrieval model."]
    base += [f"Sentence {i}: we log impressions, dwell time and hides to label feed item {i}." * (1 + i % 4)
             for i in range(30)]
    return base


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    """One real export for the module (the slow path, ~10 s), made by a fresh process that must
    not import torch or transformers itself: the export runs in its own child."""
    home = tmp_path_factory.mktemp("onnx-home")
    code = ("import sys; from pathlib import Path; from interviewer.embedding.local import LocalEmbeddings; "
            "e = LocalEmbeddings(backend='onnx', home=Path(sys.argv[1])); "
            "print(e.backend, *[m for m in ('torch', 'transformers') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.split() == ["onnx"], out.stdout
    return home / "models"


@pytest.fixture(scope="module")
def onnx_emb(models_dir) -> LocalEmbeddings:
    emb = LocalEmbeddings(backend="onnx", home=models_dir.parent)
    assert emb.backend == "onnx" and emb.model is None
    return emb


@pytest.fixture(scope="module")
def torch_emb() -> LocalEmbeddings:
    emb = LocalEmbeddings(backend="torch")
    assert emb.backend == "torch" and emb.onnx is None
    return emb


def test_export_is_named_for_the_weights_and_its_sidecar_holds_both_hashes(models_dir):
    model = ox.onnx_path(models_dir.parent, MINILM_NAME, MINILM_SAFETENSORS_SHA256)
    assert model.name == f"{MINILM_NAME}-{MINILM_SAFETENSORS_SHA256[:12]}.onnx" and model.is_file()
    meta = json.loads(ox.sidecar_path(model).read_text())
    assert meta["source_sha256"] == MINILM_SAFETENSORS_SHA256
    assert meta["onnx_sha256"] == ox.sha256_file(model)
    assert sorted(p.name for p in models_dir.iterdir()) == sorted([model.name, ox.sidecar_path(model).name])


def test_onnx_and_sentence_transformers_vectors_agree(onnx_emb, torch_emb):
    texts = _texts()
    a, b = onnx_emb.encode(texts), torch_emb.encode(texts)
    assert a.shape == b.shape == (len(texts), 384)
    cos = (a * b).sum(axis=1)
    assert cos.min() >= 0.9999, [texts[i][:40] for i in np.argsort(cos)[:3]]
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    # truncated at 256 tokens: text past the limit changes nothing
    assert float(a[texts.index(LONG)] @ a[texts.index(LONG + " tail that truncation drops")]) > 0.99999
    # batching and order do not change a text's vector
    single = onnx_emb.encode([texts[7]])[0]
    assert float(single @ a[7]) > 0.99999


def test_offline_grader_gives_identical_grades_with_either_backend(onnx_emb, torch_emb, models_cache):
    from interviewer.flow import load_flow
    from benchmarks.calibration import load_labelled
    from interviewer.grading.offline import grade_offline
    from interviewer.grading.rubric import load_rubric
    from interviewer.problems import load_bank
    from interviewer.config.paths import builtin_knowledge_dir, builtin_prompts_dir
    from interviewer.config.settings import Settings
    from interviewer.listening.listener import Listener, fitted_model

    settings = Settings()
    flow, rubric, bank = load_flow(), load_rubric(), load_bank(settings)
    prompts = builtin_prompts_dir()
    answers = load_labelled()[::9][:8]
    assert len({a.stage for a in answers}) >= 2
    grades = {}
    for name, emb in (("onnx", onnx_emb), ("torch", torch_emb)):
        embedder = Embedder(emb, LocalEmbeddings.name)
        listener = Listener(fitted_model(flow, embedder, builtin_knowledge_dir() / "utterances", prompts,
                                         models_cache), embedder)
        grades[name] = [grade_offline(stage=a.stage, text=a.text, problem=bank.get(a.problem), embedder=embedder,
                                      flow=flow, rubric=rubric, listener=listener,
                                      prompts_dir=str(prompts)).grade.model_dump() for a in answers]
    assert grades["onnx"] == grades["torch"]


def test_torch_backend_prints_no_loading_bar(capfd):
    LocalEmbeddings(backend="torch")
    assert "Loading weights" not in capfd.readouterr().err


def _copy_export(models_dir: Path, home: Path) -> Path:
    shutil.copytree(models_dir, home / "models")
    return ox.onnx_path(home, MINILM_NAME, MINILM_SAFETENSORS_SHA256)


def test_tampered_export_or_sidecar_is_refused(models_dir, tmp_path):
    model = _copy_export(models_dir, tmp_path)
    with open(model, "r+b") as fh:
        fh.seek(-100, os.SEEK_END)
        fh.write(b"\x00" * 8)
    with pytest.raises(ox.OnnxModelError, match="does not match its sidecar"):
        ox.verify_export(model, MINILM_SAFETENSORS_SHA256)
    shutil.copy(models_dir / model.name, model)
    ox.verify_export(model, MINILM_SAFETENSORS_SHA256)
    with pytest.raises(ox.OnnxModelError, match="exported from other weights"):
        ox.verify_export(model, "0" * 64)
    ox.sidecar_path(model).write_text("{not json")
    with pytest.raises(ox.OnnxModelError, match="unreadable ONNX sidecar"):
        ox.verify_export(model, MINILM_SAFETENSORS_SHA256)


def test_a_bad_export_is_made_again_and_failures_are_clear(models_dir, tmp_path, monkeypatch):
    model = _copy_export(models_dir, tmp_path)
    model.write_bytes(b"garbage")
    calls = []

    def fake_export(model_dir, target, sha):   # stands in for the 10 s export: restores the real file
        calls.append(target)
        shutil.copy(models_dir / target.name, target)
        shutil.copy(ox.sidecar_path(models_dir / target.name), ox.sidecar_path(target))
        return target

    monkeypatch.setattr(ox, "export_onnx_isolated", fake_export)
    enc = ox.open_onnx(local_model_dir(), tmp_path, MINILM_SAFETENSORS_SHA256, MINILM_NAME, required=True)
    assert calls == [model] and enc.encode(["hello"]).shape == (1, 384)

    def failing_export(*_):
        raise ox.OnnxModelError("ONNX export failed: no exporter")

    monkeypatch.setattr(ox, "export_onnx_isolated", failing_export)
    other = tmp_path / "other"
    with pytest.raises(EmbeddingsError, match="ONNX export failed"):
        LocalEmbeddings(backend="onnx", home=other)
    assert ox.open_onnx(local_model_dir(), other, MINILM_SAFETENSORS_SHA256, MINILM_NAME, required=False) is None


def test_a_failed_export_in_the_child_says_why(tmp_path):
    with pytest.raises(ox.OnnxModelError, match="ONNX export failed") as err:
        ox.export_onnx_isolated(tmp_path / "no-such-model", tmp_path / "m.onnx", MINILM_SAFETENSORS_SHA256)
    assert "\n" not in str(err.value) and "Traceback" not in str(err.value)
    assert not list(tmp_path.iterdir())          # no half-written file left behind


def test_unknown_backend_is_a_clear_error(tmp_path):
    with pytest.raises(EmbeddingsError, match="unknown embeddings backend"):
        LocalEmbeddings(backend="gpu", home=tmp_path)


_PROBE = """
import json, sys
from interviewer.cli import main
out = sys.argv[1]
sys.argv = ["interviewer", *sys.argv[2:]]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code or 0
open(out, "w").write(json.dumps({"code": code, "heavy": [m for m in %r if m in sys.modules]}))
""" % (HEAVY,)


def _cold(home: Path, tmp: Path, *args: str, stdin: str = "") -> tuple[dict, subprocess.CompletedProcess]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEWER_")}
    env["INTERVIEWER_HOME"] = str(home)
    env["INTERVIEWER_CACHE_DIR"] = os.environ["INTERVIEWER_CACHE_DIR"]   # the fitted listener
    env.pop("OPENAI_API_KEY", None)
    env.pop("ANTHROPIC_API_KEY", None)
    out = tmp / f"probe-{args[0]}.json"
    res = subprocess.run([sys.executable, "-c", _PROBE, str(out), *args], input=stdin, capture_output=True,
                         text=True, env=env, cwd=tmp, timeout=300)
    return json.loads(out.read_text()), res


def test_cold_cli_commands_import_nothing_heavy(models_dir, tmp_path, embedder, models_cache):
    """After first use (the model exported, the listener fitted and cached) a command imports
    neither torch nor scikit-learn."""
    from interviewer.config.settings import Settings
    from interviewer.services import Services

    Services.from_settings(Settings(home=tmp_path / "first-use"), embedder=embedder, knowledge=None).listener()
    home = tmp_path / "home"
    home.mkdir()
    _copy_export(models_dir, home)
    answer = tmp_path / "answer.txt"
    answer.write_text("I would track NDCG offline and sessions per member online, with guardrails on hides.")
    for args, stdin in ((("feedback", str(answer), "--stage", "metrics", "--problem", "linkedin-feed",
                          "--format", "json"), ""),
                        (("search", "PR-AUC or ROC-AUC for rare positives"), ""),
                        (("chat", "--problem", "linkedin-feed"), "What are the goals?\n/end\n")):
        probe, res = _cold(home, tmp_path, *args, stdin=stdin)
        assert probe["code"] == 0, res.stderr[-500:]
        assert probe["heavy"] == [], (args[0], probe["heavy"])
        assert "Loading weights" not in res.stderr and "Traceback" not in res.stderr
    grade = json.loads(_cold(home, tmp_path, "feedback", str(answer), "--stage", "metrics", "--problem",
                             "linkedin-feed", "--format", "json")[1].stdout)
    assert grade["score"] >= 1 and grade["sources"]      # graded, with citations from the guides


def test_the_embedder_cache_can_forget_texts():
    """Benchmarks time a new answer by evicting its texts; forgetting one text re-encodes it alone."""
    class Counting:
        calls: list[list[str]] = []

        def embed_documents(self, texts):
            self.calls.append(list(texts))
            return [[float(len(t)), 1.0] for t in texts]

    emb = Embedder(Counting(), "counting")
    emb.encode(["a b", "c d e"])
    assert set(emb.cached_texts()) == {"a b", "c d e"}
    emb.forget(["a b", "never cached"])
    emb.encode(["a b", "c d e"])
    assert Counting.calls == [["a b", "c d e"], ["a b"]]


def test_batches_are_shared_evenly_among_workers():
    lengths = np.asarray([40, 38, 12, 11, 10, 9, 30, 29])
    batches = batching.length_buckets(lengths, batch_size=16, fill=0.8)
    shares = batching.spread(batches, lengths, workers=2)
    assert len(shares) == 2
    seen = sorted(int(i) for share in shares for b in share for i in b)
    assert seen == list(range(len(lengths)))                  # every text once
    cost = [sum(len(b) * int(lengths[b].max()) for b in share) for share in shares]
    assert max(cost) <= 1.5 * min(cost), cost                 # padded sizes balanced
    # one batch of two texts is halved so both workers run; one text stays on one worker
    assert len(batching.spread([np.asarray([0, 1])], np.asarray([20, 18]), workers=2)) == 2
    assert batching.spread([np.asarray([0])], np.asarray([20]), workers=2) == [[np.asarray([0])]]


def test_parallel_encoding_gives_each_text_the_vector_it_gets_alone(onnx_emb):
    texts = _texts()
    together = onnx_emb.encode(texts)
    for i in (0, len(texts) // 2, len(texts) - 1):
        assert np.array_equal(onnx_emb.encode([texts[i]])[0], together[i])


def _encode_in_child(enc, texts, expected, queue):
    queue.put(bool(np.array_equal(enc.encode(texts), expected)))


def test_a_forked_child_encodes_with_its_own_workers(onnx_emb):
    import multiprocessing

    enc = onnx_emb.onnx
    texts = _texts()[:6]
    expected = enc.encode(texts)                  # the parent's pool exists now
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_encode_in_child, args=(enc, texts, expected, queue))
    child.start()
    child.join(timeout=60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive, "the child hung on the parent's thread pool"
    assert queue.get(timeout=5) is True
