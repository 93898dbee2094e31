//! The app-wide policies of the user inside an adapter's wrapper: a `GrantPolicy<User>` applies
//! to a route for `SessionUser<User>`, `IdentityUser<User>` or `Lookup<User>` too.
//!
//! The handler's steps are generic over the route's user type alone, so they cannot name the
//! type inside a wrapper. Both are named where a `GrantPolicy<U>` is built: it registers
//! there, by the wrapper's `TypeId`, a function that runs the app-wide policies of the user
//! inside each adapter's wrapper of `U`, and of `Lookup` around the other two wrappers
//! (`Lookup<SessionUser<User>>`). Every policy is built before the requests it applies to, so
//! it is registered in time, for a wrapper a handler builds itself too. A fact about types,
//! not about an app, so one registry serves every app of the process. (The adapters do not
//! register themselves, so that `adapters` does not depend on `policy`.)

use super::app_wide;
use crate::adapters::Lookup;
use ably_auth::{Error, Grant};
use actix_web::HttpRequest;
use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::{PoisonError, RwLock};

/// Runs the app-wide policies of the user inside a `W`, and of any user inside that one.
type InnerPolicies<W> = fn(&HttpRequest, &W, Grant) -> Result<Grant, Error>;

/// The `InnerPolicies<W>` of every wrapper `W` registered, by `TypeId::of::<W>()`.
static WRAPPERS: RwLock<BTreeMap<TypeId, Box<dyn Any + Send + Sync>>> =
    RwLock::new(BTreeMap::new());

/// An adapter's wrapper around the app's user type.
pub(crate) trait Wrapper: 'static {
    /// The app's user type.
    type Inner: 'static;
    /// The user inside.
    fn inner(&self) -> &Self::Inner;
}

/// Registers the wrapper `W`: from now on, the app-wide policies of `W::Inner` apply wherever
/// those of `W` do.
fn register<W: Wrapper>() {
    let id = TypeId::of::<W>();
    let known = WRAPPERS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .contains_key(&id);
    if known {
        return;
    }
    let policies: InnerPolicies<W> = |req, wrapper, grant| app_wide(req, wrapper.inner(), grant);
    WRAPPERS
        .write()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(id)
        .or_insert_with(|| Box::new(policies));
}

/// Registers every adapter's wrapper of `U`, and `Lookup` around the other two (called when a
/// [`GrantPolicy<U>`](super::GrantPolicy) is built).
pub(super) fn register_wrappers_of<U: 'static>() {
    register::<Lookup<U>>();
    #[cfg(feature = "session")]
    {
        register::<crate::adapters::SessionUser<U>>();
        register::<Lookup<crate::adapters::SessionUser<U>>>();
    }
    #[cfg(feature = "identity")]
    {
        register::<crate::adapters::IdentityUser<U>>();
        register::<Lookup<crate::adapters::IdentityUser<U>>>();
    }
}

/// The app-wide policies of the user inside a `W`, if `W` is a registered wrapper.
pub(super) fn inner_policies<W: 'static>() -> Option<InnerPolicies<W>> {
    let wrappers = WRAPPERS.read().unwrap_or_else(PoisonError::into_inner);
    wrappers
        .get(&TypeId::of::<W>())?
        .downcast_ref::<InnerPolicies<W>>()
        .copied()
}

impl<U: 'static> Wrapper for Lookup<U> {
    type Inner = U;
    fn inner(&self) -> &U {
        &self.0
    }
}

#[cfg(feature = "session")]
impl<U: 'static> Wrapper for crate::adapters::SessionUser<U> {
    type Inner = U;
    fn inner(&self) -> &U {
        &self.0
    }
}

#[cfg(feature = "identity")]
impl<U: 'static> Wrapper for crate::adapters::IdentityUser<U> {
    type Inner = U;
    fn inner(&self) -> &U {
        &self.0
    }
}
