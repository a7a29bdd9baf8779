//! Paired measurement for the ratios that criterion's one-after-the-other
//! runs cannot resolve on a shared machine: the two variants run in
//! alternating rounds of the same length (A B, B A, A B, …), so a change in
//! background load hits both alike, and the ratio is the median of the
//! per-round ratios. Used for the echo and contention targets.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A variant: runs `iters` iterations and returns the time they took.
pub type Variant<'a> = &'a mut dyn FnMut(u64) -> Duration;

/// The result of one paired comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Paired {
    /// Name of the comparison (`group/b_vs_a`).
    pub name: String,
    /// Median ns per iteration of the first variant.
    pub a_ns: f64,
    /// Median ns per iteration of the second variant.
    pub b_ns: f64,
    /// Median of the per-round ratios `b / a`.
    pub ratio: f64,
    /// First and third quartiles of the per-round ratios.
    pub ratio_iqr: (f64, f64),
    /// Rounds measured.
    pub rounds: usize,
}

/// The `q` quantile (0.0 ..= 1.0) of non-empty `sorted` values, nearest rank.
#[must_use]
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index into a short, non-empty slice"
    )]
    let index = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[index]
}

/// Nanoseconds per iteration.
#[must_use]
pub fn per_iter(time: Duration, iters: u64) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "iteration counts stay far below 2^52"
    )]
    let iters = iters as f64;
    time.as_secs_f64() * 1e9 / iters
}

/// Iterations of `variant` that take about `round`.
pub fn calibrate(variant: Variant<'_>, round: Duration) -> u64 {
    let mut iters = 1u64;
    loop {
        let took = variant(iters);
        if took >= round / 4 || iters >= 1 << 40 {
            let scale = round.as_secs_f64() / took.as_secs_f64().max(1e-9);
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "a positive iteration count"
            )]
            return ((iters as f64) * scale).max(1.0) as u64;
        }
        iters *= 2;
    }
}

/// Compares `b` with `a` over `rounds` alternating rounds of about `round`
/// each (the iteration count is calibrated on `a`).
pub fn compare(
    name: &str,
    rounds: usize,
    round: Duration,
    a: Variant<'_>,
    b: Variant<'_>,
) -> Paired {
    let iters = calibrate(&mut *a, round);
    // Warm-up round, not counted.
    let _ = (a(iters), b(iters));
    let mut ratios = Vec::with_capacity(rounds);
    let mut a_ns = Vec::with_capacity(rounds);
    let mut b_ns = Vec::with_capacity(rounds);
    for r in 0..rounds {
        let (ta, tb) = if r % 2 == 0 {
            let ta = a(iters);
            (ta, b(iters))
        } else {
            let tb = b(iters);
            (a(iters), tb)
        };
        let (na, nb) = (per_iter(ta, iters), per_iter(tb, iters));
        a_ns.push(na);
        b_ns.push(nb);
        ratios.push(nb / na);
    }
    for v in [&mut ratios, &mut a_ns, &mut b_ns] {
        v.sort_by(f64::total_cmp);
    }
    Paired {
        name: name.to_owned(),
        a_ns: quantile(&a_ns, 0.5),
        b_ns: quantile(&b_ns, 0.5),
        ratio: quantile(&ratios, 0.5),
        ratio_iqr: (quantile(&ratios, 0.25), quantile(&ratios, 0.75)),
        rounds,
    }
}

/// Times `iters` runs of `f`.
pub fn timed(iters: u64, mut f: impl FnMut()) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f();
    }
    start.elapsed()
}

/// The results as JSON (an array of objects), for `bench-summary`.
#[must_use]
pub fn to_json(results: &[Paired]) -> String {
    let mut out = String::from("[\n");
    for (i, p) in results.iter().enumerate() {
        let comma = if i + 1 < results.len() { "," } else { "" };
        let _ = writeln!(
            out,
            "  {{\"name\": \"{}\", \"a_ns\": {}, \"b_ns\": {}, \"ratio\": {}, \"ratio_q1\": {}, \"ratio_q3\": {}, \"rounds\": {}}}{comma}",
            p.name, p.a_ns, p.b_ns, p.ratio, p.ratio_iqr.0, p.ratio_iqr.1, p.rounds
        );
    }
    out.push(']');
    out
}

/// The length of one paired round: `BENCH_PAIRED_MS` (`benches/run.sh` sets
/// it short for `QUICK=1`), else `default_ms` milliseconds.
#[must_use]
pub fn round_from_env(default_ms: u64) -> Duration {
    Duration::from_millis(
        std::env::var("BENCH_PAIRED_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(default_ms),
    )
}

/// Whether this run measures paired rounds: only when benchmarking
/// (`--bench`, so not under `cargo test`) and unless `BENCH_PAIRED=0`.
#[must_use]
pub fn wanted() -> bool {
    std::env::args().any(|a| a == "--bench")
        && std::env::var_os("BENCH_PAIRED").is_none_or(|v| v != "0")
}

/// Where the results go: `$CRITERION_HOME`, else `target/criterion`.
#[must_use]
pub fn out_dir() -> PathBuf {
    std::env::var_os("CRITERION_HOME")
        .map_or_else(|| PathBuf::from("target/criterion"), PathBuf::from)
}

/// Prints each result and writes them all to `dir/file` for
/// `bench-summary`; a write failure is printed, not fatal.
pub fn report(results: &[Paired], dir: &Path, file: &str) {
    for p in results {
        eprintln!(
            "paired {}: {:.2} ns vs {:.2} ns, ratio {:.4} (IQR {:.4}..{:.4}, {} rounds)",
            p.name, p.a_ns, p.b_ns, p.ratio, p.ratio_iqr.0, p.ratio_iqr.1, p.rounds
        );
    }
    let written = std::fs::create_dir_all(dir)
        .and_then(|()| std::fs::write(dir.join(file), to_json(results)));
    if let Err(error) = written {
        eprintln!("paired: cannot write {}: {error}", dir.join(file).display());
    }
}
