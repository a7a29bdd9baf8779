//! The demo's built-in client: which connections trigger which panic, the
//! conversation on each connection, and the counts the server must report.

use std::io;
use std::net::SocketAddr;
use std::ops::Range;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::net::TcpStream;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::task::JoinSet;

/// How long the client waits for one reply before it calls the run failed.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// What connection `i` does after its two normal frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Nothing: two good frames, then it closes.
    None,
    /// A frame whose handler panics with a `&'static str`.
    FrameStr,
    /// A frame whose handler panics with a `String` (`panic!` with arguments).
    FrameString,
    /// A frame on the critical route whose handler calls `panic_any` with a
    /// custom struct.
    CriticalCustom,
    /// A request that makes the connection handler itself panic (`&str`).
    ConnectionStr,
    /// Same, with a formatted message (`String`).
    ConnectionString,
}

impl Fault {
    /// Every fifth connection panics; the kinds take turns.
    pub fn of(i: usize) -> Self {
        if !i.is_multiple_of(5) {
            return Self::None;
        }
        match (i / 5) % 5 {
            0 => Self::FrameStr,
            1 => Self::FrameString,
            2 => Self::CriticalCustom,
            3 => Self::ConnectionStr,
            _ => Self::ConnectionString,
        }
    }

    fn request(self, i: usize) -> String {
        match self {
            Self::None => String::new(),
            Self::FrameStr => "fail-str".to_owned(),
            Self::FrameString => format!("fail-string {i}"),
            Self::CriticalCustom => format!("pay-fail {i}"),
            Self::ConnectionStr => "crash".to_owned(),
            Self::ConnectionString => format!("crash-id {i}"),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::None => "no panic",
            Self::FrameStr => "frame panic (&str)",
            Self::FrameString => "frame panic (String)",
            Self::CriticalCustom => "critical frame panic (custom struct via panic_any)",
            Self::ConnectionStr => "connection panic (&str)",
            Self::ConnectionString => "connection panic (String)",
        }
    }
}

/// Calls and panics per handler, and panics per payload kind, that a range
/// of client connections makes the server record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// `handler="connection"` calls.
    pub connection_calls: u64,
    /// `handler="frame"` (no other label) calls.
    pub frame_calls: u64,
    /// `handler="frame", tier="critical"` calls.
    pub critical_calls: u64,
    /// Panics of `connection`.
    pub connection_panics: u64,
    /// Panics of `frame`.
    pub frame_panics: u64,
    /// Panics of `frame{tier="critical"}`.
    pub critical_panics: u64,
    /// Panics whose payload was a `&'static str`, a `String`, anything else.
    pub kinds: [u64; 3],
}

impl Tally {
    /// What connections `range` are planned to cause.
    pub fn plan(range: Range<usize>) -> Self {
        let mut t = Self::default();
        for i in range {
            // Every connection: one call of `connection`, `echo` and `pay`.
            t.connection_calls += 1;
            t.frame_calls += 1;
            t.critical_calls += 1;
            match Fault::of(i) {
                Fault::None => {}
                // The panicking frame, then one more frame on the same connection.
                Fault::FrameStr | Fault::FrameString => {
                    t.frame_calls += 2;
                    t.frame_panics += 1;
                }
                Fault::CriticalCustom => {
                    t.critical_calls += 2;
                    t.critical_panics += 1;
                }
                Fault::ConnectionStr | Fault::ConnectionString => t.connection_panics += 1,
            }
            match Fault::of(i) {
                Fault::None => {}
                Fault::FrameStr | Fault::ConnectionStr => t.kinds[0] += 1,
                Fault::FrameString | Fault::ConnectionString => t.kinds[1] += 1,
                Fault::CriticalCustom => t.kinds[2] += 1,
            }
        }
        t
    }

    /// All panics.
    pub fn panics(&self) -> u64 {
        self.connection_panics + self.frame_panics + self.critical_panics
    }
}

/// One client connection, line in, line out.
struct Conn {
    lines: Lines<BufReader<OwnedReadHalf>>,
    write: OwnedWriteHalf,
}

impl Conn {
    async fn connect(addr: SocketAddr) -> io::Result<Self> {
        let (read, write) = TcpStream::connect(addr).await?.into_split();
        Ok(Self {
            lines: BufReader::new(read).lines(),
            write,
        })
    }

    /// Sends one request; `None` when the server closed the connection.
    async fn ask(&mut self, request: &str) -> Result<Option<String>, String> {
        self.write
            .write_all(format!("{request}\n").as_bytes())
            .await
            .map_err(|e| format!("sending `{request}`: {e}"))?;
        match tokio::time::timeout(REPLY_TIMEOUT, self.lines.next_line()).await {
            Err(_) => Err(format!("no reply to `{request}` within {REPLY_TIMEOUT:?}")),
            Ok(Ok(line)) => Ok(line),
            Ok(Err(e)) if e.kind() == io::ErrorKind::ConnectionReset => Ok(None),
            Ok(Err(e)) => Err(format!("reading the reply to `{request}`: {e}")),
        }
    }

    /// Sends one request and checks the reply.
    async fn expect(&mut self, request: &str, want: &str) -> Result<(), String> {
        match self.ask(request).await? {
            Some(reply) if reply == want => Ok(()),
            other => Err(format!("`{request}`: expected {want:?}, got {other:?}")),
        }
    }
}

/// Runs the conversation of connection `i`; returns a progress line for a
/// connection that triggered a panic.
async fn converse(addr: SocketAddr, i: usize) -> Result<Option<String>, String> {
    let fault = Fault::of(i);
    let mut conn = Conn::connect(addr)
        .await
        .map_err(|e| format!("connecting: {e}"))?;
    conn.expect(&format!("echo hello-{i}"), &format!("ok hello-{i}"))
        .await?;
    conn.expect(&format!("pay {i}"), &format!("ok paid {i}"))
        .await?;
    let request = fault.request(i);
    let line = match fault {
        Fault::None => return Ok(None),
        Fault::FrameStr | Fault::FrameString | Fault::CriticalCustom => {
            let handler = "connection handler `frame` panicked";
            let reply = conn.ask(&request).await?.unwrap_or_default();
            if !reply.starts_with("err ") || !reply.contains(handler) {
                return Err(format!(
                    "`{request}`: expected an error reply, got {reply:?}"
                ));
            }
            // The panic was contained: the same connection answers again.
            let (next, want) = if fault == Fault::CriticalCustom {
                (format!("pay {i}"), format!("ok paid {i}"))
            } else {
                (format!("echo again-{i}"), format!("ok again-{i}"))
            };
            conn.expect(&next, &want).await?;
            format!(
                "{}: replied {reply:?}; same connection then answered {want:?}",
                fault.describe()
            )
        }
        Fault::ConnectionStr | Fault::ConnectionString => match conn.ask(&request).await? {
            None => format!("{}: server closed this connection only", fault.describe()),
            Some(reply) => {
                return Err(format!(
                    "`{request}`: expected the connection to close, got {reply:?}"
                ));
            }
        },
    };
    Ok(Some(line))
}

/// Opens connections `range` concurrently against `addr` and runs their
/// conversations; prints a progress line per panic when `verbose`.
/// Returns how many conversations went as planned, or the first failure.
pub async fn run(addr: SocketAddr, range: Range<usize>, verbose: bool) -> Result<usize, String> {
    let mut set = JoinSet::new();
    for i in range {
        set.spawn(async move { (i, converse(addr, i).await) });
    }
    let mut lines = Vec::new();
    let mut done = 0;
    while let Some(joined) = set.join_next().await {
        let (i, outcome) = joined.map_err(|e| format!("client task failed: {e}"))?;
        match outcome {
            Ok(line) => {
                done += 1;
                lines.extend(line.map(|l| (i, l)));
            }
            Err(e) => return Err(format!("client #{i}: {e}")),
        }
    }
    if verbose {
        lines.sort();
        for (i, line) in lines {
            println!("client #{i:02}: {line}");
        }
    }
    Ok(done)
}
