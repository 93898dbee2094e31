//! A user lookup from a closure or function, and the bearer token of a request.

use crate::error::AblyError;
use ably_auth::{AblyIdentity, Error, Grant};
use actix_web::dev::Payload;
use actix_web::http::header::AUTHORIZATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::sync::Arc;

/// What a lookup's future yields.
type UserFuture<U> = Pin<Box<dyn Future<Output = Result<U, actix_web::Error>>>>;
/// The function behind a [`UserLookup`].
type LookupFn<U> = dyn Fn(&HttpRequest, &mut Payload) -> UserFuture<U> + Send + Sync;

/// Finds the signed-in user `U` of a request, from a closure or a function: a user type that
/// is not an actix-web extractor needs no `FromRequest` of its own.
///
/// The lookup answers with the user, or with the Ably error to send (anything that converts
/// into an [`AblyError`], [`ably_auth::Error`] included): 40100 (HTTP 401) when nobody is
/// signed in, 40300 (403) for a suspended account. Mount it for every route with
/// [`AblyRoutes::lookup`](crate::AblyRoutes::lookup), [`AblyRoutes::bearer`](crate::AblyRoutes::bearer)
/// or [`AblyRoutes::user_lookup`](crate::AblyRoutes::user_lookup); in handlers of your own,
/// put it in `app_data` and extract a [`Lookup<U>`].
///
/// ```
/// use ably_auth::Error;
/// use ably_auth_actix::adapters::{UserLookup, bearer_token};
/// use actix_web::{HttpRequest, web};
///
/// struct User { id: u64 }
/// struct Accounts;
/// impl Accounts {
///     async fn find(&self, token: &str) -> Option<User> { token.parse().ok().map(|id| User { id }) }
/// }
///
/// // Sync, from the request.
/// let from_header = UserLookup::new(|req: &HttpRequest| -> Result<User, Error> {
///     let id = req.headers().get("x-user-id").and_then(|v| v.to_str().ok()?.parse().ok());
///     id.map(|id| User { id }).ok_or_else(|| Error::Unauthorized("sign in first".into()))
/// });
///
/// // Sync, from `Authorization: Bearer <token>`.
/// let from_token = UserLookup::bearer(|token: &str, _req: &HttpRequest| -> Result<User, Error> {
///     token.parse().map(|id| User { id }).map_err(|_| Error::Unauthorized("unknown token".into()))
/// });
///
/// // Async, with the app's `web::Data<Accounts>`.
/// let from_store = UserLookup::with_data(|accounts: web::Data<Accounts>, req: HttpRequest| async move {
///     let token = bearer_token(&req)?;
///     accounts.find(token).await.ok_or_else(|| Error::Unauthorized("unknown token".into()))
/// });
/// ```
pub struct UserLookup<U>(Arc<LookupFn<U>>);

impl<U> Clone for UserLookup<U> {
    fn clone(&self) -> Self {
        UserLookup(self.0.clone())
    }
}

impl<U: 'static> UserLookup<U> {
    /// A lookup from a function of the request.
    pub fn new<E>(f: impl Fn(&HttpRequest) -> Result<U, E> + Send + Sync + 'static) -> Self
    where
        E: Into<AblyError>,
    {
        UserLookup(Arc::new(move |req, _| {
            let user = f(req).map_err(|err| actix_web::Error::from(err.into()));
            Box::pin(std::future::ready(user))
        }))
    }

    /// A lookup from an async function of the app's `web::Data<D>` and the request (a
    /// database or a session store). Without a `web::Data<D>` in `app_data` the app is
    /// misconfigured: 500, Ably code 50000, naming `D`.
    pub fn with_data<D, E, Fut>(
        f: impl Fn(web::Data<D>, HttpRequest) -> Fut + Send + Sync + 'static,
    ) -> Self
    where
        D: ?Sized + 'static,
        E: Into<AblyError>,
        Fut: Future<Output = Result<U, E>> + 'static,
    {
        UserLookup(Arc::new(move |req, _| {
            let Some(data) = req.app_data::<web::Data<D>>().cloned() else {
                let err = Error::Internal(format!(
                    "the user lookup needs a `web::Data<{}>` in app_data; add it with `App::app_data(web::Data::new(..))`",
                    std::any::type_name::<D>()
                ));
                return Box::pin(std::future::ready(Err(AblyError(err).into())));
            };
            let user = f(data, req.clone());
            Box::pin(async move { user.await.map_err(|err| actix_web::Error::from(err.into())) })
        }))
    }

    /// A lookup from the request's bearer token ([`bearer_token`]): `f` is called with the
    /// token only when the request has one. A request without a well-formed
    /// `Authorization: Bearer <token>` header is refused with 40100 (HTTP 401) and
    /// `WWW-Authenticate: Bearer`, and a token `f` refuses with 401 gets
    /// `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750).
    pub fn bearer<E>(f: impl Fn(&str, &HttpRequest) -> Result<U, E> + Send + Sync + 'static) -> Self
    where
        E: Into<AblyError>,
    {
        UserLookup::new(move |req: &HttpRequest| -> Result<U, AblyError> {
            let token = bearer_token(req)?;
            f(token, req).map_err(Into::into)
        })
    }

    /// The user type's own extractor, as a lookup.
    pub fn extractor() -> Self
    where
        U: FromRequest,
    {
        UserLookup(Arc::new(|req, payload| {
            let user = U::from_request(req, payload);
            Box::pin(async move { user.await.map_err(Into::into) })
        }))
    }

    /// Runs the lookup for `req`.
    pub(crate) fn find(&self, req: &HttpRequest, payload: &mut Payload) -> UserFuture<U> {
        (self.0)(req, payload)
    }
}

/// The user found by the [`UserLookup<U>`] in `app_data`: an extractor for handlers of your
/// own ([`Issued<Lookup<User>, _>`](crate::Issued), say). It implements [`AblyIdentity`] by
/// delegating to `U`, and derefs to it.
///
/// The lookup is found in `app_data` bare or as `web::Data<UserLookup<U>>`; without one the
/// app is misconfigured: 500, Ably code 50000.
///
/// Grant policies apply to the wrapper and to the user inside it: for an
/// `Issued<Lookup<User>, _>` or a `credential_handler::<Lookup<User>, _>`, the app-wide
/// `GrantPolicy<Lookup<User>>`s run, then the `GrantPolicy<User>`s, each able only to narrow or
/// refuse (see [`GrantPolicy`](crate::GrantPolicy)); the other adapters' wrappers are handled
/// alike. [`AblyRoutes`](crate::AblyRoutes) unwraps the user and applies the
/// `GrantPolicy<User>`s, once.
pub struct Lookup<U>(pub U);

impl<U: 'static> FromRequest for Lookup<U> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let lookup = req.app_data::<UserLookup<U>>().or_else(|| {
            req.app_data::<web::Data<UserLookup<U>>>()
                .map(|data| data.get_ref())
        });
        let Some(lookup) = lookup else {
            let err = Error::Internal(format!(
                "no `UserLookup<{}>` in app_data; mount the routes with `AblyRoutes::lookup` or add one with `App::app_data`",
                std::any::type_name::<U>()
            ));
            return Box::pin(std::future::ready(Err(AblyError(err).into())));
        };
        let user = lookup.find(req, payload);
        Box::pin(async move { user.await.map(Lookup) })
    }
}

impl<U: AblyIdentity> AblyIdentity for Lookup<U> {
    fn ably_grant(&self) -> ably_auth::Result<Grant> {
        self.0.ably_grant()
    }
}

impl<U> Deref for Lookup<U> {
    type Target = U;
    fn deref(&self) -> &U {
        &self.0
    }
}

/// Marks a request whose user is found by a bearer token, so that a 401 answer carries the
/// `WWW-Authenticate` challenge of RFC 6750.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BearerChallenge {
    /// Whether the request had a token (then the challenge says `error="invalid_token"`).
    pub token_sent: bool,
}

impl BearerChallenge {
    /// The `WWW-Authenticate` value.
    pub fn header_value(self) -> &'static str {
        if self.token_sent {
            r#"Bearer error="invalid_token""#
        } else {
            "Bearer"
        }
    }
}

/// The token of the request's `Authorization: Bearer <token>` header (RFC 6750: the scheme in
/// any case, one or more spaces, a `b64token` of letters, digits and `-._~+/`, then `=`
/// padding only).
///
/// Refused with [`Error::Unauthorized`] (40100, HTTP 401), the code of every adapter when the
/// app's own sign-in fails: no header, more than one, another scheme, or a malformed token.
/// The message never repeats the header. A route that answers such a request with 401 adds
/// `WWW-Authenticate: Bearer` (`Bearer error="invalid_token"` when a token was sent), as does a
/// later 401 from the lookup for the same request.
///
/// ```
/// use ably_auth_actix::adapters::bearer_token;
/// use actix_web::test::TestRequest;
///
/// let req = TestRequest::default().insert_header(("authorization", "Bearer 7")).to_http_request();
/// assert_eq!(bearer_token(&req).unwrap(), "7");
/// let req = TestRequest::default().insert_header(("authorization", "Basic dTpw")).to_http_request();
/// assert_eq!(bearer_token(&req).unwrap_err().code(), 40100);
/// ```
pub fn bearer_token(req: &HttpRequest) -> Result<&str, Error> {
    let mut values = req.headers().get_all(AUTHORIZATION);
    let (first, more) = (values.next(), values.next().is_some());
    req.extensions_mut().insert(BearerChallenge {
        token_sent: first.is_some(),
    });
    let Some(value) = first else {
        return Err(Error::Unauthorized(
            "no `Authorization: Bearer <token>` header; sign in and send your token".into(),
        ));
    };
    if more {
        return Err(Error::Unauthorized(
            "more than one Authorization header; send one `Authorization: Bearer <token>`".into(),
        ));
    }
    let token = value
        .to_str()
        .ok()
        .and_then(|value| value.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim_start_matches(' '))
        .filter(|token| is_b64token(token));
    token.ok_or_else(|| {
        Error::Unauthorized(
            "the Authorization header is not `Bearer <token>` with a token of letters, digits and -._~+/ (then = padding)".into(),
        )
    })
}

/// RFC 6750's `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_b64token(token: &str) -> bool {
    let body = token.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}
