"""The engine saves each turn and its reply itself: nobody has to read the reply for it to be kept.

The LLM voice here is a LangChain fake chat model; the store is the real SQLite file, reopened
to check what was committed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from typing import Any, Iterator

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage

from interviewer.engine.classify import Command, TurnKind
from interviewer.engine.moves import MoveKind
from interviewer.storage.sessions import Store
from interviewer.voice.llm_voice import LLMVoice
from llm_fakes import fast_retry, text_model

REPLY = "Fair enough. Let us get back to the feed: what would you optimise for?"


class GatedModel(GenericFakeChatModel):
    """Streams its reply only once ``gate`` is set, so a test can look before the voice finishes."""

    gate: Any = None

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        if not self.gate.wait(30):
            raise TimeoutError("the test never opened the gate")
        yield from super()._stream(*args, **kwargs)


def _engine(settings, chat_model):
    from interviewer.services import Services

    voice = LLMVoice(settings, chat_model=chat_model, retry=fast_retry())
    return Services.from_settings(settings, voice=voice, knowledge=None).engine


def _reopened(settings, sid: str):
    store = Store(settings.db_path)
    try:
        return store.turns(sid), store.load_state(sid)
    finally:
        store.close()


def test_an_llm_reply_nobody_reads_is_saved_when_the_voice_finishes(settings):
    gate = threading.Event()
    gate.set()
    model = GatedModel(messages=iter([AIMessage(content="Welcome."), AIMessage(content=REPLY)]), gate=gate)
    engine = _engine(settings, model)
    start = engine.start("linkedin-feed")
    assert start.wait(30) and start.saved
    gate.clear()
    reply = engine.take_turn(start.session_id, "tell me a joke")      # never streamed, never read
    assert reply.kind == MoveKind.REDIRECT and not reply.done
    turns, _ = _reopened(settings, start.session_id)
    assert [t.role for t in turns] == ["interviewer", "candidate"]     # the words are kept at once
    gate.set()                                                          # the voice finishes
    assert reply.wait(30) and reply.saved
    turns, state = _reopened(settings, start.session_id)
    assert [(t.role, t.kind) for t in turns] == [("interviewer", "welcome"), ("candidate", "offtopic"),
                                                 ("interviewer", "redirect")]
    assert turns[-1].text == REPLY
    assert state.stage == engine.flow.stage_ids[0]


def test_a_process_that_exits_without_reading_the_reply_still_saves_it(settings, interviewer_home):
    script = textwrap.dedent(f"""
        import time
        from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
        from langchain_core.messages import AIMessage
        from interviewer.config.settings import Settings
        from interviewer.services import Services
        from interviewer.voice.llm_voice import LLMVoice

        class Slow(GenericFakeChatModel):
            def _stream(self, *a, **kw):
                for chunk in super()._stream(*a, **kw):
                    time.sleep(0.02)
                    yield chunk

        settings = Settings()
        model = Slow(messages=iter([AIMessage(content="Welcome."), AIMessage(content={REPLY!r})]))
        engine = Services.from_settings(settings, voice=LLMVoice(settings, chat_model=model),
                                        knowledge=None).engine
        sid = engine.start("linkedin-feed").session_id
        reply = engine.take_turn(sid, "tell me a joke")
        assert not reply.done
        print(sid)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [os.getcwd(), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    sid = proc.stdout.strip().splitlines()[-1]
    turns, _ = _reopened(settings, sid)
    assert [t.role for t in turns] == ["interviewer", "candidate", "interviewer"]
    assert turns[-1].text == REPLY


def test_commands_are_typed_turns_not_text_sent_to_the_classifier(settings, monkeypatch):
    import interviewer.engine.engine as engine_module

    engine = _engine(settings, text_model("Noted."))
    sid = engine.start("linkedin-feed").session_id
    monkeypatch.setattr(engine_module, "classify_drawn",
                        lambda text: (_ for _ in ()).throw(AssertionError("classified " + text)))
    nxt = engine.command(sid, Command.NEXT)
    assert nxt.kind == MoveKind.ADVANCE and nxt.stage == engine.flow.stage_ids[1]
    end = engine.end(sid)
    assert end.kind == MoveKind.END and end.ended and end.wait(30) and end.saved
    history = engine.history(sid)
    asked = [(e.turn_kind, e.command) for e in history if e.role == "candidate"]
    assert asked == [(TurnKind.NEXT, Command.NEXT), (TurnKind.END, Command.END)]
    assert [e.moves for e in history if e.role == "interviewer"][-1] == (MoveKind.END,)


def test_a_typed_command_is_recorded_as_one_and_words_are_not(settings):
    engine = _engine(settings, text_model("Noted."))
    sid = engine.start("linkedin-feed").session_id
    engine.take_turn(sid, "/hint")
    engine.take_turn(sid, "tell me a joke")
    candidate = [e for e in engine.history(sid) if e.role == "candidate"]
    assert [(e.turn_kind, e.command) for e in candidate] == [(TurnKind.HINT, Command.HINT),
                                                             (TurnKind.OFFTOPIC, None)]
    hint = [e for e in engine.history(sid) if e.role == "interviewer"][1]
    assert hint.is_hint
