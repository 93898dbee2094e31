//! `/ably/token`: Ably tokens requested server-side with the key that signs *now*, so a key
//! rotation reaches this route too.

use ably_auth::{AblyTokenIssuer, Auth, AuthOptions, Credential, Grant, Key, KeyRing, TokenIssuer};
use std::future::Future;
use std::sync::{Arc, Mutex};

/// Issues Ably tokens with the signing key of a [`KeyRing`]: an [`AblyTokenIssuer`] per key,
/// made again when the ring's signing key changes. A request under way keeps the issuer it
/// started with.
pub struct RotatingAblyTokens {
    keys: KeyRing,
    endpoint: String,
    /// The key the issuer was made for, and the issuer.
    current: Mutex<(Key, Arc<AblyTokenIssuer>)>,
}

impl RotatingAblyTokens {
    /// Requests tokens at the Ably REST base URL `endpoint`.
    pub fn new(keys: KeyRing, endpoint: impl Into<String>) -> ably_auth::Result<Self> {
        let endpoint = endpoint.into();
        let key = keys.signing_key();
        let issuer = issuer(&key, &endpoint)?;
        Ok(RotatingAblyTokens {
            keys,
            endpoint,
            current: Mutex::new((key, issuer)),
        })
    }

    /// The issuer for the key that signs now.
    fn current(&self) -> ably_auth::Result<Arc<AblyTokenIssuer>> {
        let key = self.keys.signing_key();
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.0 != key {
            let issuer = issuer(&key, &self.endpoint)?;
            *current = (key, issuer);
        }
        Ok(current.1.clone())
    }
}

fn issuer(key: &Key, endpoint: &str) -> ably_auth::Result<Arc<AblyTokenIssuer>> {
    let auth = Auth::new(AuthOptions::key(key.clone()))?.with_endpoint(endpoint);
    Ok(Arc::new(AblyTokenIssuer::new(auth)))
}

impl TokenIssuer for RotatingAblyTokens {
    fn issue(&self, grant: &Grant) -> impl Future<Output = ably_auth::Result<Credential>> + Send {
        let issuer = self.current();
        let grant = grant.clone();
        async move { issuer?.issue(&grant).await }
    }
}
