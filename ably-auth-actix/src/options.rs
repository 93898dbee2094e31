//! What a credential route does around the handler's steps, set on one [`TokenRoute`] or on
//! every route of an [`AblyRoutes`]: the route's policy, the error renderer, the body timeout,
//! the per-user rate limits.
//!
//! A new route-level option is a field here, a setter on both builders, and a line in
//! [`RouteOptions::install`], which hands it to the handler through the resource's
//! `app_data`.
//!
//! [`TokenRoute`]: crate::TokenRoute
//! [`AblyRoutes`]: crate::AblyRoutes

use crate::error::ErrorRenderer;
use crate::hints::BodyTimeout;
use crate::policy::{GrantPolicy, RoutePolicy};
use crate::rate_limit::{RateLimiter, RouteLimits};
use crate::response::ErrorBody;
use actix_web::Resource;

/// The options of one route, or of every route of a builder.
pub(crate) struct RouteOptions<U> {
    /// The route's own policy, run before the app-wide ones ([`GrantPolicy`]).
    pub policy: Option<GrantPolicy<U>>,
    /// The error renderer, if not Ably's `ErrorInfo` JSON.
    pub error_body: Option<ErrorRenderer>,
    /// How long to wait for a POST body.
    pub body_timeout: BodyTimeout,
    /// The per-user rate limits, every one of which a request must pass.
    pub limits: Vec<RateLimiter>,
}

impl<U> Default for RouteOptions<U> {
    fn default() -> Self {
        RouteOptions {
            policy: None,
            error_body: None,
            body_timeout: BodyTimeout::default(),
            limits: Vec::new(),
        }
    }
}

impl<U> Clone for RouteOptions<U> {
    fn clone(&self) -> Self {
        RouteOptions {
            policy: self.policy.clone(),
            error_body: self.error_body.clone(),
            body_timeout: self.body_timeout,
            limits: self.limits.clone(),
        }
    }
}

impl<U: 'static> RouteOptions<U> {
    /// Adds `policy` after the one already set: the first may add a channel, `policy` can only
    /// narrow its result or refuse ([`GrantPolicy::then`]), so a second call never loosens
    /// the first.
    pub fn add_policy(&mut self, policy: GrantPolicy<U>) {
        self.policy = Some(match self.policy.take() {
            None => policy,
            Some(first) => first.then(policy),
        });
    }

    /// Puts the options in the resource's `app_data`, where the handler's steps find them.
    pub fn install(&self, mut resource: Resource) -> Resource {
        resource = resource.app_data(self.body_timeout);
        if let Some(policy) = &self.policy {
            resource = resource.app_data(RoutePolicy(policy.clone()));
        }
        if !self.limits.is_empty() {
            resource = resource.app_data(RouteLimits(self.limits.clone()));
        }
        if let Some(render) = &self.error_body {
            resource = resource.app_data(ErrorBody(render.clone()));
        }
        resource
    }
}
