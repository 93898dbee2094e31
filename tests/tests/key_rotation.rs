//! Key rotation under load: a real actix server issues TokenRequests and JWTs from a
//! `KeyRing` while bounded loops of concurrent clients call it, and the ring is swapped
//! halfway. No request may fail; every credential is checked with the `hmac` crate against
//! the secret of the key it names, and that key must be the old one for every credential
//! received before the swap began and the new one for every request sent after it ended.

mod support;

use ably_auth::{
    AblyIdentity, Capability, ClientId, Grant, Key, KeyRing, KeySet, RotatingJwtIssuer,
    RotatingTokenRequestIssuer, TokenRequest, Verifier,
};
use ably_auth_actix::{AblyError, TokenRoute};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use base64::Engine;
use hmac::{KeyInit, Mac};
use std::future::{Ready, ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use support::{http, oracle_mac, serve};

/// Requests in all, and clients sending them at once.
const REQUESTS: usize = 4000;
const CLIENTS: usize = 32;
/// The whole run stops after this, whatever is left.
const TIME_LIMIT: Duration = Duration::from_secs(120);

struct User(String);

impl AblyIdentity for User {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        Ok(Grant::new(
            Some(ClientId::new(&self.0)?),
            Capability::all_channels(),
            Duration::from_secs(600),
        ))
    }
}

impl FromRequest for User {
    type Error = AblyError;
    type Future = Ready<Result<User, AblyError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.headers()
                .get("x-user")
                .and_then(|v| v.to_str().ok())
                .map(|u| User(u.to_owned()))
                .ok_or_else(|| ably_auth::Error::Unauthorized("no x-user".into()).into()),
        )
    }
}

fn old_key() -> Key {
    "appId.old:oldSecretValue".parse().unwrap()
}

fn new_key() -> Key {
    "appId.new:newSecretValue".parse().unwrap()
}

/// The JWT's HS256 signature checked with the `hmac` crate against the secret of the key its
/// `kid` names (one of `keys`); returns the `kid`.
fn oracle_jwt(keys: &[Key], jwt: &str) -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (signed, signature) = jwt.rsplit_once('.').expect("header.payload.signature");
    let header: serde_json::Value =
        serde_json::from_slice(&b64.decode(signed.split('.').next().unwrap()).unwrap()).unwrap();
    let kid = header["kid"].as_str().expect("a kid").to_owned();
    let key = keys.iter().find(|k| k.name() == kid).expect("a known kid");
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.secret().as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    mac.verify_slice(&b64.decode(signature).unwrap())
        .unwrap_or_else(|_| panic!("the JWT's signature is {kid}'s"));
    kid
}

/// One credential as received, with where it stood relative to the swap.
struct Outcome {
    key_name: String,
    /// The swap had ended before the request was sent.
    sent_after_swap: bool,
    /// The swap had not begun when the response arrived.
    received_before_swap: bool,
}

#[tokio::test]
async fn swapping_keys_under_load_fails_no_request_and_switches_keys_at_the_swap() {
    let ring = KeyRing::from(old_key());
    let routes = ring.clone();
    let app = serve(move |cfg| {
        cfg.service(TokenRoute::<User, _>::new(
            "/token-request",
            RotatingTokenRequestIssuer::new(routes.clone()),
        ))
        .service(TokenRoute::<User, _>::new(
            "/jwt",
            RotatingJwtIssuer::new(routes.clone()),
        ));
    });
    let client = http();
    let verifier = Arc::new(Verifier::from_key_ring(ring.clone()));
    let next = Arc::new(AtomicUsize::new(0));
    let swap_begun = Arc::new(AtomicBool::new(false));
    let swap_ended = Arc::new(AtomicBool::new(false));
    let deadline = Instant::now() + TIME_LIMIT;

    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (client, url, verifier) = (client.clone(), app.url.clone(), verifier.clone());
        let (next, swap_begun, swap_ended) = (next.clone(), swap_begun.clone(), swap_ended.clone());
        clients.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            let mut failures = Vec::new();
            while Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= REQUESTS {
                    break;
                }
                let jwt = n % 2 == 1;
                let path = if jwt { "/jwt" } else { "/token-request" };
                let sent_after_swap = swap_ended.load(Ordering::SeqCst);
                let response = client
                    .get(format!("{url}{path}"))
                    .header("x-user", format!("user-{c}"))
                    .send()
                    .await;
                let received_before_swap = !swap_begun.load(Ordering::SeqCst);
                let body = match response {
                    Ok(r) if r.status() == 200 => r.text().await.unwrap_or_default(),
                    Ok(r) => {
                        failures.push(format!("{path}: HTTP {}", r.status()));
                        continue;
                    }
                    Err(e) => {
                        failures.push(format!("{path}: {e}"));
                        continue;
                    }
                };
                let key_name = if jwt {
                    let kid = oracle_jwt(&[old_key(), new_key()], &body);
                    verifier.verify_jwt(&body).expect("the ring verifies it");
                    kid
                } else {
                    let request = TokenRequest::from_json(body.as_bytes()).expect("a TokenRequest");
                    let key = [old_key(), new_key()]
                        .into_iter()
                        .find(|k| k.name() == request.key_name)
                        .expect("a known keyName");
                    assert_eq!(request.mac, oracle_mac(&key, &request), "{body}");
                    verifier
                        .verify_token_request(&request)
                        .expect("the ring verifies it");
                    request.key_name
                };
                outcomes.push(Outcome {
                    key_name,
                    sent_after_swap,
                    received_before_swap,
                });
            }
            (outcomes, failures)
        }));
    }

    // The swap, once half the requests have been sent: the new key signs, the old verifies.
    while next.load(Ordering::SeqCst) < REQUESTS / 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    swap_begun.store(true, Ordering::SeqCst);
    ring.replace(KeySet::new(new_key()).with_verify_only(old_key()).unwrap());
    swap_ended.store(true, Ordering::SeqCst);

    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for client in clients {
        let (o, f) = client.await.expect("the client task finished");
        outcomes.extend(o);
        failures.extend(f);
    }
    assert_eq!(failures, Vec::<String>::new(), "no request may fail");
    assert_eq!(
        outcomes.len(),
        REQUESTS,
        "every request ran within the time limit"
    );
    let before: Vec<&Outcome> = outcomes.iter().filter(|o| o.received_before_swap).collect();
    let after: Vec<&Outcome> = outcomes.iter().filter(|o| o.sent_after_swap).collect();
    assert!(
        before.len() >= REQUESTS / 4,
        "{} before the swap",
        before.len()
    );
    assert!(
        after.len() >= REQUESTS / 4,
        "{} after the swap",
        after.len()
    );
    for o in &before {
        assert_eq!(o.key_name, "appId.old", "received before the swap");
    }
    for o in &after {
        assert_eq!(o.key_name, "appId.new", "sent after the swap");
    }
    let during = outcomes.len() - before.len() - after.len();
    println!(
        "{} before the swap (old key), {} after (new key), {during} in flight during it",
        before.len(),
        after.len()
    );

    // Retired: the old key is gone from the ring, so what it signed no longer verifies here.
    ring.replace(KeySet::new(new_key()));
    assert!(!verifier.knows_key("appId.old"));
}

/// The Ably-token issuer follows the ring as the signing issuers do: tokens come from the
/// key that signs at the time, its `Auth` made once per signing key, and an offline Ably
/// following the same ring (`LocalAbly::with_key_ring`) takes the new key at once.
#[tokio::test]
async fn ably_tokens_follow_the_ring() {
    use ably_auth::{Auth, AuthOptions, Credential, RotatingAblyTokenIssuer, TokenIssuer};
    use ably_auth_local::LocalAbly;
    let ring = KeyRing::new(KeySet::new(old_key()));
    let unrelated: Key = "appId.unrelated:unrelatedSecretValue".parse().unwrap();
    let local = LocalAbly::new(unrelated)
        .with_key_ring(ring.clone())
        .start("127.0.0.1:0")
        .unwrap();
    let url = local.url();
    let made = Arc::new(AtomicUsize::new(0));
    let counted = made.clone();
    let issuer = RotatingAblyTokenIssuer::new(ring.clone(), move |key| {
        counted.fetch_add(1, Ordering::SeqCst);
        Ok(Auth::new(AuthOptions::key(key))?.with_endpoint(url.clone()))
    })
    .unwrap();
    let grant = User("alice".into()).ably_grant().unwrap();
    let key_of = |credential: Credential| match credential {
        Credential::TokenDetails(details) => {
            assert_eq!(details.client_id.as_deref(), Some("alice"));
            details.key_name.expect("the token's keyName")
        }
        other => panic!("an Ably token, not {other:?}"),
    };
    for _ in 0..3 {
        assert_eq!(key_of(issuer.issue(&grant).await.unwrap()), "appId.old");
    }
    assert_eq!(made.load(Ordering::SeqCst), 1, "one Auth for the first key");

    ring.replace(KeySet::new(new_key()).with_verify_only(old_key()).unwrap());
    for _ in 0..3 {
        assert_eq!(key_of(issuer.issue(&grant).await.unwrap()), "appId.new");
    }
    assert_eq!(
        made.load(Ordering::SeqCst),
        2,
        "one more Auth for the new key"
    );
    let shown = format!("{issuer:?}");
    assert!(
        shown.contains("appId.new") && !shown.contains("Secret"),
        "{shown}"
    );
}
