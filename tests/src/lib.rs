//! Helpers shared by the behaviour tests of wireframe-monitor: run code with
//! a `metrics-util` debugging recorder as the thread's recorder, then read
//! the metrics it saw by name and `handler` label.

use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};

/// The value of one metric in a debugging snapshot.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// A counter's value (since the previous snapshot).
    Counter(u64),
    /// A gauge's value.
    Gauge(f64),
    /// A histogram, by its number of samples.
    Histogram(usize),
}

/// One metric of a debugging snapshot, owned.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The metric name.
    pub name: String,
    /// The labels, in key order of the key.
    pub labels: Vec<(String, String)>,
    /// The value.
    pub value: Value,
}

impl Sample {
    /// The value of label `key`, if present.
    #[must_use]
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Every metric of one debugging snapshot.
#[derive(Clone, Debug, Default)]
pub struct Samples(pub Vec<Sample>);

impl Samples {
    /// Takes (and resets) a snapshot of `snapshotter`.
    #[must_use]
    pub fn take(snapshotter: &Snapshotter) -> Self {
        let samples = snapshotter
            .snapshot()
            .into_vec()
            .into_iter()
            .map(|(key, _, _, value)| {
                let key = key.key();
                Sample {
                    name: key.name().to_owned(),
                    labels: key
                        .labels()
                        .map(|l| (l.key().to_owned(), l.value().to_owned()))
                        .collect(),
                    value: match value {
                        DebugValue::Counter(n) => Value::Counter(n),
                        DebugValue::Gauge(g) => Value::Gauge(g.into_inner()),
                        DebugValue::Histogram(h) => Value::Histogram(h.len()),
                    },
                }
            })
            .collect();
        Self(samples)
    }

    /// Every sample named `name` whose `handler` label is `handler`.
    pub fn all<'a>(&'a self, name: &str, handler: &str) -> impl Iterator<Item = &'a Sample> {
        let (name, handler) = (name.to_owned(), handler.to_owned());
        self.0
            .iter()
            .filter(move |s| s.name == name && s.label("handler") == Some(handler.as_str()))
    }

    /// The only sample named `name` for `handler`.
    ///
    /// # Panics
    ///
    /// If there are several: a test expecting one series found more.
    #[must_use]
    pub fn find(&self, name: &str, handler: &str) -> Option<&Sample> {
        let found: Vec<&Sample> = self.all(name, handler).collect();
        assert!(
            found.len() <= 1,
            "several series of {name} for handler {handler}: {self:?}"
        );
        found.first().copied()
    }

    /// The counter `name` of `handler`, if recorded.
    ///
    /// # Panics
    ///
    /// If there are several such series or the metric is not a counter.
    #[must_use]
    pub fn counter(&self, name: &str, handler: &str) -> Option<u64> {
        match self.find(name, handler)?.value {
            Value::Counter(n) => Some(n),
            other => panic!("{name} is not a counter: {other:?}"),
        }
    }

    /// The gauge `name` of `handler`, if recorded.
    ///
    /// # Panics
    ///
    /// If there are several such series or the metric is not a gauge.
    #[must_use]
    pub fn gauge(&self, name: &str, handler: &str) -> Option<f64> {
        match self.find(name, handler)?.value {
            Value::Gauge(g) => Some(g),
            other => panic!("{name} is not a gauge: {other:?}"),
        }
    }

    /// Whether `text` occurs in any metric name, label key or label value.
    #[must_use]
    pub fn mentions(&self, text: &str) -> bool {
        self.0.iter().any(|s| {
            s.name.contains(text)
                || s.labels
                    .iter()
                    .any(|(k, v)| k.contains(text) || v.contains(text))
        })
    }
}

/// Runs `f` with a fresh debugging recorder as this thread's recorder and
/// returns its result and everything the recorder saw.
pub fn recorded<T>(f: impl FnOnce() -> T) -> (T, Samples) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    let value = metrics::with_local_recorder(&recorder, f);
    (value, Samples::take(&snapshotter))
}

/// Seconds since the Unix epoch now.
///
/// # Panics
///
/// If the clock is set before 1970.
#[must_use]
pub fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
}

/// The value of the Prometheus text-exposition sample line of metric `name`
/// whose labels contain `handler="…"`.
///
/// # Panics
///
/// If several lines match, or a sample value is not a number.
#[must_use]
pub fn exposition_value(text: &str, name: &str, handler: &str) -> Option<f64> {
    let needle = format!("handler=\"{handler}\"");
    let prefix = format!("{name}{{");
    let values: Vec<f64> = text
        .lines()
        .filter(|l| l.starts_with(&prefix) && l.contains(&needle))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .collect();
    assert!(
        values.len() <= 1,
        "several {name} lines for {handler}:\n{text}"
    );
    values.first().copied()
}
