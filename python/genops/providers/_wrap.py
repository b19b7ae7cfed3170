"""The wrappers the provider patches install: one operation around each SDK call.

``start(resource, kwargs)`` makes the ProviderCall (or None: recording failed to start,
the call goes on unrecorded); the SDK is called exactly as the application called it;
its exception ends the operation with an error and is re-raised unchanged; its result is
returned unchanged, a stream with the operation hooked onto it (``_streams``). A method
that returns a plain generator (``*_generator``) gets a generator over it instead: the
SDK's request goes out only when it is advanced, and so does the operation start.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from . import _streams
from ._call import ProviderCall, report_once
from ._patch import Patches

Start = Callable[[Any, dict[str, Any]], Optional[ProviderCall]]
Make = Callable[[Callable[..., Any]], Callable[..., Any]]


def finish(
    call: ProviderCall, result: Any, observe: _streams.Observer, streams: tuple[type, ...], iterator: str
) -> Any:
    """End call with what result tells (now, or when the stream it is ends); return result.
    streams: the SDK's (sync, async) stream classes, or () if it has none; iterator: the stream attribute its
    items come from."""
    if isinstance(result, streams) and _streams.can_observe(result, iterator):
        if isinstance(result, streams[0]):
            return _streams.observe_sync(result, call, observe, iterator)
        return _streams.observe_async(result, call, observe, iterator)
    try:
        observe(call, result)
    except Exception as e:
        report_once("result", "genops: reading a %s response failed: %r", call.provider, e)
    call.finish()
    return result


def sync_call(
    patches: Patches,
    start: Start,
    observe: _streams.Observer,
    streams: tuple[type, ...],
    iterator: str = "_iterator",
) -> Make:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not patches.active:
                return original(self, *args, **kwargs)
            call = start(self, kwargs)
            try:
                result = original(self, *args, **kwargs)
            except BaseException as e:
                if call is not None:
                    call.fail(e)
                raise
            return result if call is None else finish(call, result, observe, streams, iterator)

        return wrapper

    return make


def async_call(
    patches: Patches,
    start: Start,
    observe: _streams.Observer,
    streams: tuple[type, ...],
    iterator: str = "_iterator",
) -> Make:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        async def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            if not patches.active:
                return await original(self, *args, **kwargs)
            call = start(self, kwargs)
            try:
                result = await original(self, *args, **kwargs)
            except BaseException as e:
                if call is not None:
                    call.fail(e)
                raise
            return result if call is None else finish(call, result, observe, streams, iterator)

        return wrapper

    return make


def sync_generator(patches: Patches, start: Start, observe: _streams.Observer) -> Make:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
            inner = original(self, *args, **kwargs)
            if not patches.active:
                return inner
            return _streams.observe_generator(lambda: start(self, kwargs), inner, observe)

        return wrapper

    return make


def async_generator(patches: Patches, start: Start, observe: _streams.Observer, awaited: bool) -> Make:
    """For an async generator function (awaited False) or an async function that
    returns an async iterator (awaited True)."""

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        if not awaited:

            def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
                inner = original(self, *args, **kwargs)
                if not patches.active:
                    return inner
                return _streams.observe_async_generator(lambda: start(self, kwargs), inner, observe)

            return wrapper

        async def awaiting(self: Any, *args: Any, **kwargs: Any) -> Any:
            inner = await original(self, *args, **kwargs)
            if not patches.active:
                return inner
            return _streams.observe_async_generator(lambda: start(self, kwargs), inner, observe)

        return awaiting

    return make
