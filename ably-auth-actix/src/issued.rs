//! The `Issued` extractor: the token route's steps, with the outcome handed to a handler of
//! your own.

use crate::error::user_error;
use crate::handler::{grant_for, issuer_in, issuing_span, log_outcome};
use crate::hints::read_hints;
use crate::measure::record_outcome;
use crate::response::{credential_response, render_error};
use ably_auth::{AblyIdentity, Credential, Error, Hints, TokenIssuer};
use actix_web::body::BoxBody;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, Responder};
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::time::Instant;
use tracing::Instrument;

/// The outcome of the token route's steps ([`credential_handler`](crate::credential_handler))
/// as an extractor, for a handler that wants to look at the credential or the error before
/// answering: the user `U`, their hints, the grant and every applicable
/// [`GrantPolicy<U>`](crate::GrantPolicy) (and, for an adapter's wrapper, those of the user
/// type inside it), and a credential from the `I` found in `app_data`
/// (as `web::Data<I>`).
///
/// Extraction never fails: the outcome, credential or Ably error, is inside, and `Issued` is a
/// [`Responder`] that answers with it. Errors are the [`AuthUrlRequest`](crate::AuthUrlRequest)
/// extractor's and the handler's.
///
/// ```no_run
/// use ably_auth::{AblyIdentity, JwtIssuer};
/// use ably_auth_actix::Issued;
///
/// async fn ably_jwt<U: AblyIdentity>(issued: Issued<U, JwtIssuer>) -> Issued<U, JwtIssuer> {
///     if let Err(err) = issued.outcome() {
///         eprintln!("refused: {} ({})", err, err.code());
///     }
///     issued
/// }
/// ```
pub struct Issued<U, I> {
    user: Option<U>,
    outcome: Result<Credential, Error>,
    _issuer: PhantomData<fn() -> I>,
}

impl<U, I> Issued<U, I> {
    /// The signed-in user, if the user extractor succeeded.
    pub fn user(&self) -> Option<&U> {
        self.user.as_ref()
    }

    /// The credential, or why none was issued.
    pub fn outcome(&self) -> Result<&Credential, &Error> {
        self.outcome.as_ref()
    }

    /// The credential, or why none was issued.
    pub fn into_outcome(self) -> Result<Credential, Error> {
        self.outcome
    }
}

impl<U, I> FromRequest for Issued<U, I>
where
    U: FromRequest + AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    type Error = std::convert::Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let user = U::from_request(&req, payload);
        let hints = read_hints(&req, payload);
        let span = issuing_span::<I>(&req);
        let started = Instant::now();
        Box::pin(
            async move {
                let (user, outcome) = match user.await {
                    Err(err) => (None, Err(user_error(err.into()))),
                    Ok(user) => {
                        let outcome = credential_for::<U, I>(&req, &user, hints).await;
                        (Some(user), outcome)
                    }
                };
                log_outcome(outcome.as_ref().map(Credential::kind));
                record_outcome(&req, started, outcome.as_ref().map(Credential::kind));
                Ok(Issued {
                    user,
                    outcome,
                    _issuer: PhantomData,
                })
            }
            .instrument(span),
        )
    }
}

/// The handler's steps for a signed-in `user`, up to the credential: the hints, the grant,
/// the issuer.
async fn credential_for<U, I>(
    req: &HttpRequest,
    user: &U,
    hints: impl Future<Output = Result<Hints, Error>>,
) -> Result<Credential, Error>
where
    U: AblyIdentity + 'static,
    I: TokenIssuer + 'static,
{
    let grant = grant_for(req, user, &hints.await?)?;
    issuer_in::<I>(req)?.issue(&grant).await
}

impl<U, I> Responder for Issued<U, I> {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        match &self.outcome {
            Ok(credential) => credential_response(credential),
            Err(err) => render_error(req, err),
        }
    }
}
