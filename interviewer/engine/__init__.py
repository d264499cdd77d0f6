"""The interview engine: turn classification, fact matching, the interview policy and its
vocabulary (``SessionState``, ``Move``), and ``Engine`` (in ``interviewer.engine.engine``)."""
