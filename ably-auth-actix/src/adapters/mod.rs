//! Where the signed-in user comes from, when your user type is not an extractor itself:
//!
//! * [`UserLookup`]: a closure or function that finds the user for a request (sync, or async
//!   with app data), and [`bearer_token`] for apps whose clients send
//!   `Authorization: Bearer <token>`. [`AblyRoutes::lookup`](crate::AblyRoutes::lookup) and
//!   [`AblyRoutes::bearer`](crate::AblyRoutes::bearer) mount one for every route;
//!   [`Lookup`] is the extractor that runs it in handlers of your own.
//! * `SessionUser` (feature `session`): the user kept in actix-session.
//! * `IdentityUser` (feature `identity`): the user named by actix-identity.
//!
//! The session and identity adapters wrap your user type and implement
//! [`AblyIdentity`](ably_auth::AblyIdentity) by delegating to it, so they plug straight into
//! a [`TokenRoute`](crate::TokenRoute) or an [`AblyRoutes`](crate::AblyRoutes). The app-wide
//! [`GrantPolicy`](crate::GrantPolicy)s written for your user type apply to routes for its
//! wrappers too, after any written for the wrapper itself.
//!
//! Every adapter answers a request without a signed-in user with Ably's 40100 (HTTP 401), the
//! code for "the app's own sign-in failed"; a lookup may answer with any Ably error (403,
//! 40300 for a suspended account, say), which the route sends as it is.

mod lookup;
pub(crate) use lookup::BearerChallenge;
pub use lookup::{Lookup, UserLookup, bearer_token};

#[cfg(feature = "session")]
mod session;
#[cfg(feature = "session")]
#[cfg_attr(docsrs, doc(cfg(feature = "session")))]
pub use session::SessionUser;

#[cfg(feature = "identity")]
mod identity;
#[cfg(feature = "identity")]
#[cfg_attr(docsrs, doc(cfg(feature = "identity")))]
pub use identity::IdentityUser;
