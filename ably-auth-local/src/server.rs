//! Running the endpoint on a port of its own.

use crate::config::LocalAbly;
use crate::response::not_found;
use crate::routes::register;
use actix_web::dev::ServerHandle;
use actix_web::web;
use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

impl LocalAbly {
    /// Binds `addr` (use `127.0.0.1:0` for a free port) and serves the endpoint in the
    /// background, on one worker, until [`LocalAblyServer::stop`] or until the handle is
    /// dropped. Unknown paths answer 40400 in Ably's error shape.
    ///
    /// Must be called inside a Tokio (or actix) runtime.
    pub fn start(self, addr: impl ToSocketAddrs) -> io::Result<LocalAblyServer> {
        let state = self.state();
        let server = actix_web::HttpServer::new(move || {
            let state = state.clone();
            actix_web::App::new()
                .configure(move |cfg| register(cfg, state))
                .default_service(web::to(not_found))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .bind(addr)?;
        let addr = server.addrs().first().copied().ok_or_else(|| {
            io::Error::new(io::ErrorKind::AddrNotAvailable, "no address was bound")
        })?;
        let server = server.run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(LocalAblyServer { addr, handle })
    }
}

/// A running [`LocalAbly`]; stops the server when dropped.
pub struct LocalAblyServer {
    addr: SocketAddr,
    handle: ServerHandle,
}

impl fmt::Debug for LocalAblyServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalAblyServer")
            .field("url", &self.url())
            .finish()
    }
}

impl LocalAblyServer {
    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the server and waits until it has stopped.
    pub async fn stop(self) {
        self.handle.stop(true).await;
    }
}

impl Drop for LocalAblyServer {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; no need to await it.
        drop(self.handle.stop(false));
    }
}
