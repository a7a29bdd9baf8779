//! [`PeerAddr`]: where a `peer = arg` option reads the client's address from.

use std::net::SocketAddr;

/// A value that may know the remote address of a connection.
///
/// `#[monitored_connection(peer = arg)]` calls [`PeerAddr::peer_addr`] on the
/// argument `arg` once, before the body runs. The address reaches the tracing
/// event and [`PanicEvent::peer`](crate::PanicEvent::peer) only, subject to
/// the redaction policy; it is never a metric label.
///
/// Cost: for a [`SocketAddr`] this is a copy. For a `TcpStream` it is a
/// `getpeername` system call on **every** call of the handler, whether or not
/// it panics; prefer passing the `SocketAddr` your accept loop already has.
///
/// ```
/// use std::net::SocketAddr;
/// use wireframe_monitor::PeerAddr;
///
/// let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
/// assert_eq!(addr.peer_addr(), Some(addr));
/// assert_eq!(None::<SocketAddr>.peer_addr(), None);
/// assert_eq!((&&addr).peer_addr(), Some(addr));
/// ```
pub trait PeerAddr {
    /// The remote address, or `None` when it is unknown.
    fn peer_addr(&self) -> Option<SocketAddr>;
}

impl PeerAddr for SocketAddr {
    fn peer_addr(&self) -> Option<SocketAddr> {
        Some(*self)
    }
}

impl PeerAddr for Option<SocketAddr> {
    fn peer_addr(&self) -> Option<SocketAddr> {
        *self
    }
}

impl PeerAddr for std::net::TcpStream {
    fn peer_addr(&self) -> Option<SocketAddr> {
        std::net::TcpStream::peer_addr(self).ok()
    }
}

/// With the `tokio` feature (on by default).
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
impl PeerAddr for tokio::net::TcpStream {
    fn peer_addr(&self) -> Option<SocketAddr> {
        tokio::net::TcpStream::peer_addr(self).ok()
    }
}

impl<T: PeerAddr + ?Sized> PeerAddr for &T {
    fn peer_addr(&self) -> Option<SocketAddr> {
        (**self).peer_addr()
    }
}

impl<T: PeerAddr + ?Sized> PeerAddr for &mut T {
    fn peer_addr(&self) -> Option<SocketAddr> {
        (**self).peer_addr()
    }
}

impl<T: PeerAddr + ?Sized> PeerAddr for Box<T> {
    fn peer_addr(&self) -> Option<SocketAddr> {
        (**self).peer_addr()
    }
}

impl<T: PeerAddr + ?Sized> PeerAddr for std::sync::Arc<T> {
    fn peer_addr(&self) -> Option<SocketAddr> {
        (**self).peer_addr()
    }
}
