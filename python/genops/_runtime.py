"""The process's pipeline: which one spans start on, building one from init()'s
arguments, replacing it, flushing it and shutting it down at exit.

Spans start on the native module's "current pipeline" without touching this module:
only configuration goes through here, serialised by one lock. Before init() the
current pipeline is one with no exporter, so operations still work and are counted
(as genops-ai does on OpenTelemetry's no-op provider).

Importing genops starts nothing: no pipeline, no export thread, no log reader. The
first pipeline is built by init() (or configure_otlp_exporter), or, for an operation
before init(), by start_default(), which the native module calls when a span starts
and it has no pipeline yet.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Mapping, Optional, Union
from urllib.parse import urlsplit

from . import _native, _native_log, native
from ._errors import ConfigError, FlushTimeout, NotAvailableError

logger = logging.getLogger("genops")

#: Every exporter_type init() knows, and what it is.
EXPORTER_TYPES: dict[str, str] = {
    "console": "human-readable blocks on stdout",
    "file": "the console format, appended to a file (file_path)",
    "memory": "kept in memory, for tests (genops.testing)",
    "otlp": "OTLP/HTTP, protobuf (OTEL_EXPORTER_OTLP_PROTOCOL may choose JSON)",
    "otlp-json": "OTLP/HTTP, JSON",
    "otlp-grpc": "OTLP/gRPC over HTTP/2, protobuf (port 4317)",
    "splunk": "Splunk HTTP Event Collector",
    "honeycomb": "Honeycomb, OTLP/HTTP protobuf (HONEYCOMB_API_KEY, HONEYCOMB_DATASET)",
    "honeycomb-events": "Honeycomb's Events API: msgpack batches to /1/batch/<dataset>",
    "honeycomb-router": "Honeycomb's Events API, each span to the datasets its rules choose",
    "none": "no exporter: spans are counted and dropped",
}

DEFAULT_EXIT_FLUSH_TIMEOUT = 5.0  # seconds the atexit hook waits for the export


def available_exporter_types() -> list[str]:
    """The exporter types this build can create."""
    have = ["console", "file", "memory", "none"]
    if hasattr(native, "genops_otlp_exporter_new"):
        have += ["otlp", "otlp-json", "otlp-grpc"]
    if hasattr(native, "genops_honeycomb_exporter_new"):
        have += ["honeycomb", "honeycomb-events", "honeycomb-router"]
    if hasattr(native, "genops_hec_exporter_new"):
        have.append("splunk")
    return have


@dataclass
class _Pipeline:
    """A native pipeline and what belongs with it."""

    handle: Any
    exporter_types: list[str]
    service_name: str
    memory: Any = None  # the memory exporter, readable while handle lives
    # Honeycomb routers by exporter index, for their per-dataset figures while handle lives
    routers: dict[int, Any] = field(default_factory=dict)
    files: list[IO[bytes]] = field(default_factory=list)
    configured_by: str = "default"  # "default", "init" or "configure_otlp_exporter"
    # called with each span's attributes as it ends (genops._native.set_end_hook)
    end_hook: Optional[Callable[[dict[str, Any]], list[str]]] = None
    exit_flush_timeout: float = DEFAULT_EXIT_FLUSH_TIMEOUT
    shut_down: bool = False
    spool_dir: Optional[str] = None  # its disk spool's directory (realpath), if any
    # Exporters added by install(), after the previous pipeline let go of the same
    # spool directory (one pipeline per directory: docs/reliability.md).
    deferred: list[dict[str, Any]] = field(default_factory=list)


_lock = threading.RLock()
# Held only for an instant, never across I/O: a stats read against the release of a
# pipeline's handle. _lock is held across flush and shutdown, so stats must not take it.
_handle_lock = threading.Lock()
_current: Optional[_Pipeline] = None
# genops_pipeline_set_sampling_thresholds' values (genops.core.sampling and
# genops.core.tracking set them): process settings, given to every pipeline built.
_thresholds = {"keep_budget_utilization": 100.0, "keep_cost": 1.0, "min_cost": 0.0}
# genops_pipeline_set_sampling_rules' JSON (genops.core.sampling), likewise; None: none.
_rules_json: Optional[str] = None


def _ms(seconds: Optional[float], name: str, default: float) -> int:
    """A timeout in seconds as whole milliseconds for the C API."""
    if seconds is None:
        seconds = default
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise ConfigError(f"{name} must be a number of seconds, not {type(seconds).__name__}")
    if math.isnan(seconds) or seconds < 0:
        raise ConfigError(f"{name} must be a non-negative number of seconds, not {seconds!r}")
    return int(min(seconds, 86400.0) * 1000)


# A flush waits in slices this long with the GIL released; between two, the
# interpreter runs its signal handlers (PyErr_CheckSignals in the eval loop), so
# Ctrl-C or a handler's SystemExit interrupts flush, shutdown or init within a slice
# instead of after the whole timeout.
_WAIT_SLICE_MS = 50


def _flush_in_slices(handle: Any, ms: int) -> None:
    """genops_pipeline_flush(handle, ms), interruptible by signals between slices.
    Raises FlushTimeout when ms passed first."""
    deadline = time.monotonic() + ms / 1000.0
    while True:
        left = int((deadline - time.monotonic()) * 1000)
        try:
            native.genops_pipeline_flush(handle, max(0, min(left, _WAIT_SLICE_MS)))
            return
        except FlushTimeout:
            if left <= _WAIT_SLICE_MS:
                raise


def _shutdown_in_slices(handle: Any, ms: int) -> None:
    """genops_pipeline_shutdown(handle, ms), interruptible by signals: the flush
    waits in slices, then the stop gets what is left of ms. The flush is done by
    then, so the stop is quick unless other threads ended spans meanwhile; then it
    waits for those, not interruptible (a shorter stop would drop them with time left).
    Interrupted, the pipeline is stopped at once (what is still queued is counted as
    dropped at shutdown) and the exception goes on."""
    deadline = time.monotonic() + ms / 1000.0
    try:
        if ms > 0:
            _flush_in_slices(handle, ms)
    except BaseException:  # FlushTimeout, KeyboardInterrupt, a handler's SystemExit
        try:
            native.genops_pipeline_shutdown(handle, 0)
        except FlushTimeout:
            pass  # an exporter still busy stops at its own export timeout
        raise
    native.genops_pipeline_shutdown(handle, max(0, int((deadline - time.monotonic()) * 1000)))


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"{name} must be a positive integer, not {value!r}")
    return value


def sampling_ratio(rate: Any, name: str = "sampling_rate") -> float:
    """rate as a sampling ratio in [0, 1], or ConfigError."""
    if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
        raise ConfigError(f"{name} must be a number between 0.0 and 1.0, not {rate!r}")
    return float(rate)


def shown_url(url: str) -> str:
    """url as every message shows it: user:password and the query masked (the C
    library's rule, http_url_for_log, so both mask the same way)."""
    return _native.url_for_log(url)


def otlp_endpoint(endpoint: Optional[str]) -> Optional[str]:
    """Check an OTLP endpoint and give it its path: a URL without one
    (http://host:4318) gets /v1/traces, a URL with one is used as is. None stays None
    (the exporter then reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT)."""
    if endpoint is None:
        return None
    if not isinstance(endpoint, str):
        raise ConfigError(f"otlp_endpoint must be a str URL, not {type(endpoint).__name__}")
    try:
        parts = urlsplit(endpoint.strip())
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as e:
        raise ConfigError(f"otlp_endpoint {shown_url(endpoint)!r} is not a valid URL: {e}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"otlp_endpoint {shown_url(endpoint)!r} must be an http:// or https:// URL with a host, "
            "e.g. http://localhost:4318 or https://api.honeycomb.io/v1/traces"
        )
    url = endpoint.strip()
    if parts.path in ("", "/") and not parts.query:
        url = url.rstrip("/") + "/v1/traces"
    return url


def _header_ref(key: str, i: int) -> str:
    """How a message names header number i: by name when it reads as one (letters and
    '-' only, at most 64 characters; no token looks like that), else by position, so a
    token pasted as a name is never echoed (core/src/http.c has the same rule)."""
    if 0 < len(key) <= 64 and all(c == "-" or ("a" <= c.lower() <= "z") for c in key):
        return repr(key)
    return f"number {i + 1} (its name is not shown)"


def _headers(headers: Optional[Mapping[str, Any]], name: str) -> dict[str, str]:
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        raise ConfigError(f"{name} must be a dict of header names to values")
    out = {}
    for i, (k, v) in enumerate(headers.items()):
        if not isinstance(k, str) or not k:
            raise ConfigError(f"{name}: header names must be non-empty str, not {type(k).__name__}")
        if v is None:  # e.g. {"X-Honeycomb-Team": os.getenv("UNSET")}
            logger.warning("genops: header %s has no value (None); it is not sent", _header_ref(k, i))
            continue
        if not isinstance(v, str):
            raise ConfigError(f"{name}: the value of header {_header_ref(k, i)} must be str")
        out[k] = v
    return out


def _options(spec: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """base (from init's named arguments) updated by exporter_options, for the
    exporter's option map; None values mean "the default / the environment"."""
    extra = spec.get("options")
    if extra is None:
        return base
    if not isinstance(extra, Mapping):
        raise ConfigError("exporter_options must be a dict of the exporter's options")
    return {**base, **extra}


#: The protocol each OTLP exporter_type sends; "otlp" leaves it to OTEL_EXPORTER_OTLP_PROTOCOL.
OTLP_PROTOCOLS: dict[str, Optional[str]] = {"otlp": None, "otlp-json": "http/json", "otlp-grpc": "grpc"}


def _otlp_exporter(spec: dict[str, Any], protocol: Optional[str]) -> Any:
    if not hasattr(native, "genops_otlp_exporter_new"):
        raise NotAvailableError(
            f"exporter_type {spec['type']!r} is not available in this build of genops: the "
            f"OTLP exporter is not compiled in (available: {', '.join(available_exporter_types())})"
        )
    opts = {
        "endpoint": otlp_endpoint(spec.get("endpoint")),
        "headers": _headers(spec.get("headers"), "otlp_headers"),
    }
    protocol = spec.get("protocol") or protocol  # a backend's own (configure_multi_backend_export)
    if protocol:
        opts["protocol"] = protocol
    # GenOps' Splunk guide points the OTLP options at Splunk HEC: the C library's one
    # documented place for that choice builds a HEC exporter there, and says so.
    if hasattr(native, "genops_exporter_for_endpoint"):
        return native.genops_exporter_for_endpoint(_options(spec, opts))
    return native.genops_otlp_exporter_new(_options(spec, opts))


def _hec_exporter(spec: dict[str, Any]) -> Any:
    if not hasattr(native, "genops_hec_exporter_new"):
        raise NotAvailableError(
            "exporter_type 'splunk' is not available in this build of genops: the Splunk HEC "
            f"exporter is not compiled in (available: {', '.join(available_exporter_types())})"
        )
    opts = {k: spec.get(k) for k in ("endpoint", "token", "index", "sourcetype")}
    for key, value in opts.items():
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"splunk_{key} must be a str, not {type(value).__name__}")
    return native.genops_hec_exporter_new(_options(spec, opts))


HONEYCOMB_OPTIONS = ("api_key", "dataset", "api_endpoint")


def honeycomb_options(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The Honeycomb options of spec (honeycomb_api_key, ...); None means the
    HONEYCOMB_* variable, else the default."""
    opts = {k: spec.get(k) for k in HONEYCOMB_OPTIONS}
    for key, value in opts.items():
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"honeycomb_{key} must be a str, not {type(value).__name__}")
    return opts


def _honeycomb_exporter(spec: dict[str, Any], api: str) -> Any:
    if not hasattr(native, "genops_honeycomb_exporter_new"):
        raise NotAvailableError(
            f"exporter_type {spec['type']!r} is not available in this build of genops: the OTLP exporter "
            f"it sends through is not compiled in (available: {', '.join(available_exporter_types())})"
        )
    return native.genops_honeycomb_exporter_new(_options(spec, {**honeycomb_options(spec), "api": api}))


def _honeycomb_router(spec: dict[str, Any]) -> Any:
    if not hasattr(native, "genops_honeycomb_router_new"):
        raise NotAvailableError("Honeycomb support is not compiled into this build of genops")
    return native.genops_honeycomb_router_new(_options(spec, honeycomb_options(spec)), spec["routes"])


def build(
    *,
    exporters: list[dict[str, Any]],
    service_name: Optional[str] = None,
    service_version: Optional[str] = None,
    environment: Optional[str] = None,
    resource_attributes: Optional[Mapping[str, Any]] = None,
    max_queue_size: Optional[int] = None,
    schedule_delay_millis: Optional[int] = None,
    max_export_batch_size: Optional[int] = None,
    export_timeout_millis: Optional[int] = None,
    exit_flush_timeout: Optional[float] = None,
    spool_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
    sampling_rate: Optional[float] = None,
    configured_by: str = "init",
    end_hook: Optional[Callable[[dict[str, Any]], list[str]]] = None,
) -> _Pipeline:
    """Build a pipeline with the given exporters ({"type": ..., options}). Nothing
    global changes: on error everything built so far is freed and the error raised."""
    _native_log.start_once()  # capture first, so this pipeline's own lines reach logging
    opts: dict[str, Any] = {}
    for key, value in (
        ("service_name", service_name),
        ("service_version", service_version),
        ("environment", environment),
    ):
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{key} must be a str, not {type(value).__name__}")
        opts[key] = value
    if resource_attributes is not None:
        if not isinstance(resource_attributes, Mapping):
            raise ConfigError("resource_attributes must be a dict")
        opts["resource_attributes"] = dict(resource_attributes)
    for key, limit, cname in (
        ("max_queue_size", max_queue_size, "max_queue_size"),
        ("schedule_delay_millis", schedule_delay_millis, "schedule_delay_ms"),
        ("max_export_batch_size", max_export_batch_size, "max_export_batch_size"),
        ("export_timeout_millis", export_timeout_millis, "export_timeout_ms"),
    ):
        if limit is not None:
            opts[cname] = _positive_int(limit, key)
    exit_timeout = _ms(exit_flush_timeout, "exit_flush_timeout", DEFAULT_EXIT_FLUSH_TIMEOUT)
    # The atexit hook below flushes with this deadline; the C library's own exit flush
    # gets the same bound (it finds nothing left to do after ours).
    opts["exit_flush_timeout_ms"] = exit_timeout if exit_timeout > 0 else native.GENOPS_NO_EXIT_FLUSH

    if sampling_rate is not None:
        # OpenTelemetry's parentbased_traceidratio: a root by its trace id, a child as
        # its parent, so a trace is kept or dropped whole (docs/sampling.md). None:
        # OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, else every trace.
        opts["sampler"] = "parentbased_traceidratio"
        opts["sampler_ratio"] = sampling_ratio(sampling_rate)
    if spool_dir is not None:
        if not isinstance(spool_dir, (str, os.PathLike)):
            raise ConfigError(f"spool_dir must be a path, not {type(spool_dir).__name__}")
        opts["spool_dir"] = os.fspath(spool_dir)
    spool = opts.get("spool_dir") or os.environ.get("GENOPS_SPOOL_DIR")

    handle = native.genops_pipeline_new(opts)
    native.genops_pipeline_set_sampling_thresholds(handle, *_thresholds.values())
    native.genops_pipeline_set_sampling_rules(handle, _rules_json)
    p = _Pipeline(
        handle=handle,
        exporter_types=[],  # _add_exporter names each as it is built
        service_name=service_name or os.environ.get("OTEL_SERVICE_NAME") or "unknown_service",
        configured_by=configured_by,
        exit_flush_timeout=exit_timeout / 1000.0,
        spool_dir=os.path.realpath(spool) if spool and exporters else None,
        end_hook=end_hook,
    )
    with _lock:
        if p.spool_dir and _current is not None and _current.spool_dir == p.spool_dir:
            p.deferred, exporters = exporters, []
    try:
        for spec in exporters:
            _add_exporter(p, spec)
    except BaseException:
        _free(p, 0)
        raise
    return p


def _add_exporter(p: _Pipeline, spec: dict[str, Any]) -> None:
    kind = spec["type"]
    p.exporter_types.append(kind)
    if kind == "none":
        return
    if kind == "console":
        exporter = native.genops_console_exporter_new(1)
    elif kind == "file":
        path = spec.get("file_path") or os.environ.get("GENOPS_EXPORT_FILE") or "genops-spans.log"
        if not isinstance(path, (str, os.PathLike)):
            raise ConfigError(f"file_path must be a path, not {type(path).__name__}")
        try:
            f = open(path, "ab", buffering=0)  # noqa: SIM115 - closed with the pipeline
        except OSError as e:
            raise ConfigError(f"cannot open the export file {path!r}: {e}") from None
        p.files.append(f)
        exporter = native.genops_console_exporter_new(f.fileno())
    elif kind == "memory":
        exporter = native.genops_memory_exporter_new()
    elif kind in OTLP_PROTOCOLS:
        exporter = _otlp_exporter(spec, OTLP_PROTOCOLS[kind])
    elif kind == "splunk":
        exporter = _hec_exporter(spec)
    elif kind in ("honeycomb", "honeycomb-events"):
        exporter = _honeycomb_exporter(spec, "events" if kind == "honeycomb-events" else "otlp")
    elif kind == "honeycomb-router":
        exporter = _honeycomb_router(spec)
    else:
        raise ConfigError(f"unknown exporter_type {kind!r}; choose one of: {', '.join(EXPORTER_TYPES)}")
    built = native.genops_exporter_description(exporter)
    if kind in OTLP_PROTOCOLS and not built.startswith("otlp"):
        p.exporter_types[-1] = built  # e.g. "splunk-hec (chosen for an OTLP endpoint at ...)"
    try:
        native.genops_pipeline_add_exporter(p.handle, exporter)
    except BaseException:
        native.genops_exporter_free(exporter)
        raise
    if kind == "memory":
        p.memory = exporter
    if kind == "honeycomb-router":
        p.routers[native.genops_pipeline_exporter_count(p.handle) - 1] = exporter


def _free(p: _Pipeline, timeout_ms: int) -> None:
    """Shut p down within timeout_ms (the GIL is released while it waits), free it
    and close its files. Never raises: a deadline passed is logged."""
    try:
        if not p.shut_down:
            _shutdown_in_slices(p.handle, timeout_ms)
    except Exception as e:  # FlushTimeout, mostly
        logger.warning("genops: shutting down the previous pipeline: %s", e)
    finally:  # a KeyboardInterrupt goes on once p is released
        p.shut_down = True
        with _handle_lock:  # no stats read is running on the handle, none starts after this
            handle, p.handle = p.handle, None
        native.genops_pipeline_free(handle)
        p.memory = None
        p.routers = {}
        for f in p.files:
            f.close()


def install(p: _Pipeline) -> None:
    """Make p the current pipeline; shut the previous one down (flushing it within
    its exit deadline) and free it."""
    global _current
    with _lock:
        old = _current
        _native.set_end_hook(p.end_hook)
        native.genops_py_use_pipeline(p.handle)
        _current = p
        try:
            if old is not None:
                _free(old, int(old.exit_flush_timeout * 1000))
        finally:  # interrupted, p still gets its exporters
            # The old pipeline held p's spool directory: now p's exporters can have it.
            deferred, p.deferred = p.deferred, []
            for spec in deferred:
                _add_exporter(p, spec)
    _native_log.drain()  # what the old pipeline's last export logged


def set_sampling_thresholds(**values: Any) -> None:
    """Change some of keep_budget_utilization, keep_cost and min_cost (numbers >= 0;
    math.inf turns a keep_ threshold off) for the current pipeline and every later one."""
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
            raise ConfigError(f"{key} must be a number >= 0, not {value!r}")
    with _lock:
        _thresholds.update((k, float(v)) for k, v in values.items())
        if _current is not None and _current.handle is not None:
            native.genops_pipeline_set_sampling_thresholds(_current.handle, *_thresholds.values())


def set_sampling_rules(rules_json: Optional[str]) -> None:
    """Replace the per-attribute sampling rules of the current pipeline and every later
    one (genops_pipeline_set_sampling_rules' JSON; None: none)."""
    global _rules_json
    with _lock:
        if _current is not None and _current.handle is not None:
            native.genops_pipeline_set_sampling_rules(_current.handle, rules_json)
        _rules_json = rules_json


def sampling_thresholds() -> dict[str, float]:
    """The current keep_budget_utilization, keep_cost and min_cost."""
    with _lock:
        return dict(_thresholds)


def start_default() -> None:
    """Build and install the pipeline before init() (no exporter), unless one is
    installed already. Called by the native module for the first span, and by
    current()."""
    with _lock:
        if _current is None:
            install(build(exporters=[], configured_by="default"))


def configured_by() -> Optional[str]:
    """Who configured the current pipeline ("default", "init", ...); None before the
    first one (asking builds nothing)."""
    with _lock:
        return _current.configured_by if _current is not None else None


def current() -> _Pipeline:
    """The current pipeline; the first call before init() builds the default one."""
    with _lock:
        if _current is None:
            start_default()
        assert _current is not None
        return _current


def current_nowait() -> _Pipeline:
    """The current pipeline without waiting for _lock, which another thread may hold
    across a flush: a health check must not block. Builds the default pipeline only
    when there is none yet (then it may wait)."""
    p = _current  # one reference read: atomic under the GIL
    return p if p is not None else current()


def flush(timeout: Optional[float] = None) -> bool:
    """Export every span that has ended, waiting at most timeout seconds (default
    30). Returns True; raises FlushTimeout when the deadline passed first. Other
    Python threads run while it waits."""
    ms = _ms(timeout, "timeout", 30.0)
    try:
        with _lock:
            p = _current
            if p is None or p.shut_down:
                return True
            _flush_in_slices(p.handle, ms)
    finally:
        _native_log.drain()  # the export's log lines reach logging before flush returns
    return True


def shutdown(timeout: Optional[float] = None) -> None:
    """Flush within timeout seconds (default 30), then stop exporting: spans that
    start afterwards do not record. init() starts a new pipeline. Raises FlushTimeout
    when the deadline passed (the pipeline is shut down all the same)."""
    ms = _ms(timeout, "timeout", 30.0)
    try:
        with _lock:
            p = _current
            if p is None or p.shut_down:
                return
            p.shut_down = True
            _shutdown_in_slices(p.handle, ms)
    finally:
        _native_log.drain()


def stats() -> dict[str, int]:
    """The current pipeline's self-metrics (spans started, exported, dropped...).
    Never waits for another thread's flush or shutdown: the C call reads counters."""
    p = _current
    if p is None:
        return {}
    with _handle_lock:
        if p.handle is None:
            return {}
        return native.genops_pipeline_stats(p.handle)


def exporter_stats() -> list[dict[str, Any]]:
    """Each exporter's own figures (genops_exporter_stats: type, name, endpoint with its
    credentials masked, exported, dropped by reason, retries, bytes, queue depth, last
    error and when), in the order the exporters were added. A Honeycomb router's entry
    also has "datasets": the same figures for each dataset's copies, named by dataset.
    Never waits, as stats()."""
    p = _current
    if p is None:
        return []
    with _handle_lock:
        if p.handle is None:
            return []
        n = native.genops_pipeline_exporter_count(p.handle)
        out = [native.genops_pipeline_exporter_stats(p.handle, i) for i in range(n)]
        for i, router in p.routers.items():
            count = native.genops_honeycomb_router_dataset_count(router)
            stats = native.genops_honeycomb_router_dataset_stats
            out[i]["datasets"] = [stats(router, d) for d in range(count)]
        return out


def _at_exit() -> None:
    """Bounded exit: flush and stop within the pipeline's exit deadline. The pipeline
    is not freed, so a daemon thread still recording cannot touch freed memory. Then
    the native log lines still queued are emitted, and later ones go to stderr."""
    try:
        with _lock:
            p = _current
            if p is None or p.shut_down or p.exit_flush_timeout <= 0:
                return
            p.shut_down = True
            try:
                _shutdown_in_slices(p.handle, int(p.exit_flush_timeout * 1000))
            except Exception as e:
                logger.warning("genops: exit flush: %s", e)
    finally:
        _native_log.stop()


def _after_fork_in_child() -> None:
    global _lock, _handle_lock
    _lock = threading.RLock()
    _handle_lock = threading.Lock()


# Registered at import, as before the pipeline became lazy: atexit runs its hooks last
# in, first out, so ours still runs after an application's own hooks that record spans.
atexit.register(_at_exit)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
