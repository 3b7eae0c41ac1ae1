"""Response shapes as ``TypedDict``s: responses are plain dicts, typed for editors
and type checkers. ``total=False`` marks fields the server may omit."""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict

__all__ = [
    "ChatCompletionMessageParam",
    "FunctionCall",
    "ChatCompletionMessageToolCall",
    "ChatCompletionMessage",
    "Choice",
    "CompletionUsage",
    "ChatCompletion",
    "ChoiceDelta",
    "ChunkChoice",
    "ChatCompletionChunk",
    "ResponseUsage",
    "Response",
    "ResponseStreamEvent",
    "Embedding",
    "EmbeddingUsage",
    "CreateEmbeddingResponse",
    "ModelPricing",
    "Model",
    "ModelList",
    "ApiKeyAccount",
    "ApiKeyRateLimits",
    "ApiKeyCredits",
    "ApiKeyInfo",
    "KeyInfo",
    "AuditRecord",
    "AuditPage",
]


# -- chat completions (https://platform.openai.com/docs/api-reference/chat/object)

class ChatCompletionMessageParam(TypedDict, total=False):
    role: str  # "system" | "developer" | "user" | "assistant" | "tool"
    content: Any  # a string, or a list of content parts
    name: str
    tool_calls: List[Dict[str, Any]]
    tool_call_id: str


class FunctionCall(TypedDict):
    name: str
    arguments: str  # JSON text, as the model wrote it


class ChatCompletionMessageToolCall(TypedDict):
    id: str
    type: Literal["function"]
    function: FunctionCall


class ChatCompletionMessage(TypedDict, total=False):
    role: Literal["assistant"]
    content: Optional[str]
    refusal: Optional[str]
    tool_calls: List[ChatCompletionMessageToolCall]


class Choice(TypedDict, total=False):
    index: int
    message: ChatCompletionMessage
    finish_reason: Optional[str]  # "stop" | "length" | "tool_calls" | "content_filter"
    logprobs: Optional[Dict[str, Any]]


class CompletionUsage(TypedDict, total=False):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost: float  # USD, for display; cost_micros is the exact charge
    cost_micros: int  # integer micro-dollars (1 USD = 1,000,000)
    estimated: bool  # True when tokens were counted by Bentoo, not reported upstream


class ChatCompletion(TypedDict, total=False):
    id: str
    object: Literal["chat.completion"]
    created: int
    model: str
    choices: List[Choice]
    usage: CompletionUsage
    system_fingerprint: Optional[str]


class ChoiceDelta(TypedDict, total=False):
    role: str
    content: Optional[str]
    refusal: Optional[str]
    tool_calls: List[Dict[str, Any]]  # partial tool calls, with an ``index``


class ChunkChoice(TypedDict, total=False):
    index: int
    delta: ChoiceDelta
    finish_reason: Optional[str]
    logprobs: Optional[Dict[str, Any]]


class ChatCompletionChunk(TypedDict, total=False):
    id: str
    object: Literal["chat.completion.chunk"]
    created: int
    model: str
    choices: List[ChunkChoice]
    # Only on the last chunk, with stream_options={"include_usage": True}.
    usage: Optional[CompletionUsage]
    system_fingerprint: Optional[str]


# -- embeddings (https://platform.openai.com/docs/api-reference/embeddings/object)

class Embedding(TypedDict):
    object: Literal["embedding"]
    index: int
    embedding: List[float]  # the base64 text instead when encoding_format="base64" was asked for


class EmbeddingUsage(TypedDict, total=False):
    prompt_tokens: int
    total_tokens: int
    cost: float  # USD (0 on test keys)
    cost_micros: int
    estimated: bool  # Bentoo counted the tokens: the provider reported none


class CreateEmbeddingResponse(TypedDict):
    object: Literal["list"]
    data: List[Embedding]
    model: str
    usage: EmbeddingUsage


# -- responses (https://platform.openai.com/docs/api-reference/responses/object)

class ResponseUsage(TypedDict, total=False):
    input_tokens: int
    input_tokens_details: Dict[str, int]  # cached_tokens, cache_write_tokens
    output_tokens: int
    output_tokens_details: Dict[str, int]  # reasoning_tokens
    total_tokens: int
    cost: float  # USD, display only
    cost_micros: int  # exact integer micro-dollars charged
    estimated: bool  # True when tokens were counted by Bentoo, not reported upstream


class Response(TypedDict, total=False):
    """OpenAI's Response object (https://platform.openai.com/docs/api-reference/responses/object).
    ``output_text`` is added by the SDK, as OpenAI's SDK offers it: the text of
    every ``output_text`` part of the output's messages, joined."""

    id: str  # resp_...
    object: Literal["response"]
    created_at: int
    status: Literal["in_progress", "completed", "incomplete", "failed"]
    error: Optional[Dict[str, Any]]
    incomplete_details: Optional[Dict[str, Any]]
    instructions: Optional[str]
    max_output_tokens: Optional[int]
    model: str
    output: List[Dict[str, Any]]  # message, function_call and reasoning items
    output_text: str
    parallel_tool_calls: bool
    previous_response_id: Optional[str]
    reasoning: Optional[Dict[str, Any]]
    store: bool
    temperature: Optional[float]
    text: Dict[str, Any]
    tool_choice: Any
    tools: List[Dict[str, Any]]
    top_p: Optional[float]
    truncation: Optional[str]
    usage: Optional[ResponseUsage]
    user: Optional[str]
    metadata: Dict[str, str]
    background: bool


# One semantic event of a Responses stream: ``type`` names it (``response.created``,
# ``response.output_text.delta``, ... ``response.completed``), ``sequence_number``
# orders it, and its other members depend on the type.
ResponseStreamEvent = Dict[str, Any]


# -- models

class ModelPricing(TypedDict, total=False):
    currency: Literal["USD"]
    input_per_mtok: float  # USD per million input tokens
    output_per_mtok: float  # USD per million output tokens
    # Prompt-cache prices, when the catalog sets them (cached tokens otherwise cost the input price).
    cache_read_per_mtok: float
    cache_write_per_mtok: float


class Model(TypedDict, total=False):
    id: str  # "provider/name", e.g. "openai/gpt-6.2-sol"
    object: Literal["model"]
    created: int
    owned_by: str
    kind: Literal["chat", "embedding"]  # embedding models are served by client.embeddings.create
    context_length: int
    max_output_tokens: Optional[int]
    dimensions: Optional[int]  # embedding models: the vector length (None for chat models)
    min_dimensions: Optional[int]  # embedding models: the least `dimensions` taken (None: cannot shorten, or a chat model)
    pricing: ModelPricing
    providers: List[str]  # the providers that serve it, in fallback order
    available: bool  # whether live keys can use it on this server now


class ModelList(TypedDict):
    object: Literal["list"]
    data: List[Model]


# -- the calling key

class ApiKeyAccount(TypedDict):
    id: str
    plan: str  # "free" | "pro" | "enterprise"


class ApiKeyRateLimits(TypedDict):
    requests_per_minute: int
    tokens_per_minute: int


class ApiKeyCredits(TypedDict):
    balance_micros: int
    balance_usd: float
    spends: bool  # whether this key's requests are charged (live keys)


class ApiKeyOwnRateLimits(TypedDict):
    requests_per_minute: Optional[int]  # None: only the account's limit applies
    tokens_per_minute: Optional[int]


class ApiKeySpendCap(TypedDict):
    amount_micros: int
    period: str  # "day" | "week" | "month" | "total" (UTC calendar periods)
    spent_micros: int
    remaining_micros: int
    period_start: Optional[str]
    resets_at: Optional[str]  # None for a "total" cap


class ApiKeyInfo(TypedDict):
    id: str
    object: Literal["api_key"]
    key_id: str  # the key's last 4 characters
    name: str
    mode: Literal["live", "test"]
    account: ApiKeyAccount
    rate_limits: ApiKeyRateLimits  # what applies to this key: its own limits where lower than its account's
    key_rate_limits: ApiKeyOwnRateLimits
    credits: ApiKeyCredits
    scopes: List[str]  # "inference", "audit:read", "key:read"
    models: Optional[List[str]]  # ids and "prefix*" patterns; None: every model
    spend_cap: Optional[ApiKeySpendCap]
    created_at: str
    expires_at: Optional[str]


# The JS SDK's name for the same shape.
KeyInfo = ApiKeyInfo


# -- audit logs

class AuditRecord(TypedDict, total=False):
    id: str
    object: Literal["audit_log"]
    type: Literal["request", "event"]
    event: str  # "api.request", or the management action: "key.created", "key.revoked", ...
    timestamp: str  # RFC 3339
    request_id: Optional[str]
    endpoint: Optional[str]  # the route served, e.g. "/v1/chat/completions"; None for events
    account_id: Optional[str]
    key_id: Optional[str]  # last 4 characters of the key, never the key
    api_key_id: Optional[str]
    key_name: Optional[str]
    model: Optional[str]
    provider: Optional[str]
    status: Optional[int]
    error_code: Optional[str]
    prompt_tokens: Optional[int]
    completion_tokens: Optional[int]
    total_tokens: Optional[int]
    cache_read_tokens: Optional[int]  # part of prompt_tokens read from the provider's prompt cache
    cache_write_tokens: Optional[int]  # part of prompt_tokens written to it
    reasoning_tokens: Optional[int]  # part of completion_tokens spent on reasoning
    cost_micros: Optional[int]
    usage_estimated: Optional[bool]  # True when Bentoo counted the tokens itself
    source_ip: Optional[str]
    user_agent: Optional[str]
    latency_ms: Optional[int]
    actor: Optional[str]  # who did a management action: "operator", "session:acct_...", "key:key_..."
    metadata: Optional[Dict[str, Any]]


class AuditPage(TypedDict):
    object: Literal["list"]
    data: List[AuditRecord]
    has_more: bool
    next_cursor: Optional[str]
