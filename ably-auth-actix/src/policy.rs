//! Per-request grant policies: the app-wide ones in `app_data` and the route's own.

use ably_auth::{Error, Grant};
use actix_web::{HttpRequest, web};
use std::sync::Arc;

mod wrapped;

/// An app's hook to adjust the grant per request, after the identity's [`AblyIdentity`] grant
/// and before the client's hints narrow it: refuse by feature flag, add a channel, shorten the
/// ttl.
///
/// # Where to put it
///
/// * App-wide, in `app_data`, bare or wrapped in `web::Data` (both are found):
///   `App::new().app_data(GrantPolicy::new(f))` or
///   `App::new().app_data(web::Data::new(GrantPolicy::new(f)))`.
///   It applies to every [`TokenRoute`](crate::TokenRoute), [`AblyRoutes`](crate::AblyRoutes),
///   [`credential_handler`](crate::credential_handler) and [`Issued`](crate::Issued)
///   extractor for the user type `U`, and to those for an adapter's wrapper of `U`
///   ([`Lookup<U>`](crate::adapters::Lookup), `SessionUser<U>`, `IdentityUser<U>`): a
///   `GrantPolicy<User>` applies to a `TokenRoute::<SessionUser<User>, _>` as well.
/// * On one route, with [`TokenRoute::policy`](crate::TokenRoute::policy).
///
/// # Order, and why it fails closed
///
/// For each request: the identity's grant, then the route's policy, then the app-wide policy
/// in `web::Data` form, then the bare app-wide policy, then, when the route's user type is an
/// adapter's wrapper, the app-wide policies of the user type inside it (in `web::Data` form,
/// then bare), then the client's hints. Every policy that is registered runs; none replaces
/// another: a `GrantPolicy<SessionUser<User>>` and a `GrantPolicy<User>` both run, once each.
/// Each one is handed what the step before it produced, and:
///
/// * a refusal (`Err`) from any policy is the answer, and no later policy runs;
/// * the ttl never grows along the chain: a policy that returns a longer ttl than it was given
///   gets the shorter one;
/// * the clientId never changes: a policy may drop it (an anonymous credential) or narrow a
///   wildcard to one clientId, but may not set another, which is refused with 40102 (HTTP 403);
/// * the route's policy may add a channel (a beta channel on this route); an app-wide policy
///   can only narrow the capability it is given (what it returns is intersected with what it
///   got, and nothing left is refused with 40160, HTTP 403). App-wide policies run last, so
///   nothing a route adds gets past them, and what they remove stays removed. The client's
///   hints then narrow the result, and Ably still limits it to the key's capability.
///
/// So a route's policy and an app-wide one combine by taking the stricter of the two: an
/// allow-all route policy under a deny-all app-wide policy is refused.
///
/// Like all actix-web `app_data`, a `GrantPolicy<U>` registered on a scope hides one of the
/// same form registered on the `App`; build one policy that does both with
/// [`GrantPolicy::then`] rather than registering two at different levels.
///
/// [`AblyIdentity`]: ably_auth::AblyIdentity
pub struct GrantPolicy<U>(Arc<PolicyFn<U>>);

/// The function behind a [`GrantPolicy`].
type PolicyFn<U> = dyn Fn(&HttpRequest, &U, Grant) -> Result<Grant, Error> + Send + Sync;

impl<U: 'static> GrantPolicy<U> {
    /// Wraps a policy function.
    pub fn new(
        f: impl Fn(&HttpRequest, &U, Grant) -> Result<Grant, Error> + Send + Sync + 'static,
    ) -> GrantPolicy<U> {
        wrapped::register_wrappers_of::<U>();
        GrantPolicy(Arc::new(f))
    }

    /// This policy, then `next` on its result, with the same rules as between a route's policy
    /// and an app-wide one: a refusal ends the chain, the ttl can only shrink, the clientId
    /// can't change, and `next` can only narrow the capability this one returns.
    pub fn then(self, next: GrantPolicy<U>) -> GrantPolicy<U> {
        GrantPolicy::new(move |req, user, grant| {
            let grant = self.apply(req, user, grant, Widen::May)?;
            next.apply(req, user, grant, Widen::Never)
        })
    }

    /// Runs the policy on `grant` and holds its result to the chain's rules.
    fn apply(
        &self,
        req: &HttpRequest,
        user: &U,
        grant: Grant,
        widen: Widen,
    ) -> Result<Grant, Error> {
        let before_ttl = grant.ttl;
        let before_client = grant.client_id.clone();
        let before_capability = match widen {
            Widen::May => None,
            Widen::Never => Some(grant.capability.clone()),
        };
        let mut after = (self.0)(req, user, grant)?;
        after.ttl = after.ttl.min(before_ttl);
        if let Some(before) = before_capability {
            after.capability = after.capability.intersect(&before);
            if after.capability.is_empty() {
                return Err(Error::CapabilityDenied {
                    status: 403,
                    message: format!(
                        "an app-wide grant policy left nothing of the capability {before}"
                    ),
                });
            }
        }
        let kept = match (&before_client, &after.client_id) {
            // Dropped: an anonymous credential.
            (_, None) => true,
            // Kept, or a wildcard narrowed to one clientId.
            (Some(before), Some(after)) => before == after || before.is_wildcard(),
            (None, Some(_)) => false,
        };
        if let (false, Some(after_client)) = (kept, &after.client_id) {
            return Err(Error::ClientIdMismatch {
                status: 403,
                message: format!(
                    "a grant policy set the clientId {:?} on a grant for {:?}; a policy may narrow or refuse, never change who the user is",
                    after_client.as_str(),
                    before_client.as_ref().map(|c| c.as_str()),
                ),
            });
        }
        Ok(after)
    }
}

impl<U> Clone for GrantPolicy<U> {
    fn clone(&self) -> Self {
        GrantPolicy(self.0.clone())
    }
}

/// Whether a policy may add to the capability it is given.
#[derive(Clone, Copy)]
enum Widen {
    /// The route's own policy (and the first of a [`GrantPolicy::then`] chain).
    May,
    /// App-wide policies, and every later policy of a chain: narrow or refuse.
    Never,
}

/// The policy of one [`TokenRoute`](crate::TokenRoute), kept apart from the app-wide
/// [`GrantPolicy`] so that neither hides the other in `app_data`.
pub(crate) struct RoutePolicy<U>(pub GrantPolicy<U>);

/// Runs every applicable policy on the identity's grant, in the documented order: the route's
/// own, then the app-wide ones.
pub(crate) fn apply_policies<U: 'static>(
    req: &HttpRequest,
    user: &U,
    mut grant: Grant,
) -> Result<Grant, Error> {
    if let Some(RoutePolicy(policy)) = req.app_data::<RoutePolicy<U>>() {
        grant = policy.apply(req, user, grant, Widen::May)?;
    }
    app_wide(req, user, grant)
}

/// The app-wide policies for `U` (in `web::Data` form, then bare), then, when `U` is an
/// adapter's wrapper, those of the user inside it: each can only narrow or refuse.
fn app_wide<U: 'static>(req: &HttpRequest, user: &U, mut grant: Grant) -> Result<Grant, Error> {
    if let Some(policy) = req.app_data::<web::Data<GrantPolicy<U>>>() {
        grant = policy.apply(req, user, grant, Widen::Never)?;
    }
    if let Some(policy) = req.app_data::<GrantPolicy<U>>() {
        grant = policy.apply(req, user, grant, Widen::Never)?;
    }
    if let Some(inner) = wrapped::inner_policies::<U>() {
        grant = inner(req, user, grant)?;
    }
    Ok(grant)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ably_auth::{Capability, ClientId};
    use std::time::Duration;

    fn grant(client_id: Option<ClientId>) -> Grant {
        Grant::new(
            client_id,
            Capability::all_channels(),
            Duration::from_secs(60),
        )
    }

    /// A policy that sets the clientId to `to`, applied to a grant for `from`.
    fn set_client_id(from: Option<ClientId>, to: Option<&'static str>) -> Result<Grant, Error> {
        let policy = GrantPolicy::new(move |_: &HttpRequest, _: &(), mut grant: Grant| {
            grant.client_id = to.map(|id| match id {
                "*" => ClientId::wildcard(),
                id => ClientId::new(id).unwrap(),
            });
            Ok(grant)
        });
        let req = actix_web::test::TestRequest::default().to_http_request();
        policy.apply(&req, &(), grant(from), Widen::May)
    }

    #[test]
    fn a_policy_can_narrow_the_client_id_but_not_change_it() {
        let alice = || Some(ClientId::new("alice").unwrap());
        // Kept, dropped, or a wildcard narrowed to one clientId.
        assert!(set_client_id(alice(), Some("alice")).is_ok());
        assert_eq!(set_client_id(alice(), None).unwrap().client_id, None);
        let narrowed = set_client_id(Some(ClientId::wildcard()), Some("bob")).unwrap();
        assert_eq!(narrowed.client_id.unwrap().as_str(), "bob");
        // Another user, the wildcard, or an identity for an anonymous grant: 40102, 403.
        for (from, to) in [
            (alice(), "bob"),
            (alice(), "*"),
            (None, "alice"),
            (None, "*"),
        ] {
            let err = set_client_id(from, Some(to)).unwrap_err();
            assert_eq!((err.code(), err.status()), (40102, 403), "{to}");
        }
    }
}
