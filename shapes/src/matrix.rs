//! Bodies × forms: each body below is written as a sync `fn`, an `async
//! fn`, a `fn -> impl Future` and a `fn -> Pin<Box<dyn Future + Send>>`,
//! each annotated and, in `plain`, without the attribute; the twins must
//! agree on values and drop order (see [`check_twins`]). Each body panics
//! when `n == 0`. Four shapes per body.

use crate::harness::{block_on, check_twins, note, Log, Noted};

/// The four forms of one body, annotated and plain, and the test of all
/// eight.
macro_rules! forms {
    ($sync:ident, $async_:ident, $future:ident, $boxed:ident;
     |$log:ident, $n:ident| $($body:tt)*) => {
        use std::future::Future;
        use std::pin::Pin;

        use wireframe_monitor::monitored_connection;

        #[allow(unused_imports, reason = "not every body notes")]
        use super::*;

        #[monitored_connection]
        fn $sync($log: Log, _permit: Noted, _: Noted, $n: u8) -> Option<u8> {
            $($body)*
        }

        #[monitored_connection]
        async fn $async_($log: Log, _permit: Noted, _: Noted, $n: u8) -> Option<u8> {
            tokio::task::yield_now().await;
            $($body)*
        }

        #[monitored_connection]
        fn $future($log: Log, _permit: Noted, _: Noted, $n: u8) -> impl Future<Output = Option<u8>> {
            async move {
                tokio::task::yield_now().await;
                $($body)*
            }
        }

        #[monitored_connection]
        fn $boxed(
            $log: Log,
            _permit: Noted,
            _: Noted,
            $n: u8,
        ) -> Pin<Box<dyn Future<Output = Option<u8>> + Send>> {
            Box::pin(async move {
                tokio::task::yield_now().await;
                $($body)*
            })
        }

        // Without the attribute clippy sees that some bodies never return
        // `None` (with it, the fallback is a `None`).
        #[allow(clippy::unnecessary_wraps, reason = "the same signature as the annotated twin")]
        mod plain {
            use std::future::Future;
            use std::pin::Pin;

            #[allow(unused_imports, reason = "not every body notes")]
            use super::super::*;

            pub(super) fn $sync($log: Log, _permit: Noted, _: Noted, $n: u8) -> Option<u8> {
                $($body)*
            }

            pub(super) async fn $async_($log: Log, _permit: Noted, _: Noted, $n: u8) -> Option<u8> {
                tokio::task::yield_now().await;
                $($body)*
            }

            pub(super) fn $future(
                $log: Log,
                _permit: Noted,
                _: Noted,
                $n: u8,
            ) -> impl Future<Output = Option<u8>> {
                async move {
                    tokio::task::yield_now().await;
                    $($body)*
                }
            }

            pub(super) fn $boxed(
                $log: Log,
                _permit: Noted,
                _: Noted,
                $n: u8,
            ) -> Pin<Box<dyn Future<Output = Option<u8>> + Send>> {
                Box::pin(async move {
                    tokio::task::yield_now().await;
                    $($body)*
                })
            }
        }

        #[test]
        fn every_form_behaves_as_without_the_attribute() {
            check_twins(stringify!($sync), $sync, plain::$sync);
            check_twins(
                stringify!($async_),
                |l, p, w, n| block_on($async_(l, p, w, n)),
                |l, p, w, n| block_on(plain::$async_(l, p, w, n)),
            );
            check_twins(
                stringify!($future),
                |l, p, w, n| block_on($future(l, p, w, n)),
                |l, p, w, n| block_on(plain::$future(l, p, w, n)),
            );
            check_twins(
                stringify!($boxed),
                |l, p, w, n| block_on($boxed(l, p, w, n)),
                |l, p, w, n| block_on(plain::$boxed(l, p, w, n)),
            );
        }
    };
}

mod simple {
    forms!(simple_sync, simple_async, simple_future, simple_boxed; |log, n|
        note(&log, "body");
        assert!(n != 0, "zero");
        Some(n)
    );
}

mod let_else {
    forms!(let_else_sync, let_else_async, let_else_future, let_else_boxed; |log, n|
        let Some(tenth) = 10u8.checked_div(n) else {
            note(&log, "else");
            panic!("zero");
        };
        Some(tenth)
    );
}

mod labeled_block {
    forms!(labeled_sync, labeled_async, labeled_future, labeled_boxed; |log, n|
        let doubled = 'found: {
            if n > 0 {
                break 'found n * 2;
            }
            note(&log, "not found");
            panic!("zero");
        };
        Some(doubled)
    );
}

mod items_inside {
    forms!(items_sync, items_async, items_future, items_boxed; |log, n|
        const LIMIT: u8 = 100;
        struct Frame(u8);
        impl Frame {
            fn checked(&self) -> u8 {
                assert!(self.0 != 0, "zero");
                self.0.min(LIMIT)
            }
        }
        fn double(x: u8) -> u8 {
            x * 2
        }
        note(&log, "items");
        Some(double(Frame(n).checked()))
    );
}

mod macro_inside {
    forms!(macro_sync, macro_async, macro_future, macro_boxed; |log, n|
        macro_rules! nonzero {
            ($value:expr) => {{
                note(&log, "checked");
                assert!($value != 0, "zero");
                $value
            }};
        }
        Some(nonzero!(n))
    );
}

mod question_mark {
    forms!(try_sync, try_async, try_future, try_boxed; |log, n|
        let wide = u32::from(n);
        let narrow = u8::try_from(wide).ok()?;
        note(&log, "converted");
        Some(10 / narrow)
    );
}

mod closure_capture {
    forms!(closure_sync, closure_async, closure_future, closure_boxed; |log, n|
        let tenth = move || 10 / n;
        note(&log, "closure");
        Some(tenth())
    );
}

mod match_guards {
    forms!(match_sync, match_async, match_future, match_boxed; |log, n|
        note(&log, "match");
        match n {
            0 => panic!("zero"),
            small @ 1..=9 if small % 2 == 1 => Some(small),
            other => Some(other / 2),
        }
    );
}

mod loop_break {
    forms!(loop_sync, loop_async, loop_future, loop_boxed; |log, n|
        let mut i = 0u8;
        let found = loop {
            i += 1;
            if i >= n {
                break i;
            }
        };
        assert!(n != 0, "zero");
        note(&log, "looped");
        Some(found)
    );
}

mod iterator_chain {
    forms!(iter_sync, iter_async, iter_future, iter_boxed; |log, n|
        let total: u8 = (0..=n).filter(|k| k % 2 == 1).sum();
        note(&log, "summed");
        Some(total / n)
    );
}

mod index_panic {
    forms!(index_sync, index_async, index_future, index_boxed; |log, n|
        let frames = [n, n + 1];
        note(&log, "indexed");
        Some(frames[usize::from(n) - 1])
    );
}

mod parse_unwrap {
    forms!(parse_sync, parse_async, parse_future, parse_boxed; |log, n|
        let text = format!("{}", 10 / n);
        let parsed: u8 = text.parse().expect("a number");
        note(&log, "parsed");
        Some(parsed)
    );
}

mod early_return {
    forms!(early_sync, early_async, early_future, early_boxed; |log, n|
        if n == 1 {
            note(&log, "early");
            return Some(1);
        }
        panic!("not one: {n}")
    );
}

mod local_drops {
    forms!(local_sync, local_async, local_future, local_boxed; |log, n|
        let _first = Noted(log.clone(), "first local");
        let _second = Noted(log.clone(), "second local");
        assert!(n != 0, "zero");
        Some(n)
    );
}

mod tail_temporary {
    forms!(temp_sync, temp_async, temp_future, temp_boxed; |log, n|
        let _local = Noted(log.clone(), "local");
        Some(u8::from(Noted(log.clone(), "temporary").1.is_empty()) + 10 / n)
    );
}
