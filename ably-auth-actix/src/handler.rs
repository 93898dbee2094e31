//! The token route's handler: from an extracted [`AuthUrlRequest`] to the response, one step
//! after another: the identity's grant, the policies, the client's hints, the issuer, the
//! response.

use crate::adapters::Lookup;
use crate::error::AblyError;
use crate::extract::AuthUrlRequest;
use crate::measure::record_outcome;
use crate::policy::apply_policies;
use crate::rate_limit::check_limits;
use crate::response::{body_response, render_error};
use ably_auth::{AblyIdentity, CredentialBody, Error, Grant, Hints, TokenIssuer};
use actix_web::{HttpRequest, HttpResponse, web};
use std::time::Instant;
use tracing::{Instrument, Span};

/// The handler behind [`TokenRoute`](crate::TokenRoute): answers one authUrl call with a
/// credential from the issuer `I` in `app_data` (as `web::Data<I>`), or with the Ably error,
/// through the app's error renderer if it installed one.
///
/// In order, each step once:
///
/// 1. the call as extracted ([`AuthUrlRequest`]: the user and the hints), or why it could not be;
/// 2. the user's grant, from its [`AblyIdentity`], and the per-user
///    [`RateLimiter`](crate::RateLimiter)s that apply, keyed by its clientId (42910 over a limit);
/// 3. the route's own policy, then the app-wide ones ([`GrantPolicy`](crate::GrantPolicy)),
///    for `U` and, when `U` is an adapter's wrapper, for the user type inside it;
/// 4. the client's hints, which can only narrow ([`Grant::narrow`]);
/// 5. the issuer, which turns the grant into the response body
///    ([`TokenIssuer::issue_body`]: a TokenRequest is signed and serialized in one pass);
/// 6. the response, with `Cache-Control: no-store`.
///
/// Every outcome is logged in the `ably_auth.issue` span: the kind of credential, or the
/// error's code, status and message. Mount it yourself when [`TokenRoute`](crate::TokenRoute)
/// does not fit:
///
/// ```no_run
/// use ably_auth::{Key, TokenRequestIssuer};
/// use ably_auth_actix::credential_handler;
/// use actix_web::{App, web};
/// # struct User;
/// # impl ably_auth::AblyIdentity for User { fn ably_grant(&self) -> ably_auth::Result<ably_auth::Grant> { unimplemented!() } }
/// # impl actix_web::FromRequest for User {
/// #     type Error = actix_web::Error;
/// #     type Future = std::future::Ready<Result<User, actix_web::Error>>;
/// #     fn from_request(_: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future { unimplemented!() }
/// # }
/// # let key: Key = "a.b:c".parse().unwrap();
///
/// let app = App::new()
///     .app_data(web::Data::new(TokenRequestIssuer::new(key)))
///     .route("/ably/token-request", web::get().to(credential_handler::<User, TokenRequestIssuer>));
/// ```
pub async fn credential_handler<U, I>(
    req: HttpRequest,
    request: Result<AuthUrlRequest<U>, AblyError>,
) -> HttpResponse
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    respond::<U, I>(
        req,
        request.map(|AuthUrlRequest { user, hints }| (user, hints)),
    )
    .await
}

/// [`credential_handler`] for the routes of an [`AblyRoutes`](crate::AblyRoutes): the user
/// comes from the [`UserLookup<U>`](crate::adapters::UserLookup) in `app_data`, and the
/// policies are those for `U`.
pub(crate) async fn lookup_handler<U, I>(
    req: HttpRequest,
    request: Result<AuthUrlRequest<Lookup<U>>, AblyError>,
) -> HttpResponse
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    let request = request.map(|AuthUrlRequest { user, hints }| (user.0, hints));
    respond::<U, I>(req, request).await
}

/// Steps 2 to 6 for an extracted user and hints, in the `ably_auth.issue` span.
async fn respond<U, I>(req: HttpRequest, request: Result<(U, Hints), AblyError>) -> HttpResponse
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    let span = issuing_span::<I>(&req);
    let started = Instant::now();
    async {
        let outcome = match request {
            Ok((user, hints)) => credential_body::<U, I>(&req, &user, &hints).await,
            Err(AblyError(err)) => Err(err),
        };
        log_outcome(outcome.as_ref().map(|body| body.kind));
        record_outcome(&req, started, outcome.as_ref().map(|body| body.kind));
        match outcome {
            Ok(body) => body_response(body),
            Err(err) => render_error(&req, &err),
        }
    }
    .instrument(span)
    .await
}

/// Steps 2 to 5 of [`credential_handler`]: the grant, then the issuer's body for it.
async fn credential_body<U, I>(
    req: &HttpRequest,
    user: &U,
    hints: &Hints,
) -> Result<CredentialBody, Error>
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    let grant = grant_for(req, user, hints)?;
    issuer_in::<I>(req)?.issue_body(&grant).await
}

/// Steps 2 to 4 of [`credential_handler`]: the identity's grant, the policies, the hints.
pub(crate) fn grant_for<U: AblyIdentity + 'static>(
    req: &HttpRequest,
    user: &U,
    hints: &Hints,
) -> Result<Grant, Error> {
    let grant = user.ably_grant()?;
    check_limits(req, grant.client_id.as_ref())?;
    let grant = apply_policies(req, user, grant)?;
    let grant = grant.narrow(hints)?;
    tracing::debug!(
        client_id = grant.client_id.as_ref().map(|c| c.as_str()),
        capability = %grant.capability,
        ttl_ms = grant.ttl.as_millis() as u64,
        "granting"
    );
    Ok(grant)
}

/// The issuer `I` in `app_data`; without one, the app is misconfigured (50000).
pub(crate) fn issuer_in<I: TokenIssuer + 'static>(
    req: &HttpRequest,
) -> Result<&web::Data<I>, Error> {
    req.app_data::<web::Data<I>>().ok_or_else(|| {
        Error::Internal(format!(
            "no `web::Data<{}>` in app_data; mount the route with `TokenRoute` or add the issuer with `.app_data(web::Data::new(issuer))`",
            short_type_name::<I>()
        ))
    })
}

/// The span every credential request is handled in.
pub(crate) fn issuing_span<I>(req: &HttpRequest) -> Span {
    tracing::info_span!(
        "ably_auth.issue",
        path = %req.path(),
        method = %req.method(),
        issuer = short_type_name::<I>(),
    )
}

/// Logs what a request got: the kind of credential, or the error.
pub(crate) fn log_outcome(outcome: Result<&'static str, &Error>) {
    match outcome {
        Ok(kind) => tracing::info!(kind, "issued an Ably credential"),
        Err(err) => tracing::warn!(
            code = err.code(),
            status = err.status(),
            error = %err.to_error_info().message,
            "refused an Ably credential"
        ),
    }
}

fn short_type_name<T>() -> &'static str {
    let name = std::any::type_name::<T>();
    name.rsplit("::").next().unwrap_or(name)
}
