"""A local stand-in for the OpenAI, Anthropic and AWS Bedrock runtime HTTP APIs, for the
provider tests (Bedrock: https://docs.aws.amazon.com/bedrock/latest/APIReference/ -
Converse, InvokeModel, the x-amzn-ErrorType errors; a request without a SigV4
Authorization header is refused with 403).

It listens on 127.0.0.1 only, on an ephemeral port, and answers with the documented
response shapes (OpenAI: https://platform.openai.com/docs/api-reference - chat
completions, responses, embeddings, their server-sent event streams and the error
object; Anthropic: https://docs.claude.com/en/api/messages and .../messages-streaming
and .../errors). It is strict where the APIs are: a request without its credentials
(Authorization: Bearer; Anthropic: x-api-key or a bearer token, and anthropic-version)
or without a required field is refused with the API's 401 / 400 error. Everything it receives is kept
(``received``) so that tests can compare what was recorded with what was asked.

Behaviour by the requested model:
    "error-400"   a 400 invalid_request_error       "rate-limit"   a 429 with retry-after
    anything else a success; "gpt-4o" answers as the dated snapshot gpt-4o-2024-08-06
                  and "claude-sonnet-4" as claude-sonnet-4-20250514, as the APIs do.
Token counts depend on the request (input: 100 + the length of its JSON messages), so
a test must read them from the SDK's response, never assume them.

Mistral AI (https://docs.mistral.ai/api/ - chat completions, embeddings, their errors)
is served under the path prefix /mistral (its paths are OpenAI's, its shapes differ: a
stream always ends with a chunk that carries the usage; a missing field is a 422 with
FastAPI's "detail" list; any key but "test-key" a 401 {"message": "Unauthorized"}).

Google Gemini (https://ai.google.dev/api/generate-content - generateContent,
streamGenerateContent?alt=sse, UsageMetadata; errors as google.rpc.Status:
https://ai.google.dev/gemini-api/docs/troubleshooting) is served on its own paths
(POST /v1beta/models/{model}:generateContent | :streamGenerateContent |
:batchEmbedContents, its usageMetadata the batch's prompt tokens): the key in
x-goog-api-key, else 403 PERMISSION_DENIED; "rate-limit" a 429 RESOURCE_EXHAUSTED;
"gemini-2.5-flash" answers with modelVersion "gemini-2.5-flash-001".

Cohere's v2 API (https://docs.cohere.com/reference/chat, .../chat-stream, .../embed;
its errors are {"message": ...}) is served under the path prefix /cohere: POST
/cohere/v2/chat (stream: server-sent events message-start ... message-end, the usage in
message-end) and /cohere/v2/embed; any key but "test-key" a 401; "rate-limit" a 429.

A request in absolute form (``POST http://openrouter.ai/api/v1/...``, as a client
using this server as its HTTP proxy sends it) is answered the same way, its host kept:
that is how the OpenRouter test reaches no network.
"""

from __future__ import annotations

import base64
import json
import socket
import struct
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, Optional
from urllib.parse import unquote, urlsplit

SNAPSHOTS = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "claude-sonnet-4": "claude-sonnet-4-20250514",
    "gemini-2.5-flash": "gemini-2.5-flash-001",
}
STREAM_TEXT = ["Hel", "lo", ", ", "wor", "ld", "!"]
CREATED = 1_760_000_000


def _input_tokens(body: dict[str, Any]) -> int:
    return 100 + len(json.dumps(body.get("messages", body.get("contents", body.get("input", "")))))


def _openai_error(status: int, message: str, kind: str, code: Optional[str]) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def _anthropic_error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}, "request_id": "req_local"}


def _anthropic_message(model: str, usage: dict[str, Any]) -> dict[str, Any]:
    """A Message of Anthropic's API (also InvokeModel's body for Claude on Bedrock)."""
    return {
        "id": "msg_local1",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [{"type": "text", "text": "".join(STREAM_TEXT)}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": usage,
    }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: AiServer

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm
        # meets the client's delayed ACK and every answer waits ~40 ms.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # ---- answering ------------------------------------------------------------------
    def _json(self, status: int, obj: Any, headers: Optional[dict[str, str]] = None) -> None:
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, events: Iterator[tuple[Optional[str], str]]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for event, data in events:
                text = (f"event: {event}\n" if event else "") + f"data: {data}\n\n"
                raw = text.encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(raw), raw))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):  # the client closed early
            self.close_connection = True

    # ---- dispatch -------------------------------------------------------------------
    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = None
        self.server.record(
            {
                "host": parts.hostname or self.headers.get("Host"),
                "path": parts.path,
                "body": body,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
        )
        if not isinstance(body, dict):
            return self._json(
                400, _openai_error(400, "body is not a JSON object", "invalid_request_error", None)
            )
        path = parts.path
        if ":" in path and "/models/" in path:
            model, _, method = path.rpartition("/models/")[2].partition(":")
            return self._gemini(unquote(model), method, body)
        if path.startswith("/cohere/"):
            return self._cohere(path[len("/cohere") :], body)
        if path.startswith("/mistral/"):
            return self._mistral(path[len("/mistral") :], body)
        if path.startswith("/model/"):
            return self._bedrock(unquote(path[len("/model/") :]), body)
        if path.endswith("/v1/messages"):
            return self._anthropic(body)
        for suffix, handler in (
            ("/chat/completions", self._chat),
            ("/responses", self._responses),
            ("/embeddings", self._embeddings),
        ):
            if path.endswith(suffix):
                return self._openai(body, handler)
        self._json(404, _openai_error(404, f"no route {path}", "invalid_request_error", None))

    # ---- OpenAI ---------------------------------------------------------------------
    def _openai(self, body: dict[str, Any], handler: Any) -> None:
        if not (self.headers.get("Authorization") or "").startswith("Bearer "):
            return self._json(
                401, _openai_error(401, "You didn't provide an API key.", "invalid_request_error", None)
            )
        model = body.get("model")
        if not isinstance(model, str):
            return self._json(
                400, _openai_error(400, "you must provide a model parameter", "invalid_request_error", None)
            )
        if model == "error-400":
            return self._json(
                400,
                _openai_error(
                    400, "The model `error-400` does not exist", "invalid_request_error", "model_not_found"
                ),
            )
        if model == "rate-limit":
            return self._json(
                429,
                _openai_error(429, "Rate limit reached for requests", "requests", "rate_limit_exceeded"),
                {"retry-after": "20", "x-ratelimit-remaining-requests": "0"},
            )
        handler(body, SNAPSHOTS.get(model, model))

    def _chat_usage(self, body: dict[str, Any]) -> dict[str, Any]:
        prompt = _input_tokens(body)
        completion = 40 + len(STREAM_TEXT)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
            "prompt_tokens_details": {"cached_tokens": prompt // 4, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 16,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        }

    def _chat(self, body: dict[str, Any], model: str) -> None:
        if not isinstance(body.get("messages"), list):
            return self._json(
                400, _openai_error(400, "'messages' is a required property", "invalid_request_error", None)
            )
        head = {"id": "chatcmpl-local1", "created": CREATED, "model": model, "system_fingerprint": "fp_local"}
        if not body.get("stream"):
            message = {
                "role": "assistant",
                "content": "".join(STREAM_TEXT),
                "refusal": None,
                "annotations": [],
            }
            return self._json(
                200,
                {
                    **head,
                    "object": "chat.completion",
                    "service_tier": "default",
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": "stop"}],
                    "usage": self._chat_usage(body),
                },
            )
        include_usage = (body.get("stream_options") or {}).get("include_usage") is True

        def events() -> Iterator[tuple[Optional[str], str]]:
            chunk = {**head, "object": "chat.completion.chunk"}
            extra = {"usage": None} if include_usage else {}
            deltas = [{"role": "assistant", "content": ""}] + [{"content": t} for t in STREAM_TEXT]
            for d in deltas:
                yield (
                    None,
                    json.dumps(
                        {**chunk, **extra, "choices": [{"index": 0, "delta": d, "finish_reason": None}]}
                    ),
                )
            yield (
                None,
                json.dumps(
                    {**chunk, **extra, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                ),
            )
            if include_usage:
                yield None, json.dumps({**chunk, "choices": [], "usage": self._chat_usage(body)})
            yield None, "[DONE]"

        self._sse(events())

    def _response(self, body: dict[str, Any], model: str, done: bool) -> dict[str, Any]:
        prompt = _input_tokens(body)
        out = {
            "type": "message",
            "id": "msg_local1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "".join(STREAM_TEXT), "annotations": []}],
        }
        return {
            "id": "resp_local1",
            "object": "response",
            "created_at": CREATED,
            "model": model,
            "status": "completed" if done else "in_progress",
            "output": [out] if done else [],
            "parallel_tool_calls": True,
            "tool_choice": "auto",
            "tools": [],
            "error": None,
            "incomplete_details": None,
            "instructions": None,
            "metadata": {},
            "temperature": 1.0,
            "top_p": 1.0,
            "usage": {
                "input_tokens": prompt,
                "input_tokens_details": {"cached_tokens": prompt // 2},
                "output_tokens": 30,
                "output_tokens_details": {"reasoning_tokens": 8},
                "total_tokens": prompt + 30,
            }
            if done
            else None,
        }

    def _responses(self, body: dict[str, Any], model: str) -> None:
        if "input" not in body:
            return self._json(
                400, _openai_error(400, "Missing required parameter: 'input'.", "invalid_request_error", None)
            )
        if not body.get("stream"):
            return self._json(200, self._response(body, model, True))

        def events() -> Iterator[tuple[Optional[str], str]]:
            seq = 0
            yield (
                "response.created",
                json.dumps(
                    {
                        "type": "response.created",
                        "sequence_number": seq,
                        "response": self._response(body, model, False),
                    }
                ),
            )
            for t in STREAM_TEXT:
                seq += 1
                yield (
                    "response.output_text.delta",
                    json.dumps(
                        {
                            "type": "response.output_text.delta",
                            "item_id": "msg_local1",
                            "output_index": 0,
                            "content_index": 0,
                            "delta": t,
                            "logprobs": [],
                            "sequence_number": seq,
                        }
                    ),
                )
            yield (
                "response.completed",
                json.dumps(
                    {
                        "type": "response.completed",
                        "sequence_number": seq + 1,
                        "response": self._response(body, model, True),
                    }
                ),
            )

        self._sse(events())

    def _embeddings(self, body: dict[str, Any], model: str) -> None:
        if "input" not in body:
            return self._json(
                400, _openai_error(400, "'input' is a required property", "invalid_request_error", None)
            )
        vector = [0.25, -0.5, 0.125]
        if body.get("encoding_format") == "base64":  # the SDK asks for base64 and decodes it
            embedding: Any = base64.b64encode(struct.pack("<3f", *vector)).decode()
        else:
            embedding = vector
        tokens = 8 + len(json.dumps(body["input"]))
        self._json(
            200,
            {
                "object": "list",
                "model": model,
                "data": [{"object": "embedding", "index": 0, "embedding": embedding}],
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            },
        )

    # ---- Mistral ----------------------------------------------------------------------
    def _mistral(self, path: str, body: dict[str, Any]) -> None:
        if self.headers.get("Authorization") != "Bearer test-key":  # the one key it knows
            return self._json(401, {"message": "Unauthorized", "request_id": "req_local"})
        model = body.get("model")
        field = {"/v1/chat/completions": "messages", "/v1/embeddings": "input"}.get(path)
        if field is None:
            return self._json(404, {"detail": "Not Found"})
        for name in ("model", field):
            if name not in body:
                missing = {"type": "missing", "loc": ["body", name], "msg": "Field required", "input": body}
                return self._json(422, {"object": "error", "detail": [missing]})
        if model == "rate-limit":
            return self._json(429, {"message": "Requests rate limit exceeded"}, {"retry-after": "20"})
        prompt = _input_tokens(body) if field == "messages" else 8 + len(json.dumps(body["input"]))
        if field == "input":
            return self._json(
                200,
                {
                    "id": "emb-local1",
                    "object": "list",
                    "model": model,
                    "data": [{"object": "embedding", "embedding": [0.25, -0.5, 0.125], "index": 0}],
                    "usage": {"prompt_tokens": prompt, "completion_tokens": 0, "total_tokens": prompt},
                },
            )
        completion = 40 + len(STREAM_TEXT)
        usage = {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }
        head = {"id": "cmpl-local1", "created": CREATED, "model": model}
        if not body.get("stream"):
            message = {
                "role": "assistant",
                "content": "".join(STREAM_TEXT),
                "tool_calls": None,
                "prefix": False,
            }
            choice = {"index": 0, "message": message, "finish_reason": "stop"}
            return self._json(200, {**head, "object": "chat.completion", "choices": [choice], "usage": usage})

        def events() -> Iterator[tuple[Optional[str], str]]:
            chunk = {**head, "object": "chat.completion.chunk"}
            for i, t in enumerate(STREAM_TEXT):
                delta = {"role": "assistant", "content": t} if i == 0 else {"content": t}
                yield (
                    None,
                    json.dumps({**chunk, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}),
                )
            last = {"index": 0, "delta": {"content": ""}, "finish_reason": "stop"}
            yield None, json.dumps({**chunk, "choices": [last], "usage": usage})
            yield None, "[DONE]"

        self._sse(events())

    # ---- Cohere ---------------------------------------------------------------------------
    def _cohere(self, path: str, body: dict[str, Any]) -> None:
        if self.headers.get("Authorization") != "Bearer test-key":
            return self._json(401, {"message": "invalid api token"})
        field = {"/v2/chat": "messages", "/v2/embed": "texts"}.get(path)
        if field is None:
            return self._json(404, {"message": f"no route {path}"})
        for name in ("model", field):
            if not body.get(name):
                return self._json(400, {"message": f"invalid request: {name} must not be empty"})
        if body["model"] == "rate-limit":
            return self._json(429, {"message": "trial key rate limit exceeded"}, {"retry-after": "20"})
        prompt = _input_tokens(body) if field == "messages" else 8 + len(json.dumps(body["texts"]))
        billed = {"input_tokens": prompt, "output_tokens": 30 if field == "messages" else 0}
        if field == "texts":
            meta = {"api_version": {"version": "2"}, "billed_units": {"input_tokens": prompt}}
            vectors = [[0.25, -0.5, 0.125] for _ in body["texts"]]
            return self._json(
                200,
                {
                    "id": "embed-local1",
                    "embeddings": {"float": vectors},
                    "texts": body["texts"],
                    "meta": meta,
                    "response_type": "embeddings_by_type",
                },
            )
        usage = {
            "billed_units": billed,
            "tokens": {"input_tokens": prompt + 200, "output_tokens": 30},  # with the prompt template
            "cached_tokens": 64,
        }
        text = "".join(STREAM_TEXT)
        if not body.get("stream"):
            message = {"role": "assistant", "content": [{"type": "text", "text": text}]}
            return self._json(
                200, {"id": "cohere-local1", "finish_reason": "COMPLETE", "message": message, "usage": usage}
            )

        def events() -> Iterator[tuple[Optional[str], str]]:
            start = {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}
            yield (
                "message-start",
                json.dumps({"id": "cohere-local1", "type": "message-start", "delta": {"message": start}}),
            )
            content = {"message": {"content": {"type": "text", "text": ""}}}
            yield "content-start", json.dumps({"type": "content-start", "index": 0, "delta": content})
            for t in STREAM_TEXT:
                delta = {"message": {"content": {"text": t}}}
                yield "content-delta", json.dumps({"type": "content-delta", "index": 0, "delta": delta})
            yield "content-end", json.dumps({"type": "content-end", "index": 0})
            end = {"finish_reason": "COMPLETE", "usage": usage}
            yield "message-end", json.dumps({"type": "message-end", "delta": end})

        self._sse(events())

    # ---- Google Gemini ------------------------------------------------------------------
    def _gemini_error(self, status: int, kind: str, message: str) -> None:
        self._json(status, {"error": {"code": status, "message": message, "status": kind}})

    def _gemini(self, model: str, method: str, body: dict[str, Any]) -> None:
        if not self.headers.get("x-goog-api-key"):
            return self._gemini_error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers")
        if method == "batchEmbedContents":  # the embeddings and the usage of them all
            requests = body.get("requests")
            if not isinstance(requests, list) or not requests:
                return self._gemini_error(400, "INVALID_ARGUMENT", "requests is not specified")
            prompt = sum(4 + len(json.dumps(r.get("content"))) // 8 for r in requests)
            return self._json(
                200,
                {
                    "embeddings": [{"values": [0.25, -0.5, 0.125]} for _ in requests],
                    "usageMetadata": {"promptTokenCount": prompt, "totalTokenCount": prompt},
                },
            )
        if method not in ("generateContent", "streamGenerateContent"):
            return self._gemini_error(404, "NOT_FOUND", f"no method {method}")
        if not isinstance(body.get("contents"), list):
            return self._gemini_error(400, "INVALID_ARGUMENT", "contents is not specified")
        if model == "rate-limit":
            return self._gemini_error(
                429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota)."
            )
        prompt = _input_tokens(body)
        version = SNAPSHOTS.get(model, model)

        def chunk(texts: list[str], answered: int, done: bool) -> dict[str, Any]:
            candidate: dict[str, Any] = {"content": {"parts": [{"text": t} for t in texts], "role": "model"}}
            candidate["index"] = 0
            usage: dict[str, Any] = {"promptTokenCount": prompt, "candidatesTokenCount": 3 * answered}
            if done:
                candidate["finishReason"] = "STOP"
                usage.update(cachedContentTokenCount=prompt // 2, thoughtsTokenCount=24)
            usage["totalTokenCount"] = (
                prompt + usage["candidatesTokenCount"] + usage.get("thoughtsTokenCount", 0)
            )
            usage["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
            return {
                "candidates": [candidate],
                "usageMetadata": usage,
                "modelVersion": version,
                "responseId": "gemini-local1",
            }

        if method == "generateContent":
            return self._json(200, chunk(["".join(STREAM_TEXT)], len(STREAM_TEXT), True))
        n = len(STREAM_TEXT)  # each chunk one piece of text, its usage the total so far
        self._sse((None, json.dumps(chunk([STREAM_TEXT[i]], i + 1, i == n - 1))) for i in range(n))

    # ---- Anthropic ------------------------------------------------------------------
    def _anthropic(self, body: dict[str, Any]) -> None:
        # Credentials: x-api-key, or a bearer token (what SDK 2.x sends for api_key).
        has_key = self.headers.get("x-api-key") or (self.headers.get("Authorization") or "").startswith(
            "Bearer "
        )
        if not has_key or not self.headers.get("anthropic-version"):
            return self._json(401, _anthropic_error("authentication_error", "x-api-key header is required"))
        for field in ("model", "max_tokens", "messages"):
            if field not in body:
                return self._json(400, _anthropic_error("invalid_request_error", f"{field}: Field required"))
        model = body["model"]
        if model == "error-400":
            return self._json(400, _anthropic_error("invalid_request_error", "model: error-400 not found"))
        if model == "rate-limit":
            return self._json(
                429,
                _anthropic_error("rate_limit_error", "Number of requests has exceeded your rate limit"),
                {"retry-after": "20"},
            )
        model = SNAPSHOTS.get(model, model)
        prompt = _input_tokens(body)
        usage = {
            "input_tokens": prompt,
            "cache_creation_input_tokens": 64,
            "cache_read_input_tokens": 512,
            "output_tokens": 25,
            "service_tier": "standard",
        }
        message = _anthropic_message(model, usage)
        if not body.get("stream"):
            return self._json(200, message)

        def events() -> Iterator[tuple[Optional[str], str]]:
            start = {**message, "content": [], "stop_reason": None, "usage": {**usage, "output_tokens": 1}}
            yield "message_start", json.dumps({"type": "message_start", "message": start})
            yield (
                "content_block_start",
                json.dumps(
                    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}
                ),
            )
            yield "ping", json.dumps({"type": "ping"})
            for t in STREAM_TEXT:
                yield (
                    "content_block_delta",
                    json.dumps(
                        {
                            "type": "content_block_delta",
                            "index": 0,
                            "delta": {"type": "text_delta", "text": t},
                        }
                    ),
                )
            yield "content_block_stop", json.dumps({"type": "content_block_stop", "index": 0})
            yield (
                "message_delta",
                json.dumps(
                    {
                        "type": "message_delta",
                        "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                        "usage": {"output_tokens": usage["output_tokens"]},
                    }
                ),
            )
            yield "message_stop", json.dumps({"type": "message_stop"})

        self._sse(events())

    # ---- AWS Bedrock runtime (REST JSON: POST /model/{modelId}/converse | /invoke) --------
    def _bedrock_error(self, status: int, kind: str, message: str) -> None:
        self._json(
            status, {"message": message}, {"x-amzn-ErrorType": f"{kind}:http://internal.amazon.com/coral/"}
        )

    def _bedrock(self, rest: str, body: dict[str, Any]) -> None:
        if not (self.headers.get("Authorization") or "").startswith("AWS4-HMAC-SHA256 "):
            return self._bedrock_error(403, "UnrecognizedClientException", "missing SigV4 signature")
        model, _, action = rest.rpartition("/")
        if model == "error-400":
            return self._bedrock_error(
                400, "ValidationException", "The provided model identifier is invalid."
            )
        if model == "rate-limit":
            return self._bedrock_error(429, "ThrottlingException", "Too many requests, please wait.")
        prompt = _input_tokens(body)
        if action == "converse":
            if not isinstance(body.get("messages"), list):
                return self._bedrock_error(400, "ValidationException", "messages is required")
            usage = {
                "inputTokens": prompt,
                "outputTokens": 21,
                "cacheReadInputTokens": 128,
                "cacheWriteInputTokens": 32,
            }
            usage["totalTokens"] = sum(usage.values())
            message = {"role": "assistant", "content": [{"text": "".join(STREAM_TEXT)}]}
            return self._json(
                200,
                {
                    "output": {"message": message},
                    "stopReason": "end_turn",
                    "usage": usage,
                    "metrics": {"latencyMs": 12},
                },
            )
        if action == "invoke":  # the model's own body (Anthropic's messages shape), counts in headers
            data = _anthropic_message(model, {"input_tokens": prompt, "output_tokens": 19})
            return self._json(
                200,
                data,
                {"X-Amzn-Bedrock-Input-Token-Count": str(prompt), "X-Amzn-Bedrock-Output-Token-Count": "19"},
            )
        self._bedrock_error(404, "UnknownOperationException", f"no action {action}")


class AiServer(ThreadingHTTPServer):
    """Serves on 127.0.0.1:<ephemeral> in a daemon thread until close()."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self._lock = threading.Lock()
        self._received: list[dict[str, Any]] = []
        self._thread = threading.Thread(target=self.serve_forever, name="ai-server", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that resets a kept-alive connection (SDKs closing their pools) is
        no error; anything else is printed, as the base class does."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionResetError):
            super().handle_error(request, client_address)

    def record(self, request: dict[str, Any]) -> None:
        with self._lock:
            self._received.append(request)

    def received(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._received)

    def close(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(5)


def main() -> None:
    """Standalone (benchmarks): serve until killed, the port written to --port-file."""
    import argparse
    import os

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()
    server = AiServer()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    server._thread.join()


if __name__ == "__main__":
    main()
