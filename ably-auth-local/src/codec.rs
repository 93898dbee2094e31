//! The two wire formats, chosen as the service chooses them: a request body is read as
//! msgpack when its `Content-Type` is `application/x-msgpack` and as JSON otherwise; a
//! response is msgpack when the `Accept` header prefers `application/x-msgpack`, JSON
//! otherwise. Errors are always JSON (both SDKs read a JSON error whatever they asked for).

use crate::limits::Limits;
use crate::response::with_cors;
use crate::value::Value;
use ably_auth::ErrorInfo;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};

/// A wire format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Msgpack,
}

const MSGPACK: &str = "application/x-msgpack";
const JSON: &str = "application/json";

impl Format {
    /// The format of the request body.
    pub(crate) fn of_body(req: &HttpRequest) -> Format {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if content_type
            .trim()
            .to_ascii_lowercase()
            .starts_with(MSGPACK)
        {
            Format::Msgpack
        } else {
            Format::Json
        }
    }

    /// The format the client accepts for the response: msgpack when `Accept` names it before
    /// (or without) JSON.
    pub(crate) fn accepted(req: &HttpRequest) -> Format {
        let accept = req
            .headers()
            .get_all(header::ACCEPT)
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",")
            .to_ascii_lowercase();
        match (accept.find(MSGPACK), accept.find(JSON)) {
            (Some(m), Some(j)) if m < j => Format::Msgpack,
            (Some(_), None) => Format::Msgpack,
            _ => Format::Json,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Json => JSON,
            Format::Msgpack => MSGPACK,
        }
    }

    /// Decodes a body in this format.
    pub(crate) fn decode(self, body: &[u8]) -> Result<Value, ErrorInfo> {
        let decoded = match self {
            Format::Json => serde_json::from_slice(body).map_err(|e| e.to_string()),
            Format::Msgpack => rmp_serde::from_slice(body).map_err(|e| e.to_string()),
        };
        decoded.map_err(|e| {
            ErrorInfo::new(
                40001,
                400,
                format!(
                    "the request body is not valid {} ({e}); send it as {}",
                    self.content_type(),
                    self.content_type()
                ),
            )
        })
    }

    /// Encodes `value` in this format.
    pub(crate) fn encode(self, value: &Value) -> Vec<u8> {
        // Writing these values to memory cannot fail.
        match self {
            Format::Json => serde_json::to_vec(&json_safe(value)).unwrap_or_default(),
            Format::Msgpack => rmp_serde::to_vec(value).unwrap_or_default(),
        }
    }

    /// A `200` (or `status`) response with `value` in this format, `Cache-Control: no-store`
    /// and the CORS headers.
    pub(crate) fn reply(self, status: StatusCode, value: &Value) -> Reply {
        let mut builder = with_cors(HttpResponse::build(status));
        builder
            .insert_header((header::CONTENT_TYPE, self.content_type()))
            .insert_header((header::CACHE_CONTROL, "no-store"));
        Reply {
            builder,
            body: self.encode(value),
        }
    }
}

/// A response builder and its body, so a handler can add headers (`Link`) before finishing.
pub(crate) struct Reply {
    builder: HttpResponseBuilder,
    body: Vec<u8>,
}

impl Reply {
    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: String) -> Reply {
        self.builder.insert_header((name, value));
        self
    }

    /// The response.
    pub(crate) fn finish(mut self) -> HttpResponse {
        self.builder.body(self.body)
    }
}

/// JSON has no binary: binary becomes base64 text (a message's `encoding` says so).
fn json_safe(value: &Value) -> Value {
    use base64::Engine;
    match value {
        Value::Bin(bytes) => Value::Str(base64::engine::general_purpose::STANDARD.encode(bytes)),
        Value::Array(items) => Value::Array(items.iter().map(json_safe).collect()),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), json_safe(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Reads a request body of at most `limits.max_body` bytes: an oversized declared
/// `Content-Length` is refused before reading (40001, 413).
pub(crate) async fn read_body(
    req: &HttpRequest,
    body: web::Payload,
    limits: &Limits,
) -> Result<web::Bytes, ErrorInfo> {
    let max = limits.max_body;
    let too_large = || {
        ErrorInfo::new(
            40001,
            413,
            format!("the request body exceeds this endpoint's limit of {max} bytes"),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > max as u64) {
        return Err(too_large());
    }
    match body.to_bytes_limited(max).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => Err(ErrorInfo::new(
            40001,
            400,
            format!("the request body could not be read: {e}"),
        )),
        Err(_) => Err(too_large()),
    }
}

/// Reads and decodes a request body in the format its `Content-Type` names.
pub(crate) async fn read_value(
    req: &HttpRequest,
    body: web::Payload,
    limits: &Limits,
) -> Result<Value, ErrorInfo> {
    let bytes = read_body(req, body, limits).await?;
    Format::of_body(req).decode(&bytes)
}
