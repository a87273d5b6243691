//! OpenTelemetry traces, exported over OTLP/HTTP (protobuf) when an endpoint
//! is configured (`--otlp-endpoint`). Each HTTP request is a span (the
//! `request` span of [`crate::http`]), a child of the caller's span when the
//! request carries a W3C `traceparent`. Without an endpoint no OpenTelemetry
//! layer is installed: nothing is exported and nothing runs in the background.
//!
//! Spans leave in batches from the SDK's own thread (every
//! `OTEL_BSP_SCHEDULE_DELAY` milliseconds, 5,000 by default), with reqwest's
//! blocking client, over plain HTTP: point it at a collector beside the server.

use std::sync::atomic::{AtomicBool, Ordering};

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, TracerProvider as _,
};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;

use super::TraceParent;

/// The path of the traces signal under a collector's OTLP/HTTP address.
const TRACES_PATH: &str = "/v1/traces";

static ENABLED: AtomicBool = AtomicBool::new(false);

/// The exporter's provider: dropped when the command ends, it sends the
/// spans still waiting and stops the export thread (blocking, briefly: the
/// thread is its own, not the runtime's).
#[derive(Debug)]
pub struct Exporter(SdkTracerProvider);

impl Drop for Exporter {
    fn drop(&mut self) {
        if let Err(err) = self.0.shutdown() {
            tracing::warn!(%err, "traces not all exported at shutdown");
        }
    }
}

/// The URL spans are sent to: `endpoint` as a collector's base address
/// (`http://collector:4318`, as `OTEL_EXPORTER_OTLP_ENDPOINT` is), with
/// `/v1/traces` added unless it already ends so.
pub fn traces_url(endpoint: &str) -> String {
    let endpoint = endpoint.trim().trim_end_matches('/');
    if endpoint.ends_with(TRACES_PATH) {
        endpoint.to_owned()
    } else {
        format!("{endpoint}{TRACES_PATH}")
    }
}

/// A tracing layer exporting spans to the collector at `endpoint`, and the
/// exporter to shut down at the end.
pub fn layer<S>(
    endpoint: &str,
) -> anyhow::Result<(
    tracing_opentelemetry::OpenTelemetryLayer<S, opentelemetry_sdk::trace::Tracer>,
    Exporter,
)>
where
    S: tracing::Subscriber + for<'span> tracing_subscriber::registry::LookupSpan<'span>,
{
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(traces_url(endpoint))
        .build()?;
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("zaiti").build())
        .build();
    let tracer = provider.tracer("zaiti");
    ENABLED.store(true, Ordering::Relaxed);
    Ok((
        tracing_opentelemetry::layer().with_tracer(tracer),
        Exporter(provider),
    ))
}

/// Makes `span` a child of the caller's span in `parent`, when traces are exported.
pub fn adopt(span: &tracing::Span, parent: &TraceParent) {
    if !ENABLED.load(Ordering::Relaxed) {
        return;
    }
    let remote = SpanContext::new(
        TraceId::from_bytes(parent.trace_id),
        SpanId::from_bytes(parent.parent_id),
        TraceFlags::new(parent.flags),
        true,
        TraceState::default(),
    );
    let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
}

/// The trace id OpenTelemetry gave `span` (a new trace's, when the request
/// came without a `traceparent`); `None` when traces are not exported.
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    if !ENABLED.load(Ordering::Relaxed) {
        return None;
    }
    let context = span.context();
    let trace_id = context.span().span_context().trace_id();
    (trace_id != TraceId::INVALID).then(|| trace_id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_traces_path_is_added_to_a_collectors_address_once() {
        assert_eq!(
            traces_url("http://collector:4318"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/"),
            "http://collector:4318/v1/traces"
        );
        assert_eq!(
            traces_url("http://collector:4318/v1/traces"),
            "http://collector:4318/v1/traces"
        );
    }
}
