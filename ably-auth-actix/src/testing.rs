//! Testing your routes: call a credential route with `actix_web::test` and read its answer as
//! typed values, the credential ([`TokenRequest`], JWT, [`TokenDetails`]) or the Ably
//! [`ErrorInfo`] (code, status, message), then verify it the way Ably would with a
//! [`Verifier`]. It needs no dependency beyond actix-web.
//!
//! ```
//! use ably_auth::{AblyIdentity, Error, Key, Verifier};
//! use ably_auth_actix::{AblyRoutes, testing};
//! use actix_web::{App, HttpRequest, test};
//!
//! #[derive(AblyIdentity)]
//! #[ably(grant("chat:*" => [subscribe]), ttl = "10m")]
//! struct User {
//!     #[ably(client_id)]
//!     id: u64,
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let key: Key = "appId.keyId:keySecret".parse().unwrap();
//! let routes = AblyRoutes::<User>::new(key.clone())
//!     .bearer(|token: &str, _: &HttpRequest| -> Result<User, Error> {
//!         token.parse().map(|id| User { id }).map_err(|_| Error::Unauthorized("unknown".into()))
//!     })
//!     .token_requests("/ably/token-request");
//! let app = test::init_service(App::new().service(routes)).await;
//!
//! let request = test::TestRequest::get()
//!     .uri("/ably/token-request")
//!     .insert_header(("authorization", "Bearer 7"))
//!     .to_request();
//! let answer = testing::call(&app, request).await;
//! let token_request = answer.token_request();
//! assert_eq!(token_request.client_id.as_deref(), Some("7"));
//! assert_eq!(token_request.capability.as_deref(), Some(r#"{"chat:*":["subscribe"]}"#));
//! assert!(token_request.mac_matches(&key));
//! let granted = answer.verify(&Verifier::new().with_key(key)).unwrap();
//! assert_eq!(granted.capability.to_json(), r#"{"chat:*":["subscribe"]}"#);
//!
//! // No token: Ably's 40100, HTTP 401, and the bearer challenge.
//! let answer = testing::call(&app, test::TestRequest::get().uri("/ably/token-request").to_request()).await;
//! assert_eq!((answer.error().code, answer.error().status_code), (40100, 401));
//! assert_eq!(answer.headers().get("www-authenticate").unwrap(), "Bearer");
//! # });
//! ```

use ably_auth::{
    Credential, Error, ErrorInfo, TokenDetails, TokenRequest, VerifiedToken, Verifier,
};
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderMap};
use actix_web::test::{call_service, read_body};
use actix_web::web::Bytes;

/// Sends `request` (a `TestRequest` made into a request with `to_request()`) to `app` (made
/// with `actix_web::test::init_service`) and reads the answer.
///
/// # Panics
///
/// When the service fails rather than answering, and as [`RouteAnswer::read`].
pub async fn call<S, R, B, E>(app: &S, request: R) -> RouteAnswer
where
    S: Service<R, Response = ServiceResponse<B>, Error = E>,
    B: MessageBody,
    E: std::fmt::Debug,
{
    RouteAnswer::read(call_service(app, request).await).await
}

/// What a credential route answered: its status, headers and body, and the body read as the
/// credential or the Ably error.
#[derive(Debug)]
pub struct RouteAnswer {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
    outcome: Result<Credential, ErrorInfo>,
}

impl RouteAnswer {
    /// Reads a response: a success is a JWT (`application/jwt`), a TokenRequest (JSON with a
    /// `mac`) or a TokenDetails (JSON with a `token`); anything else is an error, read as Ably's
    /// `{"error":{..}}` body. An error body of another shape (from a custom
    /// [`error_body`](crate::AblyRoutes::error_body)) is kept as an [`ErrorInfo`] with the
    /// `X-Ably-ErrorCode` header's code (0 without one), the HTTP status and the body as its
    /// message.
    ///
    /// # Panics
    ///
    /// When a success is none of the three credentials: a test helper says so at once.
    pub async fn read<B: MessageBody>(response: ServiceResponse<B>) -> RouteAnswer {
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_body(response).await;
        let outcome = if status.is_success() {
            Ok(credential(&headers, &body).unwrap_or_else(|why| {
                panic!(
                    "the route answered {status} with no credential ({why}): {}",
                    String::from_utf8_lossy(&body)
                )
            }))
        } else {
            Err(ErrorInfo::from_json(&body).unwrap_or_else(|| ErrorInfo {
                code: headers
                    .get("x-ably-errorcode")
                    .and_then(|v| v.to_str().ok()?.parse().ok())
                    .unwrap_or(0),
                status_code: status.as_u16(),
                message: String::from_utf8_lossy(&body).into_owned(),
                href: None,
            }))
        };
        RouteAnswer {
            status,
            headers,
            body,
            outcome,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response headers (`Cache-Control`, `X-Ably-ErrorCode`, `WWW-Authenticate`, ...).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The body as sent.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The credential, or the Ably error.
    pub fn outcome(&self) -> Result<&Credential, &ErrorInfo> {
        self.outcome.as_ref()
    }

    /// The credential.
    ///
    /// # Panics
    ///
    /// When the route answered with an error, showing it.
    pub fn credential(&self) -> &Credential {
        match &self.outcome {
            Ok(credential) => credential,
            Err(err) => panic!("expected a credential, the route answered {err}"),
        }
    }

    /// The signed TokenRequest.
    ///
    /// # Panics
    ///
    /// When the route answered with an error or another credential.
    pub fn token_request(&self) -> &TokenRequest {
        match self.credential() {
            Credential::TokenRequest(request) => request,
            other => panic!(
                "expected a TokenRequest, the route answered a {}",
                other.kind()
            ),
        }
    }

    /// The Ably JWT, or the External JWT of an embedded-token route (both are answered as
    /// `application/jwt`; check an External JWT with [`Verifier::verify_external_jwt`]).
    ///
    /// # Panics
    ///
    /// When the route answered with an error or another credential.
    pub fn jwt(&self) -> &str {
        match self.credential() {
            Credential::Jwt(jwt) | Credential::EmbeddedJwt(jwt) => jwt,
            other => panic!("expected a JWT, the route answered a {}", other.kind()),
        }
    }

    /// The Ably token.
    ///
    /// # Panics
    ///
    /// When the route answered with an error or another credential.
    pub fn token_details(&self) -> &TokenDetails {
        match self.credential() {
            Credential::TokenDetails(details) => details,
            other => panic!(
                "expected an Ably token, the route answered a {}",
                other.kind()
            ),
        }
    }

    /// The Ably error: `code`, `status_code`, `message`.
    ///
    /// # Panics
    ///
    /// When the route answered with a credential.
    pub fn error(&self) -> &ErrorInfo {
        match &self.outcome {
            Err(err) => err,
            Ok(credential) => panic!(
                "expected an error, the route answered a {} ({})",
                credential.kind(),
                self.status
            ),
        }
    }

    /// Verifies the TokenRequest or JWT as Ably would ([`Verifier::verify_token_request`],
    /// [`Verifier::verify_jwt`]: the MAC or signature with the verifier's keys, the timestamp
    /// or expiry against its clock, the nonce, the capability within the key's) and returns what
    /// it grants. An Ably token or an error answer can't be verified here (40000).
    pub fn verify(&self, verifier: &Verifier) -> ably_auth::Result<VerifiedToken> {
        match &self.outcome {
            Ok(Credential::TokenRequest(request)) => verifier.verify_token_request(request),
            Ok(Credential::Jwt(jwt)) => verifier.verify_jwt(jwt),
            Ok(Credential::EmbeddedJwt(jwt)) => verifier.verify_embedded_jwt(jwt),
            Ok(Credential::TokenDetails(_)) => Err(Error::BadRequest {
                code: 40000,
                message: "an Ably token is verified by Ably; check its capability and clientId"
                    .into(),
            }),
            Ok(other) => Err(Error::BadRequest {
                code: 40000,
                message: format!("a {} credential can't be verified here", other.kind()),
            }),
            Err(err) => Err(Error::Ably(err.clone())),
        }
    }
}

/// The credential in a success body.
fn credential(headers: &HeaderMap, body: &[u8]) -> Result<Credential, String> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if content_type.starts_with("application/jwt") {
        let jwt = std::str::from_utf8(body).map_err(|e| e.to_string())?;
        return Ok(Credential::Jwt(jwt.to_owned()));
    }
    let json: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    if json.get("mac").is_some() {
        TokenRequest::from_json(body)
            .map(Credential::TokenRequest)
            .map_err(|e| e.to_string())
    } else if json.get("token").is_some() {
        serde_json::from_value(json)
            .map(Credential::TokenDetails)
            .map_err(|e| e.to_string())
    } else {
        Err(format!(
            "content type {content_type:?}, neither a `mac` nor a `token`"
        ))
    }
}
