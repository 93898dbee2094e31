//! The quickstart's `/metrics`: after a known set of requests, the Prometheus text it serves
//! holds exactly the counts of what was issued and refused, by route pattern, and no label
//! holds a clientId or a request's path.

mod support;

use std::collections::BTreeMap;
use support::quickstart::Quickstart;

/// One sample of the Prometheus text format: the name and its labels, sorted.
type Series = (String, BTreeMap<String, String>);

/// Parses Prometheus' text exposition format (comments skipped; label values with `\"`,
/// `\\` and `\n` escapes), failing on any line it can't read.
fn parse(text: &str) -> BTreeMap<Series, f64> {
    let mut samples = BTreeMap::new();
    for line in text.lines() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a `series value` line");
        let value: f64 = value.parse().unwrap_or_else(|_| panic!("a value: {line}"));
        let (name, labels) = match series.split_once('{') {
            None => (series.to_owned(), BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("labels end with `}`");
                (name.to_owned(), parse_labels(body))
            }
        };
        assert!(
            samples.insert((name, labels), value).is_none(),
            "a series twice: {line}"
        );
    }
    samples
}

fn parse_labels(body: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut chars = body.chars().peekable();
    while chars.peek().is_some() {
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert_eq!(chars.next(), Some('"'), "a quoted label value");
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(other) => value.push(other),
                    None => panic!("a dangling escape"),
                },
                '"' => break,
                c => value.push(c),
            }
        }
        labels.insert(name, value);
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    labels
}

fn series(name: &str, labels: &[(&str, &str)]) -> Series {
    let labels = labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    (name.to_owned(), labels)
}

/// The samples whose name starts with `prefix`.
fn with_prefix(samples: &BTreeMap<Series, f64>, prefix: &str) -> BTreeMap<Series, f64> {
    samples
        .iter()
        .filter(|((name, _), _)| name.starts_with(prefix))
        .map(|(k, v)| (k.clone(), *v))
        .collect()
}

#[test]
fn metrics_count_what_was_issued_and_refused() {
    let app = Quickstart::start();
    let cookie = app.login("alice", "editor");
    let get = |path: &str, cookie: Option<&str>| app.request("GET", path, cookie, None).0;

    // Issued: two TokenRequests (one with a ttl hint in the query), a JWT, an Ably token.
    assert_eq!(get("/ably/token-request", Some(&cookie)), 200);
    assert_eq!(get("/ably/token-request?ttl=60000", Some(&cookie)), 200);
    assert_eq!(get("/ably/jwt", Some(&cookie)), 200);
    assert_eq!(get("/ably/token", Some(&cookie)), 200);
    // Refused: nobody signed in (40100), twice; a capability that is not JSON (40000).
    assert_eq!(get("/ably/jwt", None), 401);
    assert_eq!(get("/ably/token", None), 401);
    assert_eq!(
        get("/ably/token-request?capability=nope", Some(&cookie)),
        400
    );

    let (status, head, body) = app.request("GET", "/metrics", None, None);
    assert_eq!(status, 200, "{body}");
    let head = head.to_ascii_lowercase();
    assert!(
        head.contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    let samples = parse(&body);

    let issued = "ably_auth_credentials_issued_total";
    let refused = "ably_auth_credentials_refused_total";
    let expected: BTreeMap<Series, f64> = [
        (
            series(
                issued,
                &[("kind", "token_request"), ("route", "/ably/token-request")],
            ),
            2.0,
        ),
        (
            series(issued, &[("kind", "jwt"), ("route", "/ably/jwt")]),
            1.0,
        ),
        (
            series(issued, &[("kind", "token"), ("route", "/ably/token")]),
            1.0,
        ),
        (
            series(refused, &[("code", "40100"), ("route", "/ably/jwt")]),
            1.0,
        ),
        (
            series(refused, &[("code", "40100"), ("route", "/ably/token")]),
            1.0,
        ),
        (
            series(
                refused,
                &[("code", "40000"), ("route", "/ably/token-request")],
            ),
            1.0,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        with_prefix(&samples, "ably_auth_credentials_"),
        expected,
        "{body}"
    );

    // One latency sample per request, by route and outcome.
    let count = "ably_auth_issue_duration_seconds_count";
    let counts: BTreeMap<Series, f64> = [
        (
            series(
                count,
                &[("route", "/ably/token-request"), ("outcome", "issued")],
            ),
            2.0,
        ),
        (
            series(
                count,
                &[("route", "/ably/token-request"), ("outcome", "refused")],
            ),
            1.0,
        ),
        (
            series(count, &[("route", "/ably/jwt"), ("outcome", "issued")]),
            1.0,
        ),
        (
            series(count, &[("route", "/ably/jwt"), ("outcome", "refused")]),
            1.0,
        ),
        (
            series(count, &[("route", "/ably/token"), ("outcome", "issued")]),
            1.0,
        ),
        (
            series(count, &[("route", "/ably/token"), ("outcome", "refused")]),
            1.0,
        ),
    ]
    .into_iter()
    .collect();
    assert_eq!(with_prefix(&samples, count), counts, "{body}");

    // The one Ably token came from one requestToken call to the (local) Ably endpoint, which
    // answered; nothing else was sent to Ably, and no fallback host was used.
    let rest = "ably_auth_rest_request_duration_seconds_count";
    let calls: BTreeMap<Series, f64> = [(
        series(rest, &[("operation", "request_token"), ("outcome", "ok")]),
        1.0,
    )]
    .into_iter()
    .collect();
    assert_eq!(with_prefix(&samples, rest), calls, "{body}");
    for absent in [
        "ably_auth_rest_errors_total",
        "ably_auth_rest_fallback_requests_total",
        "ably_auth_token_renewals_total",
    ] {
        assert!(with_prefix(&samples, absent).is_empty(), "{absent}: {body}");
    }

    // Bounded labels: no clientId, no query, nothing but the route patterns.
    assert!(!body.contains("alice"), "{body}");
    assert!(!body.contains('?'), "{body}");
    let routes: std::collections::BTreeSet<&str> = samples
        .keys()
        .filter_map(|(_, labels)| labels.get("route").map(String::as_str))
        .collect();
    assert_eq!(
        routes,
        ["/ably/jwt", "/ably/token", "/ably/token-request"]
            .into_iter()
            .collect()
    );
}

#[test]
fn metrics_answer_only_this_server_by_name() {
    let app = Quickstart::start();
    // A page on a rebound domain can't read them (the Host check applies to /metrics too).
    let (status, head, _) = app.request_with("GET", "/metrics", &[("host", "evil.example")], None);
    assert_eq!(status, 403);
    assert!(
        head.to_ascii_lowercase()
            .contains("x-ably-errorcode: 40300")
    );
}
