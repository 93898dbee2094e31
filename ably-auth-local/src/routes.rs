//! The endpoint's routes.

use crate::response::{method_not_allowed, preflight};
use crate::state::State;
use crate::token::{request_token, time};
use actix_web::http::Method;
use actix_web::web;
use std::sync::Arc;

/// Registers every route of the endpoint, sharing `state`.
pub(crate) fn register(cfg: &mut web::ServiceConfig, state: Arc<State>) {
    cfg.app_data(web::Data::from(state))
        .service(
            web::resource("/keys/{keyName}/requestToken")
                .route(web::post().to(request_token))
                .route(web::method(Method::OPTIONS).to(preflight))
                .default_service(web::to(method_not_allowed)),
        )
        .service(
            web::resource("/time")
                .route(web::get().to(time))
                .route(web::method(Method::OPTIONS).to(preflight))
                .default_service(web::to(method_not_allowed)),
        );
}
