//! `return` and `?` in bodies return from the handler, sync and async,
//! including a `Result<&str, E>` borrowing from an argument and an async
//! `Result<impl Display, E>`.
#![deny(warnings)]
use std::fmt::Display;
use std::io;

use wireframe_monitor::monitored_connection;

#[monitored_connection]
fn command(frame: &str) -> Result<&str, io::Error> {
    let Some((verb, _)) = frame.split_once(' ') else {
        return Err(io::Error::other("no verb"));
    };
    let verb = verb
        .strip_prefix('/')
        .ok_or_else(|| io::Error::other("no slash"))?;
    Ok(verb)
}

#[monitored_connection]
fn early(flag: bool) -> Option<u8> {
    if flag {
        return Some(1);
    }
    let value: u8 = None?;
    Some(value)
}

#[monitored_connection]
async fn command_async(frame: &str) -> Result<&str, io::Error> {
    tokio::task::yield_now().await;
    if frame.is_empty() {
        return Err(io::Error::other("empty"));
    }
    let (verb, _) = frame
        .split_once(' ')
        .ok_or_else(|| io::Error::other("no verb"))?;
    Ok(verb)
}

#[monitored_connection]
async fn display(frame: &str) -> Result<impl Display, io::Error> {
    let number: u32 = frame.parse().map_err(io::Error::other)?;
    if number == 0 {
        return Ok(String::from("zero"));
    }
    Ok(format!("#{number}"))
}

fn main() {
    assert_eq!(command("/join room").unwrap(), "join");
    assert_eq!(command("join").unwrap_err().to_string(), "no verb");
    assert_eq!(command("join room").unwrap_err().to_string(), "no slash");
    assert_eq!(early(true), Some(1));
    assert_eq!(early(false), None);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        assert_eq!(command_async("part room").await.unwrap(), "part");
        assert_eq!(command_async("").await.unwrap_err().to_string(), "empty");
        assert_eq!(command_async("x").await.unwrap_err().to_string(), "no verb");
        assert_eq!(display("7").await.unwrap().to_string(), "#7");
        assert_eq!(display("0").await.unwrap().to_string(), "zero");
        assert!(display("x").await.is_err());
    });
}
