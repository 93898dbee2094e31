//! The `Issued` extractor: user, hints, policy and issuer in one step.

use crate::error::{ErrorRenderer, error_response, user_error};
use crate::policy::apply_policies;
use crate::request::{read_body, request_hints};
use ably_auth::{AblyIdentity, Credential, Error, TokenIssuer};
use actix_web::body::BoxBody;
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder, web};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use tracing::Instrument;

/// A custom error renderer in `app_data`.
#[derive(Clone)]
pub(crate) struct ErrorBody(pub ErrorRenderer);

/// Extracts the app user `U`, reads the client's hints (query for GET, form body for POST),
/// applies the user's [`AblyIdentity`] grant, every [`GrantPolicy<U>`](crate::GrantPolicy) that
/// applies (in the order documented there) and the hints, and issues a credential with the `I`
/// found in `app_data` (as `web::Data<I>`).
///
/// When the user extractor fails, an [`AblyError`](crate::AblyError) keeps its code and status;
/// any other error is a 401 (40100), and a `Cookie` header that can't be parsed a 400 (40000).
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
                let (user, outcome) = match user.await {
                    Err(err) => (None, Err(user_error(err.into()))),
                    Ok(user) => {
                        let body = match body {
                            None => Ok(None),
                            Some(body) => read_body(&req, body.await).await.map(Some),
                        };
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
                        error = %err.to_error_info().message,
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

async fn issue<U, I>(req: &HttpRequest, user: &U, body: Option<&[u8]>) -> Result<Credential, Error>
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    let hints = request_hints(req, body)?;
    let grant = apply_policies(req, user, user.ably_grant()?)?;
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
