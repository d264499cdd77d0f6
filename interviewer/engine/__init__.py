"""The interview engine: turn classification, fact matching, the interview policy, ``Engine``."""

from interviewer.engine.engine import Engine, TurnError
from interviewer.engine.reply import TurnReply

__all__ = ["Engine", "TurnReply", "TurnError"]
