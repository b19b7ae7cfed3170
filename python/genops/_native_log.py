"""The C library's own log lines (a span drop, an export failure, a TLS warning...)
as records of the "genops" logger, like every other genops message.

The library never calls into Python: it queues its lines in C (genops_log_capture),
and one daemon thread here waits for them with the GIL released and emits each one.
flush(), shutdown() and the exit hook also drain() the queue, so that a line logged
before they return is emitted before they return, and none is lost at exit. Nothing
here runs per operation.

Capture and the reader start with the first pipeline (start_once), not at import.
Levels: the "genops" logger's effective level becomes the C threshold (when capture
starts, at init() and whenever the reader wakes, at least once a second), so lines the logger
would drop are never even formatted. GENOPS_LOG_LEVEL, when set, still decides in C.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Optional

from . import native

logger = logging.getLogger("genops")

#: The reader wakes at least this often, to follow the logger's level and to notice
#: stop(); a line wakes it at once.
WAIT_MS = 1000
#: How long the exit hook waits for the reader to finish the line it is emitting.
STOP_JOIN_SECONDS = 1.0

_TO_PYTHON = {
    native.GENOPS_LOG_ERROR: logging.ERROR,
    native.GENOPS_LOG_WARNING: logging.WARNING,
    native.GENOPS_LOG_INFO: logging.INFO,
    native.GENOPS_LOG_DEBUG: logging.DEBUG,
}

# Taking a line and emitting it happen under this lock, so two readers (the thread and
# a flush that drains) keep the lines in order. Reentrant: a handler may call flush().
_lock = threading.RLock()
_thread: Optional[threading.Thread] = None
_stopped = False
_threshold: Optional[int] = None  # the C threshold last set


def _c_threshold(python_level: int) -> int:
    """The least severe C level that a logger at python_level lets through."""
    if python_level <= logging.DEBUG:
        return native.GENOPS_LOG_DEBUG
    if python_level <= logging.INFO:
        return native.GENOPS_LOG_INFO
    if python_level <= logging.WARNING:
        return native.GENOPS_LOG_WARNING
    return native.GENOPS_LOG_ERROR


def sync_level() -> None:
    """Set the C threshold from the "genops" logger's effective level (a call into C
    only when it changed)."""
    global _threshold
    level = _c_threshold(logger.getEffectiveLevel())
    if level != _threshold:
        native.genops_log_set_level(level)
        _threshold = level


def _emit(line: tuple[int, int, int, str]) -> None:
    """One captured line as a record of the "genops" logger, stamped with the time C
    logged it (not the time it was drained)."""
    level, time_unix_nano, lost, message = line
    if lost:
        logger.warning("genops: %d earlier log line(s) lost: the native log queue was full", lost)
    py_level = _TO_PYTHON.get(level, logging.WARNING)
    if not logger.isEnabledFor(py_level):
        return
    record = logger.makeRecord(logger.name, py_level, "<genops native>", 0, "genops: %s", (message,), None)
    created = time_unix_nano / 1e9
    record.relativeCreated -= (record.created - created) * 1000.0
    record.created = created
    record.msecs = float((time_unix_nano // 1_000_000) % 1000)
    logger.handle(record)


def drain() -> None:
    """Emit every line queued now, oldest first. Any thread; returns at once when the
    queue is empty."""
    with _lock:
        while True:
            line = native.genops_log_next(0)
            if line is None:
                return
            _emit(line)


def _run() -> None:
    """The reader: wait for lines with the GIL released (genops_log_wait), emit them.
    Ends when stop() turns capture off (which wakes the wait at once)."""
    while not _stopped:
        try:
            ready = native.genops_log_wait(WAIT_MS)
            sync_level()
            if ready:
                drain()
        except Exception:  # a handler's failure must not end the reader
            logger.exception("genops: emitting a native log line failed")


def start_once() -> None:
    """Capture the native lines and start the reader, on the first call only (the
    first pipeline; import starts nothing); later calls follow the logger's level.
    After stop(), at exit, lines stay on stderr."""
    if _thread is None and not _stopped:
        start()
    else:
        sync_level()


def start() -> None:
    """Capture the native lines and start the reader thread (again, in a forked
    child). Idempotent."""
    global _thread, _stopped
    sync_level()
    native.genops_log_capture(True)
    _stopped = False
    if _thread is None or not _thread.is_alive():
        _thread = threading.Thread(target=_run, name="genops-log", daemon=True)
        _thread.start()


def stop() -> None:
    """At exit: lines logged from now on go to stderr as they did before capture, the
    reader ends, and what is still queued is emitted here. Bounded: the reader's wait
    ends at once, and the join gives up after STOP_JOIN_SECONDS."""
    global _stopped
    _stopped = True
    native.genops_log_capture(False)
    t = _thread
    if t is not None and t is not threading.current_thread():
        t.join(STOP_JOIN_SECONDS)
    drain()


def _after_fork_in_child() -> None:
    """The parent's reader does not exist in the child (and may have held the lock):
    a fresh lock and a reader of its own. C gave the child an empty queue."""
    global _lock, _thread
    _lock = threading.RLock()
    started = _thread is not None
    _thread = None
    if started and not _stopped:
        start()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
