//! The key secret appears in no `Debug` or `Display` output: not in the types that hold the
//! key, and not in any error an operation using the key can produce.

use ably_auth::{
    Capability, ClientId, Error, FixedClock, Grant, JwtBuilder, JwtIssuer, Key, Operation::*,
    Signer, TokenIssuer, TokenParams, TokenRequest, TokenRequestIssuer, Verifier,
};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "Zq9SecretValueXw7";
const KEY: &str = "appId.keyId:Zq9SecretValueXw7";
const NOW: u64 = 1_700_000_000_000;

fn key() -> Key {
    KEY.parse().unwrap()
}

fn assert_no_secret(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET),
        "{what} shows the key secret: {text}"
    );
    // Nor a long piece of it (a truncated or split rendering).
    for piece in [&SECRET[..8], &SECRET[SECRET.len() - 8..]] {
        assert!(
            !text.contains(piece),
            "{what} shows part of the secret: {text}"
        );
    }
}

fn assert_error_has_no_secret(what: &str, err: &Error) {
    assert_no_secret(what, &err.to_string());
    assert_no_secret(what, &format!("{err:?}"));
    assert_no_secret(what, &format!("{err:#?}"));
    assert_no_secret(what, &err.to_error_info().to_json());
}

/// Blocks on a future that is ready at once (the local issuers do no I/O).
fn ready<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match f.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(v) => v,
        std::task::Poll::Pending => panic!("a local issuer returned Pending"),
    }
}

#[test]
fn debug_and_display_of_key_holders_hide_the_secret() {
    let clock = Arc::new(FixedClock::new(NOW));
    let key = key().with_capability(Capability::all_channels());
    let signer = Signer::new(key.clone()).with_clock(clock.clone());
    let verifier = Verifier::new()
        .with_key(key.clone())
        .with_clock(clock.clone());
    let builder = JwtBuilder::new(&key)
        .client_id(ClientId::new("alice").unwrap())
        .claim("plan", "pro")
        .unwrap();
    let request_issuer = TokenRequestIssuer::with_signer(signer.clone());
    let jwt_issuer = JwtIssuer::new(key.clone()).with_clock(clock);
    let grant = Grant::new(
        Some(ClientId::new("alice").unwrap()),
        Capability::new().grant("chat:*", [Subscribe]).unwrap(),
        Duration::from_secs(60),
    );
    let renderings = [
        ("Key Debug", format!("{key:?}")),
        ("Key alternate Debug", format!("{key:#?}")),
        ("Key Display", format!("{key}")),
        ("Signer Debug", format!("{signer:?}")),
        ("Signer alternate Debug", format!("{signer:#?}")),
        ("Verifier Debug", format!("{verifier:?}")),
        ("Verifier alternate Debug", format!("{verifier:#?}")),
        ("JwtBuilder Debug", format!("{builder:?}")),
        ("JwtBuilder alternate Debug", format!("{builder:#?}")),
        ("TokenRequestIssuer Debug", format!("{request_issuer:?}")),
        (
            "TokenRequestIssuer alternate Debug",
            format!("{request_issuer:#?}"),
        ),
        ("JwtIssuer Debug", format!("{jwt_issuer:?}")),
        ("JwtIssuer alternate Debug", format!("{jwt_issuer:#?}")),
        (
            "JwtIssuer builder Debug",
            format!("{:?}", jwt_issuer.builder(&grant)),
        ),
    ];
    for (what, text) in &renderings {
        assert_no_secret(what, text);
        // The renderings do identify the key, by name.
        assert!(text.contains("appId.keyId"), "{what}: {text}");
    }

    // What the issuers hand out carries no secret either.
    let request = ready(request_issuer.issue(&grant)).unwrap();
    assert_no_secret("TokenRequest body", &request.to_body());
    assert_no_secret("TokenRequest Debug", &format!("{request:?}"));
    let jwt = ready(jwt_issuer.issue(&grant)).unwrap();
    assert_no_secret("JWT", &jwt.to_body());
}

#[test]
fn key_parse_errors_hide_the_secret() {
    let inputs = [
        format!("appId.keyId:{SECRET}:more"),
        format!("appId.keyId:{SECRET}.more"),
        format!("appId.keyId:{SECRET} more"),
        format!(" appId.keyId:{SECRET}"),
        format!(":{SECRET}"),
        format!("appId.keyId{SECRET}"),
    ];
    for input in &inputs {
        let err = Key::parse(input).unwrap_err();
        assert_eq!(err.code(), 40101, "{input}");
        assert_error_has_no_secret(input, &err);
    }
}

/// Drives every error path of the operations that use the key and checks each message.
#[test]
fn errors_from_operations_using_the_key_hide_the_secret() {
    let clock = Arc::new(FixedClock::new(NOW));
    let key =
        key().with_capability(Capability::parse(r#"{"chat:*":["publish","subscribe"]}"#).unwrap());
    let signer = Signer::new(key.clone()).with_clock(clock.clone());
    let verifier = Verifier::new()
        .with_key(key.clone())
        .with_clock(clock.clone())
        .with_nonce_capacity(2);
    let mut errors: Vec<(String, Error)> = Vec::new();
    let mut record = |what: &str, result: Result<(), Error>| {
        errors.push((what.to_owned(), result.expect_err(what)));
    };

    // Signing.
    let sign = |params: TokenParams| signer.sign(&params).map(drop);
    record(
        "sign: ttl over the limit",
        sign(TokenParams {
            ttl: Some(Duration::from_secs(25 * 3600)),
            ..Default::default()
        }),
    );
    record(
        "sign: zero ttl",
        sign(TokenParams {
            ttl: Some(Duration::ZERO),
            ..Default::default()
        }),
    );
    record(
        "sign: short nonce",
        sign(TokenParams {
            nonce: Some("short".into()),
            ..Default::default()
        }),
    );
    record(
        "sign: empty capability",
        sign(TokenParams {
            capability: Some(Capability::new()),
            ..Default::default()
        }),
    );
    record(
        "sign: capability outside the key's",
        sign(TokenParams {
            capability: Some(Capability::new().grant("admin", [Publish]).unwrap()),
            ..Default::default()
        }),
    );
    let revocable = key.clone().with_revocable_tokens(true);
    record(
        "sign: revocable key ttl",
        Signer::new(revocable.clone())
            .sign(&TokenParams {
                ttl: Some(Duration::from_secs(7200)),
                ..Default::default()
            })
            .map(drop),
    );

    // JWTs.
    let jwt = |b: JwtBuilder| b.sign().map(drop);
    record(
        "jwt: ttl over the limit",
        jwt(JwtBuilder::new(&key).ttl(Duration::from_secs(90_000))),
    );
    record(
        "jwt: sub-second ttl",
        jwt(JwtBuilder::new(&key).ttl(Duration::from_millis(500))),
    );
    record(
        "jwt: backdate past the limit",
        jwt(JwtBuilder::new(&revocable)
            .ttl(Duration::from_secs(3600))
            .backdate(Duration::from_secs(60))),
    );
    record(
        "jwt: empty capability",
        jwt(JwtBuilder::new(&key).capability(Capability::new())),
    );
    record(
        "jwt: reserved claim",
        JwtBuilder::new(&key)
            .claim("x-ably-clientId", "bob")
            .map(drop),
    );
    record(
        "jwt: builder-owned claim",
        JwtBuilder::new(&key).claim("exp", 1).map(drop),
    );

    // Issuers.
    let wide = Grant::new(
        None,
        Capability::all_channels(),
        Duration::from_secs(90_000),
    );
    record(
        "TokenRequestIssuer: ttl over the limit",
        ready(TokenRequestIssuer::with_signer(signer.clone()).issue(&wide)).map(drop),
    );
    record(
        "JwtIssuer: ttl over the limit",
        ready(JwtIssuer::new(key.clone()).issue(&wide)).map(drop),
    );

    // Verifying TokenRequests.
    let good = |params: TokenParams| signer.sign(&params).unwrap();
    let verify = |request: &TokenRequest| verifier.verify_token_request(request).map(drop);
    let mut tampered = good(TokenParams::default());
    tampered.client_id = Some(SECRET.into());
    record("verify: mac mismatch", verify(&tampered));
    let mut unknown = good(TokenParams::default());
    unknown.key_name = "appId.other".into();
    record("verify: unknown key", verify(&unknown));
    let mut stale = good(TokenParams::default());
    stale.timestamp = NOW - 3_600_000;
    stale.set_mac(&key).unwrap();
    record("verify: timestamp not current", verify(&stale));
    let mut long = good(TokenParams::default());
    long.ttl = Some(90_000_000);
    long.set_mac(&key).unwrap();
    record("verify: ttl over the limit", verify(&long));
    let mut denied = good(TokenParams::default());
    denied.capability = Some(r#"{"admin":["*"]}"#.into());
    denied.set_mac(&key).unwrap();
    record("verify: capability outside the key's", verify(&denied));
    let mut invalid_cap = good(TokenParams::default());
    invalid_cap.capability = Some(r#"{"chat:a":["nope"]}"#.into());
    invalid_cap.set_mac(&key).unwrap();
    record("verify: invalid capability", verify(&invalid_cap));
    let mut empty_id = good(TokenParams::default());
    empty_id.client_id = Some(String::new());
    record("set_mac: empty clientId", empty_id.set_mac(&key));
    record("verify: empty clientId", verify(&empty_id));
    let mut short_nonce = good(TokenParams::default());
    short_nonce.nonce = "n".into();
    short_nonce.set_mac(&key).unwrap();
    record("verify: short nonce", verify(&short_nonce));
    let mut split = good(TokenParams::default());
    split.client_id = Some(format!("alice\n{SECRET}"));
    record("set_mac: line feed in the clientId", split.set_mac(&key));
    record("verify: line feed in the clientId", verify(&split));
    let once = good(TokenParams::default());
    verify(&once).unwrap();
    record("verify: replayed nonce", verify(&once));
    verify(&good(TokenParams::default())).unwrap();
    record(
        "verify: nonce cache full",
        verify(&good(TokenParams::default())),
    );
    record(
        "verify: body not a TokenRequest",
        TokenRequest::from_json(br#"{"keyName":"appId.keyId"}"#).map(drop),
    );

    // Verifying JWTs.
    let verify_jwt = |b: JwtBuilder| verifier.verify_jwt(&b.sign().unwrap()).map(drop);
    let at_now = || JwtBuilder::new(&key).issued_at_ms(NOW);
    record(
        "verify_jwt: expired",
        verify_jwt(
            JwtBuilder::new(&key)
                .issued_at_ms(NOW - 7_200_000)
                .ttl(Duration::from_secs(60)),
        ),
    );
    record(
        "verify_jwt: issued in the future",
        verify_jwt(JwtBuilder::new(&key).issued_at_ms(NOW + 3_600_000)),
    );
    record(
        "verify_jwt: capability outside the key's",
        verify_jwt(at_now().capability(Capability::new().grant("admin", [Publish]).unwrap())),
    );
    record(
        "verify_jwt: bad signature",
        verify_jwt(
            JwtBuilder::new(&format!("appId.keyId:{}x", &SECRET[..4]).parse().unwrap())
                .issued_at_ms(NOW),
        ),
    );
    let token = at_now().sign().unwrap();
    record(
        "verify_jwt: not three parts",
        verifier.verify_jwt(&token[..token.len() / 2]).map(drop),
    );
    record("verify_jwt: garbage", verifier.verify_jwt(SECRET).map(drop));
    record(
        "verify_jwt: unknown kid",
        verifier
            .verify_jwt(
                &JwtBuilder::new(&"appId.other:xyz".parse().unwrap())
                    .sign()
                    .unwrap(),
            )
            .map(drop),
    );

    let codes: BTreeSet<u32> = errors.iter().map(|(_, e)| e.code()).collect();
    // Every family of key-related error was reached.
    for code in [
        40000, 40001, 40003, 40012, 40101, 40104, 40105, 40142, 40144, 40160, 40400, 42910,
    ] {
        assert!(
            codes.contains(&code),
            "no error with code {code} was produced: {codes:?}"
        );
    }
    for (what, err) in &errors {
        assert_error_has_no_secret(what, err);
    }
}
