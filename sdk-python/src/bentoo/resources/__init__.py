"""One module per API resource, mirroring the JS SDK: ``chat``, ``models``,
``key`` and ``audit``."""

from .audit import Audit, Logs
from .chat import Chat, Completions
from .key import Key
from .models import Models

__all__ = ["Audit", "Logs", "Chat", "Completions", "Key", "Models"]
