//! Connections that go quiet are closed: a browser tab left open holds the event
//! stream (which the keep-alive keeps busy), but a client that connects and then sends
//! and reads nothing would otherwise hold a socket and a task for ever.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// How long a connection may pass no byte either way. The event stream sends a
/// keep-alive well within it ([`super::http::KEEP_ALIVE`]).
pub const IDLE: Duration = Duration::from_secs(10);

/// A listener whose connections end after [`IDLE`] without a byte read or written.
pub struct IdleListener {
    pub inner: TcpListener,
}

impl axum::serve::Listener for IdleListener {
    type Io = Idle;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Idle, SocketAddr) {
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        (Idle::new(stream), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A stream that fails with `TimedOut` once it has been quiet for [`IDLE`]; the HTTP
/// server then drops the connection.
pub struct Idle {
    inner: TcpStream,
    deadline: Pin<Box<Sleep>>,
}

impl Idle {
    fn new(inner: TcpStream) -> Self {
        Idle {
            inner,
            deadline: Box::pin(tokio::time::sleep(IDLE)),
        }
    }

    fn busy(&mut self) {
        self.deadline.as_mut().reset(Instant::now() + IDLE);
    }

    /// What to answer when the stream itself is not ready: an error once quiet too long.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::ErrorKind::TimedOut.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncRead for Idle {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Pending => this.waiting(cx),
            ready => {
                if buf.filled().len() > before {
                    this.busy();
                }
                ready
            }
        }
    }
}

impl AsyncWrite for Idle {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.inner).poll_write(cx, buf) {
            Poll::Pending => this.waiting(cx),
            ready => {
                if matches!(ready, Poll::Ready(Ok(n)) if n > 0) {
                    this.busy();
                }
                ready
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
