//! The extractor of an authUrl call: who is asking, and what they hint at. It only extracts.

use crate::error::{AblyError, user_error};
use crate::hints::read_hints;
use ably_auth::Hints;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use std::future::Future;
use std::pin::Pin;

/// One call to your authUrl: the signed-in user `U` (your own extractor) and the token
/// parameters the client sent as [`Hints`] (the query for GET, the form body for POST, read as
/// [`request_hints`](crate::request_hints) does, within the [`BodyTimeout`](crate::BodyTimeout)
/// and [`MAX_BODY_BYTES`](crate::MAX_BODY_BYTES)).
///
/// It decides nothing: the grant, the policies and the credential are the handler's
/// ([`credential_handler`](crate::credential_handler) is the token route's). Extraction fails
/// with an [`AblyError`]:
///
/// * when `U`'s extractor fails: an [`AblyError`] keeps its code and status, a request
///   actix-web could not parse (a `Cookie` header that is not UTF-8, for one) is 400 (40000),
///   anything else 401 (40100);
/// * when the hints can't be read: a malformed ttl (40003) or capability (40000), a body that is
///   too large (413), too slow (408) or not form-encoded (415).
///
/// The user is extracted first; the body is read only for a signed-in user.
///
/// ```no_run
/// use ably_auth_actix::{AblyError, AuthUrlRequest};
/// # struct User;
/// # impl actix_web::FromRequest for User {
/// #     type Error = actix_web::Error;
/// #     type Future = std::future::Ready<Result<User, actix_web::Error>>;
/// #     fn from_request(_: &actix_web::HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future { unimplemented!() }
/// # }
///
/// async fn asked_for(request: AuthUrlRequest<User>) -> Result<String, AblyError> {
///     Ok(format!("ttl hint: {:?}", request.hints.ttl))
/// }
/// ```
pub struct AuthUrlRequest<U> {
    /// The signed-in user.
    pub user: U,
    /// What the client asked for; hints can only narrow what the user is granted.
    pub hints: Hints,
}

impl<U: FromRequest + 'static> FromRequest for AuthUrlRequest<U> {
    type Error = AblyError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AblyError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = U::from_request(req, payload);
        let hints = read_hints(req, payload);
        Box::pin(async move {
            let user = user.await.map_err(|err| user_error(err.into()))?;
            let hints = hints.await?;
            Ok(AuthUrlRequest { user, hints })
        })
    }
}
