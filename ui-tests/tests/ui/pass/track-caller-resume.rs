//! A sync `resume` handler keeps `#[track_caller]`: `Location::caller()` in
//! the body is the caller's location, and a panic inside reports it too.
#![deny(warnings)]
use std::panic::Location;

use wireframe_monitor::monitored_connection;

#[monitored_connection(on_panic = "resume")]
#[track_caller]
fn called_from() -> &'static Location<'static> {
    Location::caller()
}

fn main() {
    let location = called_from();
    assert_eq!(location.line(), line!() - 1);
    assert_eq!(location.file(), file!());
}
