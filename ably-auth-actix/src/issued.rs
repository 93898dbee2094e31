//! The `Issued` extractor: user, hints, policy and issuer in one step.

use crate::error::{ErrorRenderer, error_response};
use ably_auth::{AblyIdentity, Credential, Error, Grant, Hints, TokenIssuer};
use actix_web::body::BoxBody;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder, web};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use tracing::Instrument;

/// Largest query string the token route reads (8 KiB).
pub const MAX_QUERY_BYTES: usize = 8 * 1024;
/// Largest form body the token route reads (16 KiB).
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// An app's hook to adjust the grant per request, after the identity's policy and before the
/// client's hints narrow it: deny by feature flag, add a channel, shorten the ttl.
///
/// Install it with [`TokenRoute::policy`](crate::TokenRoute::policy), or put it in `app_data`
/// for routes written with the [`Issued`] extractor.
pub struct GrantPolicy<U>(Arc<PolicyFn<U>>);

/// The function behind a [`GrantPolicy`].
type PolicyFn<U> = dyn Fn(&HttpRequest, &U, Grant) -> Result<Grant, Error> + Send + Sync;

impl<U> GrantPolicy<U> {
    /// Wraps a policy function.
    pub fn new(
        f: impl Fn(&HttpRequest, &U, Grant) -> Result<Grant, Error> + Send + Sync + 'static,
    ) -> GrantPolicy<U> {
        GrantPolicy(Arc::new(f))
    }
}

impl<U> Clone for GrantPolicy<U> {
    fn clone(&self) -> Self {
        GrantPolicy(self.0.clone())
    }
}

/// A custom error renderer in `app_data`.
#[derive(Clone)]
pub(crate) struct ErrorBody(pub ErrorRenderer);

/// Extracts the app user `U`, reads the client's hints (query for GET, form body for POST),
/// applies the user's [`AblyIdentity`] policy, any [`GrantPolicy<U>`] and the hints, and issues
/// a credential with the `I` found in `app_data` (as `web::Data<I>`).
///
/// Extraction never fails: the outcome, credential or Ably error, is inside, so a handler can
/// log or wrap it and return it as the response.
///
/// ```no_run
/// use ably_auth::{AblyIdentity, JwtIssuer};
/// use ably_auth_actix::Issued;
///
/// async fn ably_jwt<U: AblyIdentity>(issued: Issued<U, JwtIssuer>) -> Issued<U, JwtIssuer> {
///     if let Err(err) = issued.outcome() {
///         eprintln!("refused: {} ({})", err, err.code());
///     }
///     issued
/// }
/// ```
pub struct Issued<U, I> {
    user: Option<U>,
    outcome: Result<Credential, Error>,
    _issuer: PhantomData<fn() -> I>,
}

impl<U, I> Issued<U, I> {
    /// The signed-in user, if the user extractor succeeded.
    pub fn user(&self) -> Option<&U> {
        self.user.as_ref()
    }

    /// The credential, or why none was issued.
    pub fn outcome(&self) -> Result<&Credential, &Error> {
        self.outcome.as_ref()
    }

    /// The credential, or why none was issued.
    pub fn into_outcome(self) -> Result<Credential, Error> {
        self.outcome
    }
}

impl<U, I> FromRequest for Issued<U, I>
where
    U: FromRequest + AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let user = U::from_request(&req, payload);
        let body =
            (req.method() == Method::POST).then(|| web::Payload::from_request(&req, payload));
        let span = tracing::info_span!(
            "ably_auth.issue",
            path = %req.path(),
            method = %req.method(),
            issuer = short_type_name::<I>(),
        );
        Box::pin(
            async move {
                let user = user.await;
                let body = match body {
                    None => Ok(None),
                    Some(body) => read_body(body.await).await.map(Some),
                };
                let (user, outcome) = match user {
                    Err(err) => (
                        None,
                        Err(Error::Unauthorized(format!(
                            "no signed-in user: {}",
                            err.into()
                        ))),
                    ),
                    Ok(user) => {
                        let outcome = match body {
                            Ok(body) => issue::<U, I>(&req, &user, body.as_deref()).await,
                            Err(err) => Err(err),
                        };
                        (Some(user), outcome)
                    }
                };
                match &outcome {
                    Ok(credential) => {
                        tracing::info!(kind = credential.kind(), "issued an Ably credential")
                    }
                    Err(err) => tracing::warn!(
                        code = err.code(),
                        status = err.status(),
                        error = %err,
                        "refused an Ably credential"
                    ),
                }
                Ok(Issued {
                    user,
                    outcome,
                    _issuer: PhantomData,
                })
            }
            .instrument(span),
        )
    }
}

async fn read_body(payload: Result<web::Payload, actix_web::Error>) -> Result<web::Bytes, Error> {
    let payload = payload.map_err(|e| unreadable_body(e.to_string()))?;
    match payload.to_bytes_limited(MAX_BODY_BYTES).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(e)) => Err(unreadable_body(e.to_string())),
        Err(_) => Err(Error::TooLarge(format!(
            "the body is over {MAX_BODY_BYTES} bytes; token parameters are small"
        ))),
    }
}

fn unreadable_body(message: String) -> Error {
    Error::BadRequest {
        code: 40000,
        message: format!("could not read the request body: {message}"),
    }
}

/// Reads hints from the query string and, for POST, a form body (whose values win).
pub fn request_hints(req: &HttpRequest, body: Option<&[u8]>) -> Result<Hints, Error> {
    let query = req.query_string();
    if query.len() > MAX_QUERY_BYTES {
        return Err(Error::TooLarge(format!(
            "the query string is over {MAX_QUERY_BYTES} bytes; token parameters are small"
        )));
    }
    let mut hints = Hints::from_urlencoded(query.as_bytes())?;
    if let Some(body) = body.filter(|b| !b.is_empty()) {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_none_or(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        if is_form {
            let form = Hints::from_urlencoded(body)?;
            hints.ttl = form.ttl.or(hints.ttl);
            hints.capability = form.capability.or(hints.capability);
            hints.client_id = form.client_id.or(hints.client_id);
        }
    }
    Ok(hints)
}

async fn issue<U, I>(req: &HttpRequest, user: &U, body: Option<&[u8]>) -> Result<Credential, Error>
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    let hints = request_hints(req, body)?;
    let mut grant = user.ably_grant()?;
    if let Some(policy) = req.app_data::<GrantPolicy<U>>() {
        grant = (policy.0)(req, user, grant)?;
    }
    let grant = grant.narrow(&hints)?;
    tracing::debug!(
        client_id = grant.client_id.as_ref().map(|c| c.as_str()),
        capability = %grant.capability,
        ttl_ms = grant.ttl.as_millis() as u64,
        "granting"
    );
    let issuer = req.app_data::<web::Data<I>>().ok_or_else(|| {
        Error::Internal(format!(
            "no `web::Data<{}>` in app_data; mount the route with `TokenRoute` or add the issuer with `.app_data(web::Data::new(issuer))`",
            short_type_name::<I>()
        ))
    })?;
    issuer.issue(&grant).await
}

fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}

/// The response for a credential: `application/json` (TokenRequest, TokenDetails) or
/// `application/jwt`, with `Cache-Control: no-store` (a cached TokenRequest is a replayed
/// nonce, 40105).
pub fn credential_response(credential: &Credential) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((
            CONTENT_TYPE,
            HeaderValue::from_static(credential.content_type()),
        ))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(credential.to_body())
}

/// The response for an error, through the app's [`ErrorRenderer`] if it installed one.
pub fn render_error(req: &HttpRequest, err: &Error) -> HttpResponse {
    let mut response = match req.app_data::<ErrorBody>() {
        Some(ErrorBody(render)) => render(req, err),
        None => error_response(err),
    };
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

impl<U, I> Responder for Issued<U, I> {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        match &self.outcome {
            Ok(credential) => credential_response(credential),
            Err(err) => render_error(req, err),
        }
    }
}
