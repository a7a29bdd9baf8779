//! Generics, lifetimes, `where` clauses, const generics and `impl Trait`
//! arguments, sync and async.
#![deny(warnings)]
use std::fmt::Debug;

use wireframe_monitor::monitored_connection;

#[monitored_connection]
fn longest<'a, 'b: 'a>(left: &'a str, right: &'b str) -> Option<&'a str> {
    Some(if right.len() > left.len() {
        right
    } else {
        left
    })
}

#[monitored_connection]
fn describe<T, U>(value: T, other: &U) -> Option<String>
where
    T: Debug + Clone,
    U: Debug + ?Sized,
{
    Some(format!("{:?}/{other:?}", value.clone()))
}

#[monitored_connection]
fn sum_array<const N: usize>(values: [u8; N]) -> Option<u32> {
    Some(values.iter().map(|&v| u32::from(v)).sum())
}

#[monitored_connection]
fn total(values: impl IntoIterator<Item = u8>, extra: &impl AsRef<[u8]>) -> Option<usize> {
    Some(values.into_iter().count() + extra.as_ref().len())
}

#[monitored_connection]
async fn first<'a, T>(items: &'a [T]) -> Option<&'a T>
where
    T: Sync,
{
    tokio::task::yield_now().await;
    items.first()
}

#[monitored_connection]
async fn consume(reader: impl AsRef<str> + Send) -> Option<usize> {
    Some(reader.as_ref().len())
}

struct Wrapper<T>(T);

impl<T: Clone + PartialEq> Wrapper<T> {
    #[monitored_connection]
    fn matches<Q>(&self, other: &Q) -> Option<bool>
    where
        Q: ?Sized + PartialEq<T>,
    {
        Some(*other == self.0.clone())
    }
}

fn main() {
    assert_eq!(longest("ab", "abc"), Some("abc"));
    assert_eq!(describe(1_u8, "x").as_deref(), Some("1/\"x\""));
    assert_eq!(sum_array([1, 2, 3]), Some(6));
    assert_eq!(total(vec![1, 2], &[0_u8; 3]), Some(5));
    assert!(Wrapper(4_u8).matches(&4_u8).unwrap());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let items = [7, 8];
        assert_eq!(first(&items).await, Some(&7));
        assert_eq!(first::<u8>(&[]).await, None);
        assert_eq!(consume(String::from("four")).await, Some(4));
    });
}
