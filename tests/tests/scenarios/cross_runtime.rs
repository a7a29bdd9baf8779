//! (a) A payload recorded by an inner `resume` handler on another runtime,
//! carried back in a `JoinError` and re-raised by the outer handler.

use std::panic::resume_unwind;

use wireframe_monitor::monitored_connection;

use crate::scenario::{panics, row};

const TASKS: u64 = 1_000;

#[monitored_connection(name = "a_inner", on_panic = "resume")]
async fn inner(i: u64) -> u64 {
    tokio::task::yield_now().await;
    assert!(i == u64::MAX, "inner task {i} failed");
    i
}

#[monitored_connection(name = "a_outer_direct")]
async fn outer_direct(other: tokio::runtime::Handle, i: u64) -> Option<u64> {
    match other.spawn(inner(i)).await {
        Ok(v) => Some(v),
        Err(error) => resume_unwind(error.into_panic()),
    }
}

#[monitored_connection(name = "a_outer_later")]
async fn outer_later(other: tokio::runtime::Handle, i: u64) -> Option<u64> {
    let joined = other.spawn(inner(i)).await;
    tokio::task::yield_now().await;
    match joined {
        Ok(v) => Some(v),
        Err(error) => resume_unwind(error.into_panic()),
    }
}

pub fn run() {
    std::panic::set_hook(Box::new(|_| {}));
    wireframe_monitor::install();
    let other = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("second runtime");
    let main = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("main runtime");
    main.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..TASKS {
            let handle = other.handle().clone();
            tasks.push(tokio::spawn(async move {
                if i % 2 == 0 {
                    outer_direct(handle, i).await
                } else {
                    outer_later(handle, i).await
                }
            }));
        }
        for task in tasks {
            assert_eq!(task.await.expect("outer contained"), None);
        }
    });
    assert_eq!(panics("a_inner"), TASKS);
    assert_eq!(
        panics("a_outer_direct"),
        0,
        "re-raised payloads counted again"
    );
    assert_eq!(
        panics("a_outer_later"),
        0,
        "re-raised payloads counted again"
    );
    assert_eq!(row("a_outer_direct").active(), 0);
    assert_eq!(row("a_inner").active(), 0);
}
