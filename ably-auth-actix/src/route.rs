//! The one-line token route.

use crate::handler::credential_handler;
use crate::hints::BodyTimeout;
use crate::options::RouteOptions;
use crate::policy::GrantPolicy;
use crate::rate_limit::RateLimiter;
use crate::response::render_error;
use ably_auth::{
    AblyIdentity, Error, ErrorInfo, Grant, JwtIssuer, Key, TokenIssuer, TokenRequestIssuer,
};
use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::http::header::{ALLOW, CACHE_CONTROL, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

/// The methods a token route answers.
const ALLOWED: &str = "GET, POST, HEAD, OPTIONS";

/// An authUrl route for the app user type `U`, issuing credentials with `I`. It answers GET
/// (hints in the query) and POST (hints form-encoded), as Ably SDKs call an authUrl, and HEAD
/// like GET. OPTIONS gets `204` with an `Allow` header; any other method an Ably error, 405
/// with code 40500 and the `Allow` header.
///
/// Each request goes to [`credential_handler`], which takes the [`AuthUrlRequest`](crate::AuthUrlRequest)
/// (the user and the client's hints) and builds the grant in this order, each
/// step working on what the one before produced: the identity's [`AblyIdentity`] grant, the
/// route's own [`policy`](TokenRoute::policy) (which may add a channel), the app-wide
/// [`GrantPolicy`] in `app_data` (in `web::Data` form, then bare; these can only narrow; for
/// an adapter's wrapper such as `SessionUser<User>`, those for `User` follow), and last the
/// client's hints. Every registered policy runs; a refusal by any of them is the
/// answer, no policy can lengthen the ttl or change the clientId (see [`GrantPolicy`]), and
/// the hints can only narrow. A POST body must arrive within the
/// [`body_timeout`](TokenRoute::body_timeout) and be at most
/// [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES).
///
/// For several routes of one user type, [`AblyRoutes`](crate::AblyRoutes) mounts them all
/// with the same policy and user lookup. Mount one in one line with `App::service`, or with
/// [`TokenRoute::configure`] in a `ServiceConfig`:
///
/// ```no_run
/// use ably_auth::{AblyIdentity, Grant, Key};
/// use ably_auth_actix::TokenRoute;
/// use actix_web::{App, FromRequest, HttpRequest, dev::Payload};
/// # struct User;
/// # impl AblyIdentity for User { fn ably_grant(&self) -> ably_auth::Result<Grant> { unimplemented!() } }
/// # impl FromRequest for User {
/// #     type Error = actix_web::Error;
/// #     type Future = std::future::Ready<Result<User, actix_web::Error>>;
/// #     fn from_request(_: &HttpRequest, _: &mut Payload) -> Self::Future { unimplemented!() }
/// # }
///
/// let key: Key = "appId.keyId:keySecret".parse().unwrap();
/// let app = App::new()
///     .service(TokenRoute::<User, _>::token_requests("/ably/token-request", key.clone()))
///     .service(TokenRoute::<User, _>::jwts("/ably/jwt", key));
/// ```
pub struct TokenRoute<U, I> {
    path: String,
    issuer: web::Data<I>,
    options: RouteOptions<U>,
    _user: PhantomData<fn() -> U>,
}

impl<U, I> TokenRoute<U, I>
where
    U: FromRequest + AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    /// A route at `path` issuing with `issuer`.
    pub fn new(path: impl Into<String>, issuer: I) -> TokenRoute<U, I> {
        TokenRoute::with_data(path, web::Data::new(issuer))
    }

    /// A route at `path` issuing with a shared issuer.
    pub fn with_data(path: impl Into<String>, issuer: web::Data<I>) -> TokenRoute<U, I> {
        TokenRoute {
            path: path.into(),
            issuer,
            options: RouteOptions::default(),
            _user: PhantomData,
        }
    }

    /// Adjusts each grant of this route (see [`GrantPolicy`]): it may refuse, shorten the ttl,
    /// or add a channel. It runs on the identity's grant, before any app-wide
    /// [`GrantPolicy`] in `app_data`, which then narrows its result or refuses: it adds to an
    /// app-wide policy, never replaces it, and a refusal by either is the answer. Called
    /// again, the new policy runs after the first and can only narrow what it returns.
    ///
    /// ```no_run
    /// # use ably_auth::{AblyIdentity, Grant, Key, Error, Operation::*};
    /// # use ably_auth_actix::TokenRoute;
    /// # use actix_web::{HttpRequest, dev::Payload, FromRequest};
    /// # struct User { beta: bool }
    /// # impl AblyIdentity for User { fn ably_grant(&self) -> ably_auth::Result<Grant> { unimplemented!() } }
    /// # impl FromRequest for User {
    /// #     type Error = actix_web::Error;
    /// #     type Future = std::future::Ready<Result<User, actix_web::Error>>;
    /// #     fn from_request(_: &HttpRequest, _: &mut Payload) -> Self::Future { unimplemented!() }
    /// # }
    /// # let key: Key = "a.b:c".parse().unwrap();
    /// let route = TokenRoute::<User, _>::token_requests("/ably/token-request", key).policy(
    ///     |_req: &HttpRequest, user: &User, mut grant: Grant| {
    ///         if user.beta {
    ///             grant.capability = grant.capability.grant("beta:*", [Subscribe])?;
    ///         }
    ///         Ok(grant)
    ///     },
    /// );
    /// ```
    pub fn policy(
        mut self,
        f: impl Fn(&HttpRequest, &U, Grant) -> Result<Grant, Error> + Send + Sync + 'static,
    ) -> Self {
        self.options.add_policy(GrantPolicy::new(f));
        self
    }

    /// How long to wait for a whole POST body before refusing it with HTTP 408, Ably code 40000
    /// (default [`DEFAULT_BODY_TIMEOUT`](crate::DEFAULT_BODY_TIMEOUT), 5 s).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.options.body_timeout = BodyTimeout(timeout);
        self
    }

    /// Limits how many credentials each user may ask this route for (see [`RateLimiter`]):
    /// over the limit is HTTP 429, Ably code 42910, with `Retry-After`. Build the limiter once,
    /// outside `HttpServer::new`, and give each worker's route a clone. Called again, the
    /// limits add up: a request must pass each of them, so the stricter one decides.
    pub fn rate_limit(mut self, limit: RateLimiter) -> Self {
        self.options.limits.push(limit);
        self
    }

    /// Renders error responses your way (the default is Ably's `ErrorInfo` JSON).
    /// `Cache-Control: no-store` is added to whatever you return.
    pub fn error_body(
        mut self,
        f: impl Fn(&HttpRequest, &Error) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.options.error_body = Some(Arc::new(f));
        self
    }

    /// Mounts the route in a `ServiceConfig`: `App::new().configure(route.configure())`.
    pub fn configure(self) -> impl FnOnce(&mut web::ServiceConfig) {
        move |config| {
            config.service(self);
        }
    }

    fn resource(self) -> actix_web::Resource {
        let resource = web::resource(self.path).app_data(self.issuer);
        with_methods(self.options.install(resource), credential_handler::<U, I>)
    }
}

/// The methods of a credential route on `resource`: GET, POST and HEAD to `handler`, OPTIONS
/// answered with the `Allow` header, anything else 405.
pub(crate) fn with_methods<F, Args>(
    resource: actix_web::Resource,
    handler: F,
) -> actix_web::Resource
where
    F: actix_web::Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    resource
        .route(web::get().to(handler.clone()))
        .route(web::post().to(handler.clone()))
        .route(web::head().to(handler))
        .route(
            web::route()
                .method(actix_web::http::Method::OPTIONS)
                .to(options),
        )
        .default_service(web::to(method_not_allowed))
}

impl<U> TokenRoute<U, TokenRequestIssuer>
where
    U: FromRequest + AblyIdentity + 'static,
{
    /// A route answering signed TokenRequests (`application/json`).
    pub fn token_requests(path: impl Into<String>, key: Key) -> Self {
        TokenRoute::new(path, TokenRequestIssuer::new(key))
    }
}

impl<U> TokenRoute<U, JwtIssuer>
where
    U: FromRequest + AblyIdentity + 'static,
{
    /// A route answering Ably JWTs (`application/jwt`).
    pub fn jwts(path: impl Into<String>, key: Key) -> Self {
        TokenRoute::new(path, JwtIssuer::new(key))
    }
}

#[cfg(feature = "rest")]
#[cfg_attr(docsrs, doc(cfg(feature = "rest")))]
impl<U> TokenRoute<U, ably_auth::AblyTokenIssuer>
where
    U: FromRequest + AblyIdentity + 'static,
{
    /// A route answering Ably tokens (`TokenDetails` JSON) obtained from Ably's REST API.
    pub fn ably_tokens(path: impl Into<String>, auth: ably_auth::Auth) -> Self {
        TokenRoute::new(path, ably_auth::AblyTokenIssuer::new(auth))
    }
}

async fn options() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((ALLOW, HeaderValue::from_static(ALLOWED)))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .finish()
}

async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let err = Error::Ably(ErrorInfo::new(
        40500,
        405,
        format!(
            "method {} is not allowed on the token route; use GET (hints in the query) or POST (hints form-encoded)",
            req.method()
        ),
    ));
    let mut response = render_error(&req, &err);
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(ALLOWED));
    response
}

impl<U, I> HttpServiceFactory for TokenRoute<U, I>
where
    U: FromRequest + AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    fn register(self, config: &mut AppService) {
        self.resource().register(config);
    }
}
