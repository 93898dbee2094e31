//! Every credential route of a user type, with one policy: [`AblyRoutes`].

use crate::adapters::UserLookup;
use crate::handler::lookup_handler;
use crate::hints::BodyTimeout;
use crate::options::RouteOptions;
use crate::policy::GrantPolicy;
use crate::rate_limit::RateLimiter;
use crate::route::with_methods;
use ably_auth::{
    AblyIdentity, Error, Grant, JwtIssuer, Key, KeyRing, RotatingJwtIssuer,
    RotatingTokenRequestIssuer, TokenIssuer, TokenRequestIssuer,
};
use actix_web::dev::{AppService, HttpServiceFactory};
use actix_web::{FromRequest, HttpRequest, HttpResponse, Resource, web};
use std::sync::Arc;
use std::time::Duration;

/// One route, waiting for the builder's options and user lookup.
type PendingRoute<U> = Arc<dyn Fn(&RouteOptions<U>, &UserLookup<U>) -> Resource + Send + Sync>;
/// A route at a path for one of the builder's own issuers.
type IssuerRoute<U> = Arc<dyn Fn(String) -> PendingRoute<U> + Send + Sync>;

/// Every credential route for the user type `U`, mounted with one policy, one way of finding
/// the user and the same options, so that no route can miss any of them and `U` is written
/// once.
///
/// ```no_run
/// use ably_auth::{AblyIdentity, Error, Key};
/// use ably_auth_actix::AblyRoutes;
/// use actix_web::{App, HttpRequest, HttpServer};
///
/// #[derive(AblyIdentity)]
/// #[ably(grant("chat:*" => [subscribe, publish]), ttl = "1h")]
/// struct User {
///     #[ably(client_id)]
///     id: u64,
///     suspended: bool,
/// }
///
/// fn find_user(token: &str, _req: &HttpRequest) -> Result<User, Error> {
///     // Look the token up in your sessions here.
///     let id = token.parse().map_err(|_| Error::Unauthorized("unknown token".into()))?;
///     Ok(User { id, suspended: id == 13 })
/// }
///
/// # async fn run() -> std::io::Result<()> {
/// let routes = AblyRoutes::<User>::new(Key::from_env().map_err(std::io::Error::other)?)
///     .bearer(find_user)
///     .policy(|_req: &HttpRequest, user: &User, grant| {
///         if user.suspended {
///             return Err(Error::Forbidden("this account is suspended".into()));
///         }
///         Ok(grant)
///     })
///     .token_requests("/ably/token-request")
///     .jwts("/ably/jwt");
/// HttpServer::new(move || App::new().service(routes.clone()))
///     .bind("127.0.0.1:8080")?
///     .run()
///     .await
/// # }
/// ```
///
/// Build it once and clone it into each worker: the issuers, the policy and the lookup are
/// shared, not rebuilt.
///
/// # The user
///
/// By default `U` is an actix-web extractor (`FromRequest`, as for [`TokenRoute`]). Otherwise
/// say how to find it: [`lookup`](AblyRoutes::lookup) (a function of the request),
/// [`bearer`](AblyRoutes::bearer) (a function of the `Authorization: Bearer` token) or
/// [`user_lookup`](AblyRoutes::user_lookup) (any [`UserLookup`], async ones with app data
/// included). Without either, a `U` that is not an extractor is a compile error at
/// `App::service`, naming `U: FromRequest`.
///
/// # What a user gets
///
/// Each route answers as a [`TokenRoute`] does (GET, POST, HEAD; OPTIONS; 405 otherwise), and
/// builds the grant in the same order: `U`'s [`AblyIdentity`] grant, the builder's
/// [`policy`](AblyRoutes::policy), the app-wide [`GrantPolicy<U>`] in `app_data` (for
/// `AblyRoutes<SessionUser<User>>`, the `GrantPolicy<User>`s after it), then the client's
/// hints. The builder's policy is each route's own policy: it may add a channel, and
/// the app-wide policies, which run after it, can only narrow or refuse its result (see
/// [`GrantPolicy`]); a refusal by any of them is the answer.
///
/// The client's hints (`capability`, `ttl`, `clientId` in the query or the form body) can
/// only narrow what the user is granted, never widen it, as Ably itself treats a token
/// request: a hint that asks for more than the grant is *narrowed* to what the grant allows,
/// not refused. `{"*":["*"]}` from a user granted `{"chat:*":["subscribe"]}` gets
/// `{"chat:*":["subscribe"]}`; a longer ttl gets the grant's ttl. Only a hint that leaves
/// nothing is refused: a capability with no channel or operation in common with the grant
/// (40160, HTTP 403), or another clientId (40102, 403). To refuse any request that asks for
/// more than the plan allows, compare the hints in a handler of your own
/// ([`AuthUrlRequest`](crate::AuthUrlRequest)).
///
/// # Routes
///
/// [`token_requests`](AblyRoutes::token_requests) and [`jwts`](AblyRoutes::jwts) sign with
/// what [`new`](AblyRoutes::new) was given (a [`Key`], or your own [`Issuers`]);
/// [`ably_tokens`](AblyRoutes::ably_tokens) fetches Ably tokens (feature `rest`);
/// [`route`](AblyRoutes::route) mounts any other [`TokenIssuer`]. Options set on the builder
/// ([`policy`](AblyRoutes::policy), [`error_body`](AblyRoutes::error_body),
/// [`body_timeout`](AblyRoutes::body_timeout), [`rate_limit`](AblyRoutes::rate_limit)) apply
/// to every route, added before or after
/// them.
///
/// # Panics
///
/// Each route needs a path of its own: adding a second route at a path already taken panics
/// when the builder is made (actix-web would otherwise serve only the first, silently).
///
/// [`TokenRoute`]: crate::TokenRoute
pub struct AblyRoutes<U, S = OwnExtractor> {
    users: S,
    token_requests: IssuerRoute<U>,
    jwts: IssuerRoute<U>,
    options: RouteOptions<U>,
    routes: Vec<PendingRoute<U>>,
    /// The routes' paths, in the order added.
    paths: Vec<String>,
}

impl<U, S: Clone> Clone for AblyRoutes<U, S> {
    fn clone(&self) -> Self {
        AblyRoutes {
            users: self.users.clone(),
            token_requests: self.token_requests.clone(),
            jwts: self.jwts.clone(),
            options: self.options.clone(),
            routes: self.routes.clone(),
            paths: self.paths.clone(),
        }
    }
}

impl<U: AblyIdentity + 'static> AblyRoutes<U> {
    /// No routes yet; [`token_requests`](AblyRoutes::token_requests) and
    /// [`jwts`](AblyRoutes::jwts) will sign with `keys`: a [`Key`], or [`Issuers`] of your
    /// own (with an injected clock, say).
    pub fn new(keys: impl IntoIssuers) -> AblyRoutes<U> {
        let Issuers {
            token_requests,
            jwts,
        } = keys.into_issuers();
        AblyRoutes {
            users: OwnExtractor,
            token_requests: issuer_route(web::Data::new(token_requests)),
            jwts: issuer_route(web::Data::new(jwts)),
            options: RouteOptions::default(),
            routes: Vec::new(),
            paths: Vec::new(),
        }
    }
}

impl<U: AblyIdentity + 'static, S> AblyRoutes<U, S> {
    /// Finds the user with `f`, a function of the request (see [`UserLookup::new`]).
    pub fn lookup<E: Into<crate::AblyError>>(
        self,
        f: impl Fn(&HttpRequest) -> Result<U, E> + Send + Sync + 'static,
    ) -> AblyRoutes<U, UserLookup<U>> {
        self.user_lookup(UserLookup::new(f))
    }

    /// Finds the user with `f`, a function of the `Authorization: Bearer <token>` token (see
    /// [`UserLookup::bearer`]): a request without one is refused with 40100 (HTTP 401) and
    /// `WWW-Authenticate: Bearer`.
    pub fn bearer<E: Into<crate::AblyError>>(
        self,
        f: impl Fn(&str, &HttpRequest) -> Result<U, E> + Send + Sync + 'static,
    ) -> AblyRoutes<U, UserLookup<U>> {
        self.user_lookup(UserLookup::bearer(f))
    }

    /// Finds the user with `lookup` (an async one with app data: [`UserLookup::with_data`]).
    pub fn user_lookup(self, lookup: UserLookup<U>) -> AblyRoutes<U, UserLookup<U>> {
        AblyRoutes {
            users: lookup,
            token_requests: self.token_requests,
            jwts: self.jwts,
            options: self.options,
            routes: self.routes,
            paths: self.paths,
        }
    }

    /// Adjusts each grant of every route (see [`GrantPolicy`]): refuse, shorten the ttl, add
    /// a channel. It runs on the identity's grant, before any app-wide [`GrantPolicy<U>`] in
    /// `app_data`, which can then only narrow its result or refuse. Called again, the new
    /// policy runs after the first and can only narrow what it returns.
    pub fn policy(
        mut self,
        f: impl Fn(&HttpRequest, &U, Grant) -> Result<Grant, Error> + Send + Sync + 'static,
    ) -> Self {
        self.options.add_policy(GrantPolicy::new(f));
        self
    }

    /// How long every route waits for a whole POST body (see
    /// [`TokenRoute::body_timeout`](crate::TokenRoute::body_timeout)).
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.options.body_timeout = BodyTimeout(timeout);
        self
    }

    /// Limits how many credentials each user may ask for (see [`RateLimiter`]): every route of
    /// the builder counts against `limit`, so a user has one budget across them (the limiter's
    /// state is shared by its clones). Over the limit is HTTP 429, Ably code 42910, with
    /// `Retry-After`. Called again, the limits add up: a request must pass each of them, so
    /// the stricter decides; a limiter in `app_data` counts too.
    pub fn rate_limit(mut self, limit: RateLimiter) -> Self {
        self.options.limits.push(limit);
        self
    }

    /// Renders every route's errors your way (see
    /// [`TokenRoute::error_body`](crate::TokenRoute::error_body)).
    pub fn error_body(
        mut self,
        f: impl Fn(&HttpRequest, &Error) -> HttpResponse + Send + Sync + 'static,
    ) -> Self {
        self.options.error_body = Some(Arc::new(f));
        self
    }

    /// A route at `path` answering signed TokenRequests (`application/json`).
    pub fn token_requests(self, path: impl Into<String>) -> Self {
        let route = self.token_requests.clone();
        self.add(path.into(), |path| route(path))
    }

    /// A route at `path` answering Ably JWTs (`application/jwt`).
    pub fn jwts(self, path: impl Into<String>) -> Self {
        let route = self.jwts.clone();
        self.add(path.into(), |path| route(path))
    }

    /// A route at `path` answering Ably tokens (`TokenDetails` JSON) that `auth` obtains from
    /// Ably's REST API; one `Auth` for every clone of the builder.
    #[cfg(feature = "rest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "rest")))]
    pub fn ably_tokens(self, path: impl Into<String>, auth: ably_auth::Auth) -> Self {
        self.route(path, ably_auth::AblyTokenIssuer::new(auth))
    }

    /// A route at `path` answering with the credentials of `issuer`, any [`TokenIssuer`].
    pub fn route<I: TokenIssuer + 'static>(self, path: impl Into<String>, issuer: I) -> Self {
        self.route_data(path, web::Data::new(issuer))
    }

    /// A route at `path` answering with the credentials of a shared `issuer`.
    pub fn route_data<I: TokenIssuer + 'static>(
        self,
        path: impl Into<String>,
        issuer: web::Data<I>,
    ) -> Self {
        self.add(path.into(), |path| pending_route(path, issuer))
    }

    /// Adds the route `make` makes for `path`, refusing a path already taken.
    fn add(mut self, path: String, make: impl FnOnce(String) -> PendingRoute<U>) -> Self {
        assert!(
            !self.paths.contains(&path),
            "AblyRoutes: two routes at {path:?}; actix-web would serve only the first, so give \
             each route its own path"
        );
        self.paths.push(path.clone());
        self.routes.push(make(path));
        self
    }
}

impl<U: AblyIdentity + 'static, S: UserSource<U> + 'static> AblyRoutes<U, S> {
    /// Mounts the routes in a `ServiceConfig`: `App::new().configure(routes.configure())`.
    pub fn configure(self) -> impl FnOnce(&mut web::ServiceConfig) {
        move |config| {
            config.service(self);
        }
    }
}

impl<U: AblyIdentity + 'static, S: UserSource<U>> HttpServiceFactory for AblyRoutes<U, S> {
    fn register(self, config: &mut AppService) {
        let lookup = self.users.user_lookup();
        for route in &self.routes {
            route(&self.options, &lookup).register(config);
        }
    }
}

fn issuer_route<U, I>(issuer: web::Data<I>) -> IssuerRoute<U>
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    Arc::new(move |path| pending_route(path, issuer.clone()))
}

fn pending_route<U, I>(path: String, issuer: web::Data<I>) -> PendingRoute<U>
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    Arc::new(move |options, lookup| {
        let resource = web::resource(path.as_str())
            .app_data(issuer.clone())
            .app_data(lookup.clone());
        with_methods(options.install(resource), lookup_handler::<U, I>)
    })
}

/// What [`AblyRoutes::new`] signs with: the issuers of its
/// [`token_requests`](AblyRoutes::token_requests) and [`jwts`](AblyRoutes::jwts) routes.
pub trait IntoIssuers {
    /// The issuer of TokenRequests.
    type TokenRequests: TokenIssuer + 'static;
    /// The issuer of Ably JWTs.
    type Jwts: TokenIssuer + 'static;
    /// The two issuers.
    fn into_issuers(self) -> Issuers<Self::TokenRequests, Self::Jwts>;
}

/// A key signs both: [`TokenRequestIssuer::new`] and [`JwtIssuer::new`].
impl IntoIssuers for Key {
    type TokenRequests = TokenRequestIssuer;
    type Jwts = JwtIssuer;
    fn into_issuers(self) -> Issuers<TokenRequestIssuer, JwtIssuer> {
        Issuers {
            token_requests: TokenRequestIssuer::new(self.clone()),
            jwts: JwtIssuer::new(self),
        }
    }
}

/// A [`KeyRing`] signs both with whichever key signs at the time of each request
/// ([`RotatingTokenRequestIssuer`], [`RotatingJwtIssuer`]): replace the ring's keys while the
/// server runs and the routes follow.
impl IntoIssuers for KeyRing {
    type TokenRequests = RotatingTokenRequestIssuer;
    type Jwts = RotatingJwtIssuer;
    fn into_issuers(self) -> Issuers<RotatingTokenRequestIssuer, RotatingJwtIssuer> {
        Issuers {
            token_requests: RotatingTokenRequestIssuer::new(self.clone()),
            jwts: RotatingJwtIssuer::new(self),
        }
    }
}

/// The issuers of an [`AblyRoutes`], when not a plain [`Key`]'s: with a clock or nonce source
/// of your own, back-dated JWTs, or issuers that follow a rotating key.
///
/// ```
/// use ably_auth::{FixedClock, JwtIssuer, Key, TokenRequestIssuer};
/// use ably_auth_actix::{AblyRoutes, Issuers};
/// use std::sync::Arc;
/// # #[derive(ably_auth::AblyIdentity)] struct User { #[ably(client_id)] id: u64 }
///
/// let key: Key = "appId.keyId:keySecret".parse()?;
/// let clock = Arc::new(FixedClock::new(1_700_000_000_000));
/// let routes = AblyRoutes::<User>::new(Issuers {
///     token_requests: TokenRequestIssuer::new(key.clone()).with_clock(clock.clone()),
///     jwts: JwtIssuer::new(key).with_clock(clock),
/// });
/// # Ok::<(), ably_auth::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Issuers<T, J> {
    /// Signs the TokenRequests.
    pub token_requests: T,
    /// Signs the JWTs.
    pub jwts: J,
}

impl<T: TokenIssuer + 'static, J: TokenIssuer + 'static> IntoIssuers for Issuers<T, J> {
    type TokenRequests = T;
    type Jwts = J;
    fn into_issuers(self) -> Issuers<T, J> {
        self
    }
}

/// Where an [`AblyRoutes`] finds the user: [`OwnExtractor`] (the default) or a
/// [`UserLookup`].
#[diagnostic::on_unimplemented(
    message = "the routes can't find the signed-in `{U}`: it is not an actix-web extractor",
    label = "these routes need to know how to find a `{U}`",
    note = "say how: `AblyRoutes::<{U}>::new(key).lookup(|req: &HttpRequest| ..)`, or `.bearer(|token: &str, req: &HttpRequest| ..)` for `Authorization: Bearer`",
    note = "or implement `actix_web::FromRequest` for `{U}`"
)]
pub trait UserSource<U>: sealed::Sealed {
    /// The lookup the routes run.
    #[doc(hidden)]
    fn user_lookup(&self) -> UserLookup<U>;
}

/// The user type is an actix-web extractor itself (`U: FromRequest`): the default of an
/// [`AblyRoutes`].
#[derive(Clone, Copy, Debug, Default)]
pub struct OwnExtractor;

// Not recommended, so that a user type that is not an extractor is reported with
// `UserSource`'s message rather than actix-web's list of extractor tuples.
#[diagnostic::do_not_recommend]
impl<U: FromRequest + 'static> UserSource<U> for OwnExtractor {
    fn user_lookup(&self) -> UserLookup<U> {
        UserLookup::extractor()
    }
}

impl<U: 'static> UserSource<U> for UserLookup<U> {
    fn user_lookup(&self) -> UserLookup<U> {
        self.clone()
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::OwnExtractor {}
    impl<U> Sealed for super::UserLookup<U> {}
}
