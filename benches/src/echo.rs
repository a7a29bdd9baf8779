//! The realistic case: one connection over `tokio::io::duplex`, the handler
//! spawned as a task (the "accept"), one frame each way, then close.

use std::future::Future;
use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use wireframe_monitor::monitored_connection;

use crate::common::each_copy;

/// Bytes in one frame.
pub const FRAME: usize = 64;

/// Echo handler without instrumentation: reads one frame, writes it back,
/// closes.
///
/// # Errors
/// An I/O error of the stream.
pub async fn bare_echo(mut stream: DuplexStream) -> io::Result<()> {
    let mut frame = [0u8; FRAME];
    stream.read_exact(&mut frame).await?;
    stream.write_all(&frame).await
}

/// The same echo handler under `#[monitored_connection]`.
///
/// # Errors
/// An I/O error of the stream, or a contained panic.
#[monitored_connection]
pub async fn monitored_echo(mut stream: DuplexStream) -> io::Result<()> {
    let mut frame = [0u8; FRAME];
    stream.read_exact(&mut frame).await?;
    stream.write_all(&frame).await
}

/// Copies of [`bare_echo`] and [`monitored_echo`], timed together to average
/// out code placement (see `common::async_copies`).
macro_rules! echo_copies {
    ($($bare:ident, $monitored:ident);+ $(;)?) => {$(
        /// A copy of [`bare_echo`].
        ///
        /// # Errors
        /// An I/O error of the stream.
        pub async fn $bare(mut stream: DuplexStream) -> io::Result<()> {
            let mut frame = [0u8; FRAME];
            stream.read_exact(&mut frame).await?;
            stream.write_all(&frame).await
        }

        /// A copy of [`monitored_echo`], counted under the same name.
        ///
        /// # Errors
        /// An I/O error of the stream, or a contained panic.
        #[monitored_connection(name = "monitored_echo")]
        pub async fn $monitored(mut stream: DuplexStream) -> io::Result<()> {
            let mut frame = [0u8; FRAME];
            stream.read_exact(&mut frame).await?;
            stream.write_all(&frame).await
        }
    )+};
}

echo_copies!(
    bare_echo_1, monitored_echo_1;
    bare_echo_2, monitored_echo_2;
    bare_echo_3, monitored_echo_3;
);

/// One connection: spawns `handler` on the server end, sends a frame,
/// reads the echo and the close. Must run inside a tokio runtime.
///
/// # Errors
/// An I/O error, a handler error, a wrong echo or a missing close.
pub async fn connection<H, F>(handler: H, fill: u8) -> io::Result<u8>
where
    H: FnOnce(DuplexStream) -> F,
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    let (mut client, server) = tokio::io::duplex(4 * FRAME);
    let task = tokio::spawn(handler(server));
    client.write_all(&[fill; FRAME]).await?;
    let mut reply = [0u8; FRAME];
    client.read_exact(&mut reply).await?;
    let mut rest = [0u8; 1];
    if client.read(&mut rest).await? != 0 {
        return Err(io::Error::other("connection not closed after one frame"));
    }
    task.await.map_err(io::Error::other)??;
    if reply != [fill; FRAME] {
        return Err(io::Error::other("echo differs from the frame sent"));
    }
    Ok(reply[0])
}

/// Times `iters` connections to `handler`, one `block_on` each.
pub fn echo_timed<H, F>(rt: &tokio::runtime::Runtime, iters: u64, handler: H) -> Duration
where
    H: Fn(DuplexStream) -> F + Copy,
    F: Future<Output = io::Result<()>> + Send + 'static,
{
    let start = Instant::now();
    for _ in 0..iters {
        drop(black_box(rt.block_on(connection(handler, black_box(7)))));
    }
    start.elapsed()
}

/// [`echo_timed`] over the four copies of the bare echo handler, or of the
/// monitored one.
pub fn echo_copies(rt: &tokio::runtime::Runtime, monitored: bool, iters: u64) -> Duration {
    if monitored {
        each_copy!(
            of [monitored_echo, monitored_echo_1, monitored_echo_2, monitored_echo_3],
            iters,
            |n, f| echo_timed(rt, n, f)
        )
    } else {
        each_copy!(
            of [bare_echo, bare_echo_1, bare_echo_2, bare_echo_3],
            iters,
            |n, f| echo_timed(rt, n, f)
        )
    }
}
