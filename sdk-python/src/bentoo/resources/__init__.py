"""One module per API resource, mirroring the JS SDK: ``chat``, ``responses``,
``models``, ``key`` and ``audit``."""

from .audit import Audit, Logs
from .chat import Chat, Completions
from .key import Key
from .models import Models
from .responses import Responses

__all__ = ["Audit", "Logs", "Chat", "Completions", "Key", "Models", "Responses"]
