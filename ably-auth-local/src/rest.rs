//! Token-authenticated channel REST: publish, history, presence and status, each checking
//! the credentials ([`crate::credentials`]) and the capability (40160, status 401) as the
//! service does.

use crate::channels::{Page, Query};
use crate::codec::{Format, read_value};
use crate::credentials::authenticate;
use crate::grants::Grant;
use crate::message;
use crate::response::error_response;
use crate::state::{State, lock};
use crate::value::Value;
use ably_auth::{ErrorInfo, Operation};
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

/// The most messages one history page returns (and the default is 100), as at the service.
pub const MAX_HISTORY_LIMIT: usize = 1_000;

/// Turns a handler's `Result` into its response.
fn respond(result: Result<HttpResponse, ErrorInfo>) -> HttpResponse {
    result.unwrap_or_else(|info| error_response(&info))
}

/// The channel named in the path, percent-decoded (so `%2F` and `%25` are `/` and `%`).
fn channel_name(req: &HttpRequest) -> Result<String, ErrorInfo> {
    let raw = req
        .uri()
        .path()
        .strip_prefix("/channels/")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("");
    let decoded = percent_decode(raw)
        .filter(|name| !name.is_empty())
        .ok_or_else(|| {
            ErrorInfo::new(
                40010,
                400,
                "invalid channel name: empty, or not percent-encoded UTF-8",
            )
        })?;
    Ok(decoded)
}

fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = raw.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Authenticates the request and checks that it may do `operation` on the channel.
fn permitted(
    req: &HttpRequest,
    state: &State,
    operation: Operation,
) -> Result<(Grant, String), ErrorInfo> {
    let grant = authenticate(req, state)?;
    let channel = channel_name(req)?;
    if !grant.capability.permits(&channel, operation) {
        return Err(ErrorInfo::new(
            40160,
            401,
            format!(
                "action not permitted: the credentials' capability {} does not allow {operation} on channel {channel:?}",
                grant.capability.to_json()
            ),
        ));
    }
    Ok((grant, channel))
}

/// `POST /channels/{channel}/messages`: needs `publish`.
pub(crate) async fn publish(
    req: HttpRequest,
    state: web::Data<State>,
    body: web::Payload,
) -> HttpResponse {
    respond(
        async {
            let (grant, channel) = permitted(&req, &state, Operation::Publish)?;
            let value = read_value(&req, body, &state.limits).await?;
            let now = state.now();
            let messages = message::accept(value, &grant, now, &state.limits)?;
            let ids: Vec<Value> = messages
                .iter()
                .filter_map(|(m, _)| m.get("id").cloned())
                .collect();
            lock(&state.channels).publish(&channel, messages, now, &state.limits);
            let answer = Value::Map(vec![
                ("channel".into(), channel.into()),
                (
                    "messageId".into(),
                    ids.first().cloned().unwrap_or(Value::Nil),
                ),
                ("serials".into(), Value::Array(ids)),
            ]);
            Ok(Format::accepted(&req)
                .reply(StatusCode::CREATED, &answer)
                .finish())
        }
        .await,
    )
}

/// `GET /channels/{channel}/messages`: needs `history`.
pub(crate) async fn history(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    respond((|| {
        let (_, channel) = permitted(&req, &state, Operation::History)?;
        let (query, params) = history_query(&req)?;
        let page = lock(&state.channels).history(&channel, &query);
        Ok(paged(&req, "messages", page, &params))
    })())
}

/// `GET /channels/{channel}/presence` (needs `subscribe`) and
/// `GET /channels/{channel}/presence/history` (needs `history`): REST clients cannot enter
/// presence, so both are empty.
pub(crate) async fn presence(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    respond((|| {
        let operation = if req.path().ends_with("/presence/history") {
            Operation::History
        } else {
            Operation::Subscribe
        };
        permitted(&req, &state, operation)?;
        let (_, params) = history_query(&req)?;
        let empty = Page {
            messages: Vec::new(),
            next: None,
        };
        Ok(paged(&req, "presence", empty, &params))
    })())
}

/// `GET /channels/{channel}`: the channel's status, needs `channel-metadata`.
pub(crate) async fn status(req: HttpRequest, state: web::Data<State>) -> HttpResponse {
    respond((|| {
        let (_, channel) = permitted(&req, &state, Operation::ChannelMetadata)?;
        let metrics = [
            "connections",
            "presenceConnections",
            "presenceMembers",
            "presenceSubscribers",
            "publishers",
            "subscribers",
        ]
        .into_iter()
        .map(|m| (m.to_owned(), Value::UInt(0)))
        .collect();
        let occupancy = Value::Map(vec![("metrics".into(), Value::Map(metrics))]);
        let details = Value::Map(vec![
            ("channelId".into(), channel.clone().into()),
            ("name".into(), channel.into()),
            (
                "status".into(),
                Value::Map(vec![
                    ("isActive".into(), false.into()),
                    ("occupancy".into(), occupancy),
                ]),
            ),
        ]);
        Ok(Format::accepted(&req)
            .reply(StatusCode::OK, &details)
            .finish())
    })())
}

/// The history parameters: `limit` (1–1000, default 100), `direction` (`backwards`, the
/// default, or `forwards`), `start`/`end` (ms, inclusive), and the page cursor. Also the
/// parameters as given, minus the cursor, for the `Link` header.
fn history_query(req: &HttpRequest) -> Result<(Query, Vec<(String, String)>), ErrorInfo> {
    let params = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map_err(|e| ErrorInfo::new(40003, 400, format!("the query string is malformed: {e}")))?
        .into_inner();
    let bad = |name: &str, value: &str, expected: &str| {
        ErrorInfo::new(
            40003,
            400,
            format!("invalid value {value:?} for {name}: expected {expected}"),
        )
    };
    let mut query = Query {
        limit: 100,
        backwards: true,
        start: 0,
        end: u64::MAX,
        cursor: None,
    };
    for (name, value) in &params {
        match name.as_str() {
            "limit" => {
                query.limit = value
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_HISTORY_LIMIT).contains(n))
                    .ok_or_else(|| bad(name, value, "a whole number from 1 to 1000"))?;
            }
            "direction" => {
                query.backwards = match value.as_str() {
                    "backwards" => true,
                    "forwards" => false,
                    _ => return Err(bad(name, value, "backwards or forwards")),
                };
            }
            "start" | "end" => {
                let ms = value
                    .parse()
                    .map_err(|_| bad(name, value, "a time in ms since the epoch"))?;
                if name == "start" {
                    query.start = ms;
                } else {
                    query.end = ms;
                }
            }
            "cursor" => {
                query.cursor = Some(
                    value
                        .parse()
                        .map_err(|_| bad(name, value, "the cursor of a Link header"))?,
                );
            }
            _ => {}
        }
    }
    if query.start > query.end {
        return Err(ErrorInfo::new(
            40003,
            400,
            format!("start ({}) is after end ({})", query.start, query.end),
        ));
    }
    let params = params.into_iter().filter(|(n, _)| n != "cursor").collect();
    Ok((query, params))
}

/// A page of items with its `Link` header (`first`, `current`, and `next` when there is
/// more), as relative links (`./messages?…`) the SDKs follow.
fn paged(req: &HttpRequest, path: &str, page: Page, params: &[(String, String)]) -> HttpResponse {
    let format = Format::accepted(req);
    let link = |cursor: Option<u64>, rel: &str| {
        let mut all: Vec<(String, String)> = params.to_vec();
        if let Some(c) = cursor {
            all.push(("cursor".into(), c.to_string()));
        }
        let query = serde_urlencoded::to_string(&all).unwrap_or_default();
        format!("<./{path}?{query}>; rel=\"{rel}\"")
    };
    let current = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()
        .and_then(|q| {
            q.iter()
                .find(|(n, _)| n == "cursor")
                .and_then(|(_, v)| v.parse().ok())
        });
    let mut links = vec![link(None, "first"), link(current, "current")];
    if let Some(next) = page.next {
        links.push(link(Some(next), "next"));
    }
    let items = Value::Array(
        page.messages
            .iter()
            .map(|m| message::for_reader(m, format))
            .collect(),
    );
    format
        .reply(StatusCode::OK, &items)
        .header("link", links.join(", "))
        .finish()
}
