"""One module per API resource, mirroring the JS SDK: ``chat``, ``responses``,
``embeddings``, ``models``, ``key`` and ``audit``."""

from .audit import Audit, Logs
from .chat import Chat, Completions
from .embeddings import Embeddings
from .key import Key
from .models import Models
from .responses import Responses

__all__ = ["Audit", "Logs", "Chat", "Completions", "Embeddings", "Key", "Models", "Responses"]
