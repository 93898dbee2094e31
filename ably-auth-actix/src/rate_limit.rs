//! Per-user rate limits on the credential routes: a GCRA limiter keyed by the user's clientId.

use ably_auth::{ClientId, Error};
use actix_web::{HttpMessage, HttpRequest, web};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How many users a [`RateLimiter`] tracks at most, unless [`RateLimiter::max_users`] says
/// otherwise: 100 000 (a table of about 2.2 MiB when full).
pub const DEFAULT_MAX_USERS: usize = 100_000;

/// A per-user limit on credential requests: at most `requests` per `period` for each user,
/// spread out (a user who made none for a while may make `requests` at once, then one every
/// `period / requests`).
///
/// # Where to put it
///
/// * On one route, with [`TokenRoute::rate_limit`](crate::TokenRoute::rate_limit).
/// * For several routes with one budget, in `app_data` (bare or in `web::Data`) of the `App`
///   or a scope: every credential route under it ([`TokenRoute`](crate::TokenRoute),
///   [`credential_handler`](crate::credential_handler), [`Issued`](crate::Issued)) counts
///   against it. This is also how a route mounted with `credential_handler` gets a limit.
///
/// Every limit that applies is counted, the route's first: a request must pass them all, so
/// the stricter decides, and a request refused by one is not counted by the ones after it.
///
/// A request over the limit is refused with HTTP 429, Ably code 42910 and a `Retry-After`
/// header (whole seconds, at least 1), through the route's error renderer, before any
/// policy runs and before the issuer is asked, so a refused request costs no call to Ably.
/// The limit is most useful on an Ably-token route
/// ([`TokenRoute::ably_tokens`](crate::TokenRoute::ably_tokens)), where each request spends
/// the key's own rate limit at Ably.
///
/// # Who is a user
///
/// Users are told apart by the clientId of their identity's grant
/// ([`AblyIdentity::ably_grant`](ably_auth::AblyIdentity::ably_grant)), before any policy
/// or hint. Every grant without a clientId shares one budget, and so does every grant with
/// the wildcard clientId `*`: an app that issues anonymous credentials limits its anonymous
/// users together. Requests without a signed-in user are refused before the limit is looked
/// at, and do not count.
///
/// # Memory
///
/// Only a 64-bit keyed hash of each clientId is kept (two clientIds sharing a hash, which
/// nobody outside the process can arrange, share a budget), with one timestamp: at most
/// [`max_users`](RateLimiter::max_users) users ([`DEFAULT_MAX_USERS`] by default), about 22
/// bytes each. A user whose budget is whole again is idle and forgotten when room is
/// needed; forgetting them changes nothing. When the table is full of users who are not
/// idle, a new user is refused (42910) until one becomes idle: the limit never loosens
/// under load.
///
/// # Sharing
///
/// Clones share their state. actix-web builds the app once per worker thread, so build the
/// limiter once, outside `HttpServer::new`, and clone it into the factory; one built inside
/// would count each worker apart, a limit as many times looser as there are workers.
///
/// ```no_run
/// use ably_auth::Key;
/// use ably_auth_actix::{RateLimiter, TokenRoute};
/// use actix_web::{App, HttpServer};
/// use std::time::Duration;
/// # struct User;
/// # impl ably_auth::AblyIdentity for User { fn ably_grant(&self) -> ably_auth::Result<ably_auth::Grant> { unimplemented!() } }
/// # impl actix_web::FromRequest for User {
/// #     type Error = actix_web::Error;
/// #     type Future = std::future::Ready<Result<User, actix_web::Error>>;
/// #     fn from_request(_: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future { unimplemented!() }
/// # }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let key = Key::from_env()?;
/// // 10 credentials a minute per user, for every worker together.
/// let limit = RateLimiter::per_user(10, Duration::from_secs(60))?;
/// HttpServer::new(move || {
///     App::new().service(
///         TokenRoute::<User, _>::jwts("/ably/jwt", key.clone()).rate_limit(limit.clone()),
///     )
/// })
/// .bind("127.0.0.1:8080")?
/// .run()
/// .await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RateLimiter {
    inner: Arc<Inner>,
}

struct Inner {
    /// The time between two requests at the sustained rate, in nanoseconds.
    interval: u64,
    /// The period, in nanoseconds: how far ahead of now a user's budget may be spent.
    period: u64,
    epoch: Instant,
    hasher: RandomState,
    table: Mutex<Table>,
}

struct Table {
    /// Per user: when their budget is whole again (GCRA's theoretical arrival time), in
    /// nanoseconds since `epoch`.
    users: HashMap<u64, u64>,
    max_users: usize,
    /// No user can be idle before this time (ns since `epoch`): no sweep is needed until then.
    next_idle: u64,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let table = self.inner.table();
        f.debug_struct("RateLimiter")
            .field("interval", &Duration::from_nanos(self.inner.interval))
            .field("period", &Duration::from_nanos(self.inner.period))
            .field("max_users", &table.max_users)
            .field("tracked_users", &table.users.len())
            .finish()
    }
}

impl RateLimiter {
    /// At most `requests` credential requests per `period` for each user, with
    /// [`DEFAULT_MAX_USERS`] users tracked. A limit that can't work (no request, an empty
    /// period, a period shorter than a nanosecond per request, or longer than a century) is
    /// refused with 40106.
    pub fn per_user(requests: u32, period: Duration) -> Result<RateLimiter, Error> {
        let nanos = u64::try_from(period.as_nanos()).unwrap_or(u64::MAX);
        let century = 100 * 365 * 24 * 3600 * 1_000_000_000u64;
        let interval = nanos.checked_div(u64::from(requests)).unwrap_or(0);
        if requests == 0 || interval == 0 || nanos > century {
            return Err(Error::Config(format!(
                "a per-user rate limit of {requests} requests per {period:?} can't be enforced; \
                 give at least 1 request and a period between 1 ns per request and 100 years"
            )));
        }
        Ok(RateLimiter {
            inner: Arc::new(Inner {
                interval,
                period: nanos,
                epoch: Instant::now(),
                hasher: RandomState::new(),
                table: Mutex::new(Table {
                    users: HashMap::new(),
                    max_users: DEFAULT_MAX_USERS,
                    next_idle: 0,
                }),
            }),
        })
    }

    /// Tracks at most `max_users` users (at least 1; default [`DEFAULT_MAX_USERS`]), for
    /// this limiter and every clone of it. See [Memory](RateLimiter#memory).
    pub fn max_users(self, max_users: usize) -> RateLimiter {
        self.inner.table().max_users = max_users.max(1);
        self
    }

    /// How many users are tracked now (idle ones not yet forgotten included).
    pub fn tracked_users(&self) -> usize {
        self.inner.table().users.len()
    }

    /// Counts one request by the user `client_id`; `Err` holds how long until they may make
    /// another.
    pub(crate) fn check(&self, client_id: Option<&ClientId>) -> Result<(), Duration> {
        let key = self.inner.hasher.hash_one(client_id.map(ClientId::as_str));
        let now = u64::try_from(self.inner.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.inner.check_at(key, now).map_err(Duration::from_nanos)
    }
}

impl Inner {
    fn table(&self) -> std::sync::MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// GCRA: a request at `now` is allowed when it does not push the user's theoretical
    /// arrival time more than one period ahead of `now`. `Err` is the wait, in nanoseconds.
    fn check_at(&self, key: u64, now: u64) -> Result<(), u64> {
        let mut table = self.table();
        let known = table.users.get(&key).copied();
        let next = known.unwrap_or(now).max(now) + self.interval;
        if next - now > self.period {
            return Err(next - now - self.period);
        }
        if known.is_none() && table.users.len() >= table.max_users {
            table.forget_idle(now);
            if table.users.len() >= table.max_users {
                return Err(table.next_idle.saturating_sub(now).max(1));
            }
        }
        if known.is_none() {
            table.next_idle = table.next_idle.min(next);
        }
        table.users.insert(key, next);
        Ok(())
    }
}

impl Table {
    /// Forgets the users whose budget is whole again, when any can be.
    fn forget_idle(&mut self, now: u64) {
        if now < self.next_idle {
            return;
        }
        self.users.retain(|_, whole_at| *whole_at > now);
        self.next_idle = self.users.values().copied().min().unwrap_or(now);
    }
}

/// The per-user limits of one route, in `app_data`: every one of them must allow a request.
#[derive(Clone, Default)]
pub(crate) struct RouteLimits(pub Vec<RateLimiter>);

/// The `Retry-After` of a request refused by a limit, kept in its extensions for the
/// response.
#[derive(Clone, Copy)]
pub(crate) struct RetryAfter(pub u64);

/// Counts the request against each limit that applies, in order: the route's, then one in
/// `app_data` in `web::Data` form, then a bare one. The first that refuses is the answer
/// (42910, 429), the wait kept for the `Retry-After` header.
pub(crate) fn check_limits(req: &HttpRequest, client_id: Option<&ClientId>) -> Result<(), Error> {
    let route = req
        .app_data::<RouteLimits>()
        .map(|RouteLimits(limits)| limits);
    let limits = route
        .into_iter()
        .flatten()
        .chain(
            req.app_data::<web::Data<RateLimiter>>()
                .map(|data| &***data),
        )
        .chain(req.app_data::<RateLimiter>());
    for limit in limits {
        if let Err(wait) = limit.check(client_id) {
            let seconds = wait.as_nanos().div_ceil(1_000_000_000).max(1) as u64;
            req.extensions_mut().insert(RetryAfter(seconds));
            return Err(Error::RateLimited(format!(
                "too many credential requests for this user; retry in {seconds} s"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn a_burst_then_one_per_interval() {
        // 3 per 300 ms: 3 at once, then one every 100 ms.
        let limit = RateLimiter::per_user(3, Duration::from_millis(300)).unwrap();
        let inner = &limit.inner;
        for _ in 0..3 {
            assert_eq!(inner.check_at(1, 0), Ok(()));
        }
        assert_eq!(inner.check_at(1, 0), Err(100 * MS));
        assert_eq!(inner.check_at(1, 99 * MS), Err(MS));
        assert_eq!(inner.check_at(1, 100 * MS), Ok(()));
        assert_eq!(inner.check_at(1, 100 * MS), Err(100 * MS));
        // Another user has their own budget.
        assert_eq!(inner.check_at(2, 100 * MS), Ok(()));
        // A whole period later, the whole budget again.
        for _ in 0..3 {
            assert_eq!(inner.check_at(1, 400 * MS), Ok(()));
        }
        assert!(inner.check_at(1, 400 * MS).is_err());
    }

    #[test]
    fn a_full_table_forgets_idle_users_and_refuses_newcomers_otherwise() {
        let limit = RateLimiter::per_user(1, Duration::from_millis(100))
            .unwrap()
            .max_users(2);
        let inner = &limit.inner;
        assert_eq!(inner.check_at(1, 0), Ok(()));
        assert_eq!(inner.check_at(2, 50 * MS), Ok(()));
        // Full, nobody idle: a newcomer waits until user 1 is idle (at 100 ms).
        assert_eq!(inner.check_at(3, 60 * MS), Err(40 * MS));
        assert_eq!(limit.tracked_users(), 2);
        // User 1 is idle at 100 ms and forgotten; user 2 is still remembered.
        assert_eq!(inner.check_at(3, 100 * MS), Ok(()));
        assert_eq!(limit.tracked_users(), 2);
        assert_eq!(inner.check_at(2, 100 * MS), Err(50 * MS));
    }

    #[test]
    fn a_tracked_user_within_budget_passes_when_the_table_is_full() {
        // 2 per 200 ms, room for 2 users: both tracked, nobody idle.
        let limit = RateLimiter::per_user(2, Duration::from_millis(200))
            .unwrap()
            .max_users(2);
        let inner = &limit.inner;
        assert_eq!(inner.check_at(1, 0), Ok(()));
        assert_eq!(inner.check_at(2, 0), Ok(()));
        assert!(inner.check_at(3, 10 * MS).is_err());
        // The full table holds back newcomers only: user 1 still has a request left.
        assert_eq!(inner.check_at(1, 10 * MS), Ok(()));
        assert_eq!(limit.tracked_users(), 2);
    }

    #[test]
    fn periods_up_to_a_century_are_accepted() {
        let century = Duration::from_secs(100 * 365 * 24 * 3600);
        for (requests, period) in [
            (1, Duration::from_secs(60)),
            (10, Duration::from_secs(3600)),
            (1000, Duration::from_secs(24 * 3600)),
            (1, century),
            (10, Duration::from_nanos(10)),
        ] {
            assert!(
                RateLimiter::per_user(requests, period).is_ok(),
                "{requests} per {period:?}"
            );
        }
        let over = RateLimiter::per_user(1, century + Duration::from_nanos(1)).unwrap_err();
        assert_eq!(over.code(), 40106);
    }

    #[test]
    fn debug_shows_the_limit_and_the_tracked_users() {
        let limit = RateLimiter::per_user(4, Duration::from_secs(2))
            .unwrap()
            .max_users(7);
        assert_eq!(limit.inner.check_at(9, 0), Ok(()));
        let shown = format!("{limit:?}");
        for part in [
            "RateLimiter",
            "interval: 500ms",
            "period: 2s",
            "max_users: 7",
            "tracked_users: 1",
        ] {
            assert!(shown.contains(part), "{shown}");
        }
    }

    #[test]
    fn limits_that_cannot_work_are_refused() {
        for (requests, period) in [
            (0, Duration::from_secs(1)),
            (1, Duration::ZERO),
            (10, Duration::from_nanos(9)),
            (1, Duration::from_secs(200 * 365 * 24 * 3600)),
        ] {
            let err = RateLimiter::per_user(requests, period).unwrap_err();
            assert_eq!(err.code(), 40106, "{requests} per {period:?}");
        }
    }
}
