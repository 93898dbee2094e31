//! Published messages: their shape, size and clientId checked as the service checks them,
//! and their data written in the format a reader asked for.

use crate::codec::Format;
use crate::grants::Grant;
use crate::limits::Limits;
use crate::value::Value;
use ably_auth::{ErrorInfo, NonceSource, RandomNonce};
use base64::Engine;

/// The messages of a publish body (one message or an array of them), checked and completed
/// (`id`, `timestamp`, the token's clientId), each with its size.
pub(crate) fn accept(
    body: Value,
    grant: &Grant,
    now: u64,
    limits: &Limits,
) -> Result<Vec<(Value, usize)>, ErrorInfo> {
    let messages = match body {
        Value::Array(items) => items,
        one @ Value::Map(_) => vec![one],
        _ => {
            return Err(ErrorInfo::new(
                40013,
                400,
                "a publish body is a message object or an array of them",
            ));
        }
    };
    if messages.is_empty() {
        return Err(ErrorInfo::new(40013, 400, "the publish has no message"));
    }
    if messages.len() > limits.messages_per_publish {
        return Err(ErrorInfo::new(
            40034,
            400,
            format!(
                "{} messages in one publish; the limit is {}",
                messages.len(),
                limits.messages_per_publish
            ),
        ));
    }
    let base = RandomNonce.nonce();
    let mut total = 0usize;
    let mut out = Vec::with_capacity(messages.len());
    for (index, message) in messages.into_iter().enumerate() {
        let mut message = check_shape(message, index)?;
        check_client_id(&mut message, grant)?;
        if message.get("id").is_none() {
            message.set("id", format!("{base}:{index}").into());
        }
        if message.get("timestamp").is_none() {
            message.set("timestamp", now.into());
        }
        let size = size_of(&message);
        total = total.saturating_add(size);
        out.push((message, size));
    }
    if total > limits.message_size {
        return Err(ErrorInfo::new(
            40009,
            413,
            format!(
                "maximum message length exceeded: {total} bytes (name, data, clientId and extras) against a limit of {} bytes",
                limits.message_size
            ),
        ));
    }
    Ok(out)
}

/// A message is a map whose known fields have their wire types; nil fields are dropped.
fn check_shape(message: Value, index: usize) -> Result<Value, ErrorInfo> {
    let message = match message {
        map @ Value::Map(_) => map.without_nils(),
        _ => {
            return Err(ErrorInfo::new(
                40013,
                400,
                format!("message {index} is not an object"),
            ));
        }
    };
    for field in ["name", "encoding", "clientId", "id", "connectionKey"] {
        if message.get(field).is_some_and(|v| v.as_str().is_none()) {
            return Err(ErrorInfo::new(
                40013,
                400,
                format!("message {index}: {field} must be a string"),
            ));
        }
    }
    if message
        .get("extras")
        .is_some_and(|v| !matches!(v, Value::Map(_)))
    {
        return Err(ErrorInfo::new(
            40013,
            400,
            format!("message {index}: extras must be an object"),
        ));
    }
    Ok(message)
}

/// The clientId rules of the service: a token bound to a clientId may publish only as that
/// clientId (and messages without one get it); a wildcard token or a key may name any
/// clientId but `*`; an anonymous token may not name one.
fn check_client_id(message: &mut Value, grant: &Grant) -> Result<(), ErrorInfo> {
    let given = message.get("clientId").and_then(Value::as_str);
    let refuse = |message: String| Err(ErrorInfo::new(40012, 400, message));
    match (given, grant.client_id.as_deref()) {
        (Some("*"), _) => refuse("a message's clientId may not be the wildcard \"*\"".into()),
        (Some(_), Some("*")) | (None, Some("*")) | (None, None) => Ok(()),
        (Some(given), Some(own)) if given == own => Ok(()),
        (Some(given), Some(own)) => refuse(format!(
            "mismatched clientId: the message's clientId {given:?} is not the credentials' {own:?}"
        )),
        (None, Some(own)) => {
            let own = own.to_owned();
            message.set("clientId", own.into());
            Ok(())
        }
        (Some(given), None) => refuse(format!(
            "the credentials have no clientId, so a message may not name one ({given:?}); issue the token with a clientId"
        )),
    }
}

/// A message's size as the service counts it: its name, clientId, data and extras.
fn size_of(message: &Value) -> usize {
    let text = |field: &str| {
        message
            .get(field)
            .and_then(Value::as_str)
            .map_or(0, str::len)
    };
    let encoded = |field: &str| {
        message
            .get(field)
            .map_or(0, |v| serde_json::to_vec(v).map_or(0, |b| b.len()))
    };
    let data = match message.get("data") {
        None => 0,
        Some(Value::Str(s)) => s.len(),
        Some(Value::Bin(b)) => b.len(),
        Some(_) => encoded("data"),
    };
    text("name") + text("clientId") + data + encoded("extras")
}

/// A stored message as a reader in `format` gets it: binary data is base64 text for JSON
/// (its `encoding` ending in `base64`), and base64 text becomes binary again for msgpack.
pub(crate) fn for_reader(message: &Value, format: Format) -> Value {
    let mut message = message.clone();
    let encoding = message
        .get("encoding")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let engine = base64::engine::general_purpose::STANDARD;
    match (format, message.get("data")) {
        (Format::Json, Some(Value::Bin(bytes))) => {
            let text = engine.encode(bytes);
            message.set("data", text.into());
            let encoding = match encoding {
                Some(e) => format!("{e}/base64"),
                None => "base64".into(),
            };
            message.set("encoding", encoding.into());
        }
        (Format::Msgpack, Some(Value::Str(text))) => {
            let rest = encoding.as_deref().and_then(|e| {
                e.strip_suffix("/base64")
                    .or_else(|| (e == "base64").then_some(""))
            });
            if let (Some(rest), Ok(bytes)) = (rest, engine.decode(text)) {
                message.set("data", Value::Bin(bytes));
                if rest.is_empty() {
                    message.remove("encoding");
                } else {
                    message.set("encoding", rest.into());
                }
            }
        }
        _ => {}
    }
    message
}
