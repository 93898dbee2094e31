//! Basic or token auth (Ably features spec RSA1–RSA4, RSA11) and the `Authorization` header.

use super::Auth;
use crate::error::{Error, ErrorInfo, Result};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// How requests to Ably are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Basic base64(keyName:keySecret)` (RSA2, RSA11): only with a key, only
    /// over TLS (RSA1).
    Basic,
    /// `Authorization: Bearer base64(token)` (RSA3).
    Token,
}

impl Auth {
    /// The scheme in use (RSA4): token auth when the options set `use_token_auth` or give an
    /// authUrl, an auth callback or a token, and after [`Auth::authorize`]; otherwise Basic
    /// auth with the key.
    pub fn scheme(&self) -> AuthScheme {
        if self.state().token_auth {
            AuthScheme::Token
        } else {
            AuthScheme::Basic
        }
    }

    /// The `Authorization` header value for the current scheme: `Basic base64(key)`, or
    /// `Bearer base64(token)` with the token renewed first when it is missing or about to
    /// expire ([`Auth::token`]).
    ///
    /// Basic auth over a non-TLS connection is refused with 40103 (RSA1): the key would
    /// travel in clear. Ably accepts the token of a Bearer header raw or Base64-encoded; the
    /// SDKs (ably-js, ably-python) send it encoded, and so does this.
    pub async fn authorization_header(&self) -> Result<String> {
        Ok(self.authorization().await?.0)
    }

    /// The header value and, under token auth, the token it carries.
    pub(super) async fn authorization(&self) -> Result<(String, Option<String>)> {
        match self.scheme() {
            AuthScheme::Basic => self.basic_header().map(|h| (h, None)),
            AuthScheme::Token => {
                let token = self.token().await?.token;
                Ok((format!("Bearer {}", STANDARD.encode(&token)), Some(token)))
            }
        }
    }

    fn basic_header(&self) -> Result<String> {
        if !self.transport.tls {
            return Err(Error::Ably(ErrorInfo::new(
                40103,
                401,
                "Basic auth sends the API key and is refused over a non-TLS connection; use TLS, \
                 or token auth (use_token_auth)",
            )));
        }
        let (options_key, key) = (self.state().options.key.clone(), self.key.clone());
        let key = options_key.or(key).ok_or_else(|| {
            Error::NoKey("Basic auth needs the API key; give AuthOptions a key".into())
        })?;
        Ok(format!(
            "Basic {}",
            STANDARD.encode(format!("{}:{}", key.name(), key.secret()))
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rest::AuthOptions;

    #[tokio::test]
    async fn rsa2_rsa11_basic_header_is_base64_of_the_whole_key() {
        let auth = Auth::new(AuthOptions::key(
            "app123.key456:secret+/XYZ".parse().unwrap(),
        ))
        .unwrap();
        assert_eq!(auth.scheme(), AuthScheme::Basic);
        // base64("app123.key456:secret+/XYZ"), computed with coreutils `base64`.
        assert_eq!(
            auth.authorization_header().await.unwrap(),
            "Basic YXBwMTIzLmtleTQ1NjpzZWNyZXQrL1hZWg=="
        );
    }

    #[tokio::test]
    async fn rsa1_basic_over_plain_http_is_40103() {
        let auth = Auth::new(AuthOptions::key("a.b:c".parse().unwrap()))
            .unwrap()
            .with_endpoint("http://127.0.0.1:9");
        let err = auth.authorization_header().await.unwrap_err();
        assert_eq!((err.code(), err.status()), (40103, 401));
        assert!(!err.to_string().contains(":c"), "{err}");
    }

    #[tokio::test]
    async fn rsa3_rsa4_a_token_means_bearer() {
        let auth = Auth::new(AuthOptions::token("appId.tok")).unwrap();
        assert_eq!(auth.scheme(), AuthScheme::Token);
        // base64("appId.tok")
        assert_eq!(
            auth.authorization_header().await.unwrap(),
            "Bearer YXBwSWQudG9r"
        );
        let forced =
            Auth::new(AuthOptions::key("a.b:c".parse().unwrap()).with_use_token_auth(true))
                .unwrap();
        assert_eq!(forced.scheme(), AuthScheme::Token);
    }
}
