"""Observing a streamed answer without changing what the application gets.

The SDKs return a stream object whose iteration goes through one instance attribute
(OpenAI's and Anthropic's Stream / AsyncStream: ``_iterator``; Mistral's EventStream:
``generator``) and whose ``close()`` (also called by ``with`` and, for AsyncStream,
``aclose()``) closes the response. The same object is returned to the application, with
two instance attributes set: the iterator attribute becomes a generator that passes
every item through unchanged after showing it to the call, and ``close`` also ends the
call. The operation therefore ends, with the totals seen so far, when the stream is
read to its end, fails, is closed early, or is collected unread. The close wrapper holds
the stream by weak reference: a cycle would leave a dropped stream (and its connection)
to the cyclic garbage collector.
"""

from __future__ import annotations

import weakref
from typing import Any, AsyncIterator, Callable, Iterator, Optional

from ._call import ProviderCall, report_once

Observer = Callable[[ProviderCall, Any], None]


def see(call: ProviderCall, observe: Observer, item: Any) -> None:
    """observe(call, item); a failure is logged once, never raised."""
    try:
        observe(call, item)
    except Exception as e:
        report_once("stream", "genops: reading a %s stream event failed: %r", call.provider, e)


def passed_through(call: ProviderCall, inner: Iterator[Any], observe: Observer) -> Iterator[Any]:
    """inner's items, each shown to call on the way; the call ends when inner ends, fails
    or is closed early (closing inner too)."""
    try:
        for item in inner:
            see(call, observe, item)
            yield item
    except GeneratorExit:  # closed early: close the SDK's iterator too, end in finally
        close = getattr(inner, "close", None)
        if close is not None:
            close()
        raise
    except BaseException as e:
        call.fail(e)
        raise
    finally:
        call.finish()


def observe_sync(stream: Any, call: ProviderCall, observe: Observer, iterator: str) -> Any:
    """Hook call onto a sync stream whose items come from its attribute iterator
    (returned as it came); see the module comment."""
    inner: Iterator[Any] = getattr(stream, iterator)

    ref = weakref.ref(stream)
    close_original = type(stream).close

    def close() -> None:
        try:
            s = ref()
            if s is not None:
                close_original(s)
        finally:
            call.finish()

    setattr(stream, iterator, passed_through(call, inner, observe))
    stream.close = close
    return stream


def observe_async(stream: Any, call: ProviderCall, observe: Observer, iterator: str) -> Any:
    """Hook call onto an async stream (returned as it came)."""
    inner: AsyncIterator[Any] = getattr(stream, iterator)

    async def observed() -> AsyncIterator[Any]:
        try:
            async for item in inner:
                see(call, observe, item)
                yield item
        except GeneratorExit:  # closed early: ended in finally, with what was seen
            raise
        except BaseException as e:
            call.fail(e)
            raise
        finally:
            call.finish()

    ref = weakref.ref(stream)
    close_original = type(stream).close

    async def close() -> None:
        try:
            s = ref()
            if s is not None:
                await close_original(s)
        finally:
            call.finish()

    setattr(stream, iterator, observed())
    stream.close = close
    return stream


def observe_generator(
    start: Callable[[], Optional[ProviderCall]], inner: Iterator[Any], observe: Observer
) -> Iterator[Any]:
    """A stream that is a plain generator (Gemini's generate_content_stream, Cohere's
    chat_stream: the request goes out when it is first advanced, and a generator takes no
    instance attributes): a generator over inner that starts the operation (start())
    when first advanced, shows it every item, and ends it when inner ends, fails or is
    closed early. Never advanced, nothing was sent and nothing is recorded."""
    call = start()
    if call is None:
        yield from inner
        return
    yield from passed_through(call, inner, observe)


async def observe_async_generator(
    start: Callable[[], Optional[ProviderCall]], inner: AsyncIterator[Any], observe: Observer
) -> AsyncIterator[Any]:
    """observe_generator for an async generator."""
    call = start()
    if call is None:
        async for item in inner:
            yield item
        return
    try:
        async for item in inner:
            see(call, observe, item)
            yield item
    except GeneratorExit:
        aclose = getattr(inner, "aclose", None)
        if aclose is not None:
            await aclose()
        raise
    except BaseException as e:
        call.fail(e)
        raise
    finally:
        call.finish()


def can_observe(stream: Any, iterator: str) -> bool:
    """Whether stream has the shape observe_* relies on (else the call is recorded
    without its stream's usage, and a warning says so)."""
    try:
        return hasattr(stream, iterator) and callable(getattr(type(stream), "close", None))
    except Exception:
        return False
