"""init(), status() and uninstrument(), as genops-ai names them.

genops-ai's init() set up an OpenTelemetry tracer provider and patched AI provider
SDKs. Here it builds the native pipeline (exporter, resource, batching) and patches
the installed provider SDKs (genops.providers; providers= names them, else every
installed one unless auto_detect or patch_all is False).

init()'s signature is genops-ai's GenOpsInstrumentor.instrument (KoshiHQ/GenOps-AI,
src/genops/auto_instrumentation.py: the first twelve parameters, in its order; its
init took them as **kwargs) followed by genops-native's own, keyword-only.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Mapping, Optional, Union

from . import _runtime
from . import providers as _providers
from ._errors import ConfigError
from .core.context import update_default_attributes

logger = logging.getLogger(__name__)


def init(
    service_name: Optional[str] = None,
    service_version: str = "0.1.0",
    environment: Optional[str] = None,
    exporter_type: Optional[str] = None,
    otlp_endpoint: Optional[str] = None,
    otlp_headers: Optional[Mapping[str, str]] = None,
    providers: Optional[list[str]] = None,
    auto_detect: bool = True,
    patch_all: bool = True,
    default_team: Optional[str] = None,
    default_project: Optional[str] = None,
    default_environment: Optional[str] = None,
    *,
    default_cost_center: Optional[str] = None,
    resource_attributes: Optional[Mapping[str, Any]] = None,
    file_path: Optional[str] = None,
    splunk_hec_endpoint: Optional[str] = None,
    splunk_hec_token: Optional[str] = None,
    splunk_index: Optional[str] = None,
    splunk_sourcetype: Optional[str] = None,
    honeycomb_api_key: Optional[str] = None,
    honeycomb_dataset: Optional[str] = None,
    honeycomb_api_endpoint: Optional[str] = None,
    exporter_options: Optional[Mapping[str, Any]] = None,
    max_queue_size: Optional[int] = None,
    schedule_delay_millis: Optional[int] = None,
    max_export_batch_size: Optional[int] = None,
    export_timeout_millis: Optional[int] = None,
    exit_flush_timeout: Optional[float] = None,
    spool_dir: Optional[Union[str, "os.PathLike[str]"]] = None,
    sampling_rate: Optional[float] = None,
) -> GenOpsInstrumentor:
    """Configure GenOps telemetry: build the pipeline (exporter, resource, batching)
    and set the default governance attributes.

    genops-ai's parameters, in its order (its GenOpsInstrumentor.instrument):

    - service_name: the resource's service.name. Default OTEL_SERVICE_NAME, else
      "genops-ai-app".
    - service_version: service.version.
    - environment: deployment.environment; also the default "environment" attribute
      unless default_environment is given.
    - exporter_type: "console", "otlp" (OTLP/HTTP protobuf, or what
      OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL says), "otlp-json", "otlp-grpc" (OTLP/gRPC,
      port 4317), "splunk"
      (Splunk HEC), "honeycomb" (OTLP/HTTP to Honeycomb), "honeycomb-events"
      (Honeycomb's Events API, msgpack), "file", "memory" (tests: genops.testing) or
      "none". Default "otlp" when otlp_endpoint or otlp_headers is given (with a
      warning), else OTEL_TRACES_EXPORTER, else "console".
    - otlp_endpoint: for "otlp" / "otlp-json" / "otlp-grpc"; a URL without a path
      gets /v1/traces (gRPC uses only its scheme, host and port). Default
      OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT.
    - otlp_headers: HTTP headers for OTLP (a None value is left out, with a warning).
    - providers, auto_detect, patch_all: which AI provider SDKs to patch
      (docs/providers.md): the names given, else every installed one unless
      auto_detect or patch_all is False; status() reports what was patched.
    - default_team, default_project, default_environment: merged into the default
      attributes (genops.team, genops.project, genops.environment).

    Added by genops-native (keyword-only):

    - default_cost_center: the default "cost_center" attribute.
    - resource_attributes: extra resource attributes.
    - file_path: for "file"; default GENOPS_EXPORT_FILE, else "genops-spans.log".
    - splunk_hec_endpoint, splunk_hec_token, splunk_index, splunk_sourcetype: for
      "splunk"; defaults SPLUNK_HEC_ENDPOINT, SPLUNK_HEC_TOKEN, SPLUNK_INDEX,
      SPLUNK_SOURCETYPE.
    - honeycomb_api_key, honeycomb_dataset, honeycomb_api_endpoint: for "honeycomb" and
      "honeycomb-events";
      defaults HONEYCOMB_API_KEY, HONEYCOMB_DATASET else "genops-ai" (sent only with a
      Classic key), HONEYCOMB_API_ENDPOINT else https://api.honeycomb.io
      (docs/exporters/honeycomb.md).
    - exporter_options: any other option of the exporter, e.g. {"compression": "gzip"}
      ("honeycomb-events" compresses with zstd unless told "gzip" or "none"; "zstd" is
      its alone).
    - max_queue_size: spans, a hard cap (or OTEL_BSP_MAX_QUEUE_SIZE). Unset, the queue
      holds 8192 and grows past that within max_buffer_bytes rather than drop spans.
    - schedule_delay_millis, max_export_batch_size, export_timeout_millis: batching,
      as OpenTelemetry's BatchSpanProcessor (defaults OTEL_BSP_*).
    - exit_flush_timeout: seconds the exit hook may spend exporting; default 5, 0
      skips it.
    - spool_dir: a directory for the disk spool (default GENOPS_SPOOL_DIR): what the
      exporter cannot deliver is kept there and sent again once the backend answers,
      also by the next process (docs/reliability.md). One process per directory: a
      second one gets ConfigError. An init() again with the same directory hands it
      from the old pipeline to the new one (an exporter error then leaves no pipeline
      exporting until the next init()).
    - sampling_rate: head sampling, a ratio in [0, 1]: OpenTelemetry's
      parentbased_traceidratio (a root kept by its trace id, a child as its parent),
      so a trace is kept or dropped whole; a kept span of a rate below 1 carries
      SampleRate = round(1 / rate). Default: OTEL_TRACES_SAMPLER and
      OTEL_TRACES_SAMPLER_ARG, else every trace (docs/sampling.md).

    Calling init again replaces the pipeline; the old one is flushed within its exit
    deadline. After configure_otlp_exporter(), an init() without exporter_type,
    otlp_endpoint or otlp_headers keeps that exporter. Raises ConfigError for a bad
    value, NotAvailableError for an exporter type this build does not have, and
    TypeError for an unknown keyword (as genops-ai's did); on error the previous
    pipeline stays.
    """
    explicit = exporter_type is not None or otlp_endpoint is not None or otlp_headers
    if not explicit and _runtime.configured_by() == "configure_otlp_exporter":
        # The guides' pattern: configure_otlp_exporter(...), then auto_instrument().
        # As genops-ai keeps an OpenTelemetry provider that is already set up, the
        # exporter configured first stays.
        logger.debug("genops: export already configured; keeping it")
    else:
        if exporter_type is None and (otlp_endpoint is not None or otlp_headers):
            # The guides' high-availability and TLS snippets give only otlp_endpoint:
            # they mean OTLP (a Splunk HEC endpoint then gets HEC), not the console.
            exporter_type = "otlp"
            logger.warning("genops: otlp_endpoint given without exporter_type; exporting OTLP there")
        if exporter_type is None:
            exporter_type = os.environ.get("OTEL_TRACES_EXPORTER") or "console"
        if not isinstance(exporter_type, str):
            raise ConfigError(f"exporter_type must be a str, not {type(exporter_type).__name__}")
        exporter_type = exporter_type.lower()
        spec: dict[str, Any] = {"type": exporter_type, "options": exporter_options}
        if exporter_type in _runtime.OTLP_PROTOCOLS:
            spec.update(endpoint=otlp_endpoint, headers=otlp_headers)
        elif otlp_endpoint is not None or otlp_headers:
            logger.warning(
                "genops: otlp_endpoint/otlp_headers are ignored with exporter_type=%r", exporter_type
            )
        if exporter_type == "splunk":
            spec.update(
                endpoint=splunk_hec_endpoint,
                token=splunk_hec_token,
                index=splunk_index,
                sourcetype=splunk_sourcetype,
            )
        if exporter_type in ("honeycomb", "honeycomb-events"):
            spec.update(
                api_key=honeycomb_api_key, dataset=honeycomb_dataset, api_endpoint=honeycomb_api_endpoint
            )
        if exporter_type == "file":
            spec["file_path"] = file_path
        pipeline = _runtime.build(
            exporters=[spec],
            service_name=service_name or os.environ.get("OTEL_SERVICE_NAME") or "genops-ai-app",
            service_version=service_version,
            environment=environment,
            resource_attributes=resource_attributes,
            max_queue_size=max_queue_size,
            schedule_delay_millis=schedule_delay_millis,
            max_export_batch_size=max_export_batch_size,
            export_timeout_millis=export_timeout_millis,
            exit_flush_timeout=exit_flush_timeout,
            spool_dir=spool_dir,
            sampling_rate=sampling_rate,
            configured_by="init",
        )
        _runtime.install(pipeline)

    defaults = {
        k: v
        for k, v in {
            "team": default_team,
            "project": default_project,
            "environment": default_environment or environment,
            "cost_center": default_cost_center,
        }.items()
        if v is not None
    }
    if defaults:
        update_default_attributes(**defaults)
    _instrumentor.default_attributes = defaults
    wanted = providers if providers is not None else (None if auto_detect and patch_all else [])
    _instrumentor.providers = _providers.instrument(wanted)
    _instrumentor._initialized = True
    p = _runtime.current()
    logger.info(
        "GenOps AI initialized: service %s, exporters %s",
        p.service_name,
        ", ".join(p.exporter_types) or "none",
    )
    return _instrumentor


class GenOpsInstrumentor:
    """The process's GenOps configuration (a singleton, as in genops-ai)."""

    _instance: Optional[GenOpsInstrumentor] = None

    def __new__(cls) -> GenOpsInstrumentor:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
            cls._instance._initialized = False
            cls._instance.default_attributes = {}
            cls._instance.providers = []
        return cls._instance

    _initialized: bool
    default_attributes: dict[str, Any]
    providers: list[str]

    #: Configure GenOps: genops-ai's method, the same function as genops.init.
    instrument = staticmethod(init)

    def uninstrument(self) -> None:
        """Remove the provider patches (patch_openai()'s too) and mark GenOps as not
        initialized. The pipeline keeps running; use genops.shutdown() to stop exporting."""
        patched = _providers.instrumented_providers()
        _providers.uninstrument()
        self.providers = []
        if not self._initialized and not patched:
            logger.warning("GenOps not initialized, nothing to uninstrument")
            return
        self._initialized = False
        logger.info("GenOps instrumentation removed")

    def status(self) -> dict[str, Any]:
        """genops-ai's status keys, plus the exporters, the pipeline's counters and each
        exporter's own (exporter_stats: docs/reliability.md, "What exported means").
        Never waits for another thread's flush (a health check must not block)."""
        p = _runtime.current_nowait()
        return {
            "initialized": self._initialized,
            "instrumented_providers": _providers.instrumented_providers(),
            "available_providers": _providers.available_providers(),
            "default_attributes": dict(self.default_attributes),
            "service_name": p.service_name,
            "exporters": list(p.exporter_types),
            "available_exporters": _runtime.available_exporter_types(),
            "shut_down": p.shut_down,
            "stats": _runtime.stats(),
            "exporter_stats": _runtime.exporter_stats(),
        }

    def get_default_attributes(self) -> dict[str, Any]:
        """The defaults init() set (team, project, environment, cost_center)."""
        return dict(self.default_attributes)


_instrumentor = GenOpsInstrumentor()


def uninstrument() -> None:
    """Remove GenOps instrumentation."""
    _instrumentor.uninstrument()


def status() -> dict[str, Any]:
    """GenOps' status: initialized, exporters, default attributes, pipeline stats."""
    return _instrumentor.status()


def get_default_attributes() -> dict[str, Any]:
    """The default attributes init() set."""
    return _instrumentor.get_default_attributes()
