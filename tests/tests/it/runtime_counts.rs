//! A run-time handler counts exactly wherever it is called: in several
//! chunks of the per-thread table, on several threads, in futures dropped on other
//! threads, and from thread-local destructors (before and after the
//! thread's counters are given back); and it stays one word, so its future
//! is barely larger than the body's.

use wireframe_monitor::MonitoredHandler;

use crate::support::{self, row};

/// 300 name and label sets made at run time: the first 255 with an entry in
/// every thread's slot table, the others through the chunk table the
/// annotated functions use: all count exactly, on several threads, futures
/// moved between threads included.
#[test]
fn handlers_beyond_the_per_thread_table_count_exactly() {
    let _shared = support::shared();
    let handlers: Vec<MonitoredHandler> = (0..300)
        .map(|i| MonitoredHandler::new("rt_many", [("route", i.to_string())]).unwrap())
        .collect();
    std::thread::scope(|s| {
        for t in 0..3u32 {
            let handlers = &handlers;
            s.spawn(move || {
                for round in 0..4u32 {
                    for (i, handler) in (0u32..).zip(handlers) {
                        let panics = (i + round + t).is_multiple_of(7);
                        let got = handler.run(|| -> Option<u32> {
                            assert!(!panics, "route {i}");
                            Some(round)
                        });
                        assert_eq!(got.is_none(), panics);
                    }
                }
                // A future made here and dropped on another thread.
                let future = handlers[299].guard(std::future::pending::<Option<u8>>());
                std::thread::spawn(move || drop(future)).join().unwrap();
            });
        }
    });
    for (i, handler) in (0u32..).zip(&handlers) {
        let row = wireframe_monitor::snapshot()
            .into_iter()
            .find(|r| r.handler() == "rt_many" && r.labels()[0].1 == handler.labels()[0].1)
            .unwrap();
        let expected_panics = (0..3u32)
            .flat_map(|t| (0..4u32).map(move |round| (i + round + t).is_multiple_of(7)))
            .filter(|&p| p)
            .count() as u64;
        let extra = u64::from(i == 299) * 3;
        assert_eq!(
            (row.calls(), row.active(), row.panics()),
            (12 + extra, 0, expected_panics),
            "route {i}"
        );
    }
}

/// A handler is one word (its registry id and its per-thread table
/// index), so a guarded future is at most 8 bytes larger than its body.
#[test]
fn a_handler_is_one_word_and_its_future_barely_larger() {
    assert_eq!(size_of::<MonitoredHandler>(), 4);
    let handler = MonitoredHandler::named("rt_size").unwrap();
    let body = async { Some(1u64) };
    let body_size = size_of_val(&body);
    let guarded = handler.guard(body);
    assert!(size_of_val(&guarded) <= body_size + 8);
}

/// Calls a run-time handler twice (once panicking) when dropped.
struct RuntimeCallsOnDrop(MonitoredHandler);

impl Drop for RuntimeCallsOnDrop {
    fn drop(&mut self) {
        assert_eq!(self.0.run(|| Some(())), Some(()));
        assert_eq!(
            self.0.run(|| -> Option<()> { panic!("in a destructor") }),
            None
        );
    }
}

thread_local! {
    static RT_ON_EXIT: std::cell::RefCell<Option<RuntimeCallsOnDrop>> =
        const { std::cell::RefCell::new(None) };
}

/// A thread-local destructor calls a run-time handler before and after the
/// monitor's own per-thread counters are given back (platforms destroy
/// thread-locals in reverse order of first use): both are counted
/// exactly, and the given-back counters are not written by the exiting
/// thread (its per-thread slot table is cleared first).
#[test]
fn run_time_handlers_called_from_thread_local_destructors_are_counted() {
    let _shared = support::shared();
    let handler = MonitoredHandler::named("rt_tls_destructor").unwrap();
    for monitor_first in [true, false] {
        std::thread::spawn(move || {
            if monitor_first {
                assert_eq!(handler.run(|| Some(())), Some(()));
            }
            RT_ON_EXIT.with(|slot| *slot.borrow_mut() = Some(RuntimeCallsOnDrop(handler)));
            if !monitor_first {
                assert_eq!(handler.run(|| Some(())), Some(()));
            }
        })
        .join()
        .expect("the thread exits cleanly");
    }
    // Threads that reuse the given-back counters while nothing else runs.
    for _ in 0..8 {
        std::thread::spawn(move || assert_eq!(handler.run(|| Some(())), Some(())))
            .join()
            .unwrap();
    }
    let row = row("rt_tls_destructor").unwrap();
    assert_eq!((row.calls(), row.active(), row.panics()), (2 * 3 + 8, 0, 2));
}
