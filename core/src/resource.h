/* resource.h - the OpenTelemetry resource and scope a pipeline's spans share. */
#ifndef GENOPS_RESOURCE_H
#define GENOPS_RESOURCE_H

#include "attr.h"
#include "genops.h"

/* What the spans of one pipeline share: the OpenTelemetry resource and scope. */
struct resource {
    struct attr_list attrs; /* service.name, telemetry.sdk.*, ... */
    struct arena arena;
    const char *scope_name; /* instrumentation scope, "genops-ai" */
    const char *scope_version;
};

/* Build r from the options and the environment: service.name (option, else
 * OTEL_SERVICE_NAME, else service.name in OTEL_RESOURCE_ATTRIBUTES, else
 * "unknown_service"), service.version, deployment.environment, telemetry.sdk.*, the
 * options' resource attributes, and OTEL_RESOURCE_ATTRIBUTES (key=value,... with
 * percent-encoded values). Explicit options win. GENOPS_EINVAL names a malformed
 * variable. */
genops_status resource_build(struct resource *r, const genops_pipeline_options *opt,
                             genops_error *err);
void resource_free(struct resource *r);

#endif
