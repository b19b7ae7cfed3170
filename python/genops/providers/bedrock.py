"""AWS Bedrock through boto3: the bedrock-runtime client's Converse and InvokeModel,
recorded as one genops operation per call (see _call.py), provider "aws.bedrock".

boto3 builds a client class per service at run time, so the patch goes on the method
every client's operations go through, ``botocore.client.BaseClient._make_api_call``;
calls of other services and operations pass straight through. ``unpatch_bedrock``
restores the same function object.

Usage: Converse answers with ``usage`` (inputTokens, outputTokens, totalTokens,
cacheReadInputTokens, cacheWriteInputTokens; the API reference lists the cache counts
beside inputTokens, and they are added to it here as for Anthropic's API). InvokeModel
answers with the model's own body, a stream the application reads; genops does not
read it, and takes the token counts Bedrock sends in the response headers
``X-Amzn-Bedrock-Input-Token-Count`` / ``-Output-Token-Count``. The model is the
request's modelId (Bedrock answers with none); its price is the vendor's (the table of
the prefix: "anthropic.claude-..." is priced as Anthropic's list price).
Not covered yet: ConverseStream and InvokeModelWithResponseStream.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import _call
from ._call import ProviderCall, report_once
from ._patch import Patches

_patches = Patches("boto3", "Bedrock", "bedrock-runtime Converse, InvokeModel")

SERVICE = "bedrock-runtime"
OPERATIONS = {
    "Converse": ("aws.bedrock.converse", "chat"),
    "InvokeModel": ("aws.bedrock.invoke_model", "chat"),
}


def _header(response: Any, name: str) -> Optional[int]:
    try:
        value = response["ResponseMetadata"]["HTTPHeaders"].get(name)
        return int(value) if value is not None else None
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _observe(call: ProviderCall, operation: str, response: Any) -> None:
    u = call.usage
    if operation == "InvokeModel":
        u.input_tokens = _header(response, "x-amzn-bedrock-input-token-count")
        u.output_tokens = _header(response, "x-amzn-bedrock-output-token-count")
    else:
        usage = response.get("usage") or {}
        base, out = usage.get("inputTokens"), usage.get("outputTokens")
        read, write = usage.get("cacheReadInputTokens"), usage.get("cacheWriteInputTokens")
        counts = [v if isinstance(v, int) else None for v in (base, out, read, write)]
        base, out, read, write = counts
        u.cached_input_tokens, u.cache_write_tokens, u.output_tokens = read, write, out
        if base is not None:
            u.input_tokens = base + (read or 0) + (write or 0)
        reason = response.get("stopReason")
        if isinstance(reason, str):
            u.finish_reasons = [reason]
    if u.input_tokens is not None and u.output_tokens is not None:
        u.total_tokens = u.input_tokens + u.output_tokens


def _status(exc: BaseException) -> Optional[int]:
    """botocore's ClientError keeps the HTTP status in response["ResponseMetadata"]."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return status if isinstance(status, int) else None


def _make(original: Callable[..., Any]) -> Callable[..., Any]:
    def _make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        names = OPERATIONS.get(operation_name)
        if names is None or not _patches.active:
            return original(self, operation_name, api_params)
        try:
            if self._service_model.service_name != SERVICE:
                return original(self, operation_name, api_params)
            attrs: dict[str, Any] = {}
            host = getattr(self.meta, "endpoint_url", None)
            if isinstance(host, str):
                attrs["server.address"] = host.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
            model = api_params.get("modelId") if isinstance(api_params, dict) else None
        except Exception as e:
            report_once("bedrock-start", "genops: reading a Bedrock request failed: %r", e)
            return original(self, operation_name, api_params)
        call = _call.start(names[0], "aws.bedrock", names[1], model, attrs)
        try:
            response = original(self, operation_name, api_params)
        except BaseException as e:
            if call is not None:
                call.fail(e, _status(e))
            raise
        if call is not None:
            try:
                _observe(call, operation_name, response)
            except Exception as e:
                report_once("result", "genops: reading a %s response failed: %r", call.provider, e)
            call.finish()
        return response

    return _make_api_call


def _install(patches: Patches) -> None:
    from botocore.client import BaseClient  # type: ignore[import-untyped]

    patches.replace(BaseClient, "_make_api_call", _make)


def is_available() -> bool:
    """Whether boto3 can be imported."""
    return _patches.sdk_installed()


def is_patched() -> bool:
    return _patches.active


def patch_bedrock(auto_track: bool = True) -> bool:
    """Record every bedrock-runtime Converse and InvokeModel call of every boto3
    client. Returns True when patched now (see patch_openai for the False cases)."""
    return _patches.patch(_install, auto_track)


def unpatch_bedrock() -> None:
    """Restore botocore's _make_api_call (the same function object)."""
    _patches.unpatch()


def instrument_bedrock(client: Any = None, **client_kwargs: Any) -> Any:
    """genops-ai's entry point: patch and return client, or a new
    ``boto3.client("bedrock-runtime", **client_kwargs)`` when none is given."""
    patch_bedrock()
    if client is not None:
        return client
    import boto3  # type: ignore[import-untyped]

    return boto3.client(SERVICE, **client_kwargs)


__all__ = ["instrument_bedrock", "is_available", "is_patched", "patch_bedrock", "unpatch_bedrock"]
