//! The endpoint's routes.

use crate::response::{browser_cors, method_not_allowed, preflight};
use crate::rest::{history, presence, publish, status};
use crate::revoke::revoke_tokens;
use crate::state::State;
use crate::token::{request_token, time};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::from_fn;
use actix_web::{Resource, web};
use std::sync::Arc;

/// A resource that answers OPTIONS preflights and 405 for methods it does not serve, with a
/// browser's CORS answer on every response ([`browser_cors`]).
fn resource(
    path: &str,
) -> Resource<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    web::resource(path)
        .wrap(from_fn(browser_cors))
        .route(web::method(Method::OPTIONS).to(preflight))
        .default_service(web::to(method_not_allowed))
}

/// Registers every route of the endpoint, sharing `state`.
pub(crate) fn register(cfg: &mut web::ServiceConfig, state: Arc<State>) {
    cfg.app_data(web::Data::from(state))
        .service(resource("/keys/{keyName}/requestToken").route(web::post().to(request_token)))
        .service(resource("/keys/{keyName}/revokeTokens").route(web::post().to(revoke_tokens)))
        .service(resource("/time").route(web::get().to(time)))
        .service(
            resource("/channels/{channel}/messages")
                .route(web::get().to(history))
                .route(web::post().to(publish)),
        )
        .service(resource("/channels/{channel}/presence").route(web::get().to(presence)))
        .service(resource("/channels/{channel}/presence/history").route(web::get().to(presence)))
        .service(resource("/channels/{channel}").route(web::get().to(status)));
}
