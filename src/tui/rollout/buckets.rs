//! Failure buckets: failed hosts grouped by what went wrong, so fifty hosts with a full disk
//! read as one line, not fifty. Two failures share a bucket when their step, error kind and
//! message agree once the numbers, paths, hex and sizes that differ from host to host are
//! replaced by placeholders.

use crate::core::inventory::HostId;

/// One failure, as the rollout recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub host: HostId,
    pub step: String,
    /// The error text, `kind: message` as the engine writes it.
    pub error: String,
}

/// Hosts that failed the same way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    pub step: String,
    /// `disk_full`, or empty when the error carries no kind.
    pub kind: String,
    /// The message with the varying parts replaced: what the bucket has in common.
    pub pattern: String,
    /// What the operator reads: the pattern with each value the hosts share put back, and a
    /// range for sizes and numbers that differ (`needs 221–576 MiB, 20 MiB free`).
    pub label: String,
    /// Per placeholder of `pattern`, what the hosts had there.
    values: Vec<Slot>,
    /// The first host's own message, for the operator to read a real one.
    pub example: String,
    /// In the order the failures came.
    pub hosts: Vec<HostId>,
}

/// Groups `failures` into buckets, largest first (ties: the first seen first).
pub fn group(failures: &[Failure]) -> Vec<Bucket> {
    let mut buckets: Vec<Bucket> = Vec::new();
    for failure in failures {
        let (kind, message) = split_kind(&failure.error);
        let (pattern, values) = normalise_parts(message);
        let found = buckets
            .iter_mut()
            .find(|b| b.step == failure.step && b.kind == kind && b.pattern == pattern);
        match found {
            Some(bucket) => {
                bucket.hosts.push(failure.host);
                for (slot, value) in bucket.values.iter_mut().zip(values) {
                    slot.add(value);
                }
            }
            None => buckets.push(Bucket {
                step: failure.step.clone(),
                kind: kind.to_string(),
                pattern,
                label: String::new(),
                values: values.into_iter().map(Slot::new).collect(),
                example: message.to_string(),
                hosts: vec![failure.host],
            }),
        }
    }
    for bucket in &mut buckets {
        bucket.label = fill(&bucket.pattern, &bucket.values);
    }
    // Stable: equal counts keep the order they were first seen in.
    buckets.sort_by_key(|b| std::cmp::Reverse(b.hosts.len()));
    buckets
}

/// `disk_full: releases need …` → (`disk_full`, `releases need …`). A prefix that is not one
/// lower-case word is part of the message, not a kind.
fn split_kind(error: &str) -> (&str, &str) {
    match error.split_once(": ") {
        Some((kind, rest))
            if !kind.is_empty()
                && kind
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_' || c == '-') =>
        {
            (kind, rest)
        }
        _ => ("", error),
    }
}

/// Size units that follow a number: `438 MiB`, `12kB`.
const UNITS: [&str; 12] = [
    "B", "KB", "KiB", "kB", "MB", "MiB", "GB", "GiB", "TB", "TiB", "K", "M",
];

/// The message with paths → `<path>`, sizes → `<size>`, hex runs → `<hex>`, numbers → `<n>`.
#[cfg(test)]
fn normalise(message: &str) -> String {
    normalise_parts(message).0
}

/// [`normalise`], and the text each placeholder replaced, in order. Punctuation around a word
/// (`(/opt/app:`, `free,`) stays outside its placeholder, so brackets stay paired.
fn normalise_parts(message: &str) -> (String, Vec<String>) {
    let words: Vec<&str> = message.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut values = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (head, rest) = split_leading_punctuation(words[i]);
        let (core, tail) = split_trailing_punctuation(rest);
        if is_number(core) {
            let next = words.get(i + 1).map(|w| split_trailing_punctuation(w));
            if let Some((unit, unit_tail)) = next.filter(|(u, _)| UNITS.contains(u)) {
                out.push(format!("{head}<size>{unit_tail}"));
                values.push(format!("{core} {unit}"));
                i += 2;
                continue;
            }
        }
        out.push(format!("{head}{}{tail}", normalise_word(core, &mut values)));
        i += 1;
    }
    (out.join(" "), values)
}

fn normalise_word(word: &str, values: &mut Vec<String>) -> String {
    if word.contains('/') && word.len() > 1 {
        values.push(word.to_string());
        return "<path>".into();
    }
    if UNITS
        .iter()
        .filter_map(|u| word.strip_suffix(u))
        .any(is_number)
    {
        values.push(word.to_string());
        return "<size>".into();
    }
    if word.len() >= 7 && word.chars().all(|c| c.is_ascii_hexdigit()) {
        values.push(word.to_string());
        return "<hex>".into();
    }
    // Digits inside a word (`web-07`, `exit 137`, `v2`): each run becomes `<n>`.
    let mut out = String::new();
    let mut run = String::new();
    for c in word.chars() {
        if c.is_ascii_digit() || (c == '.' && !run.is_empty()) {
            // `1.5` is one number.
            run.push(c);
            continue;
        }
        if !run.is_empty() {
            out.push_str("<n>");
            values.push(std::mem::take(&mut run));
        }
        out.push(c);
    }
    if !run.is_empty() {
        // A run's trailing dot is the sentence's, not the number's.
        let dot = run.ends_with('.');
        out.push_str("<n>");
        values.push(run.trim_end_matches('.').to_string());
        if dot {
            out.push('.');
        }
    }
    out
}

/// What the hosts of a bucket had at one placeholder.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    first: String,
    /// Every host had `first`.
    same: bool,
    /// The smallest and largest value, when every one is a number (with the same unit).
    range: Option<(String, String)>,
}

impl Slot {
    fn new(value: String) -> Self {
        let range = number(&value).map(|_| (value.clone(), value.clone()));
        Self {
            first: value,
            same: true,
            range,
        }
    }

    fn add(&mut self, value: String) {
        self.same &= value == self.first;
        self.range = self.range.take().and_then(|(low, high)| {
            let (n, unit) = number(&value)?;
            let (l, low_unit) = number(&low)?;
            let (h, _) = number(&high)?;
            if unit != low_unit {
                return None;
            }
            Some((
                if n < l { value.clone() } else { low },
                if n > h { value.clone() } else { high },
            ))
        });
    }

    fn shown(&self) -> Option<String> {
        if self.same {
            return Some(self.first.clone());
        }
        let (low, high) = self.range.as_ref()?;
        let (_, unit) = number(low)?;
        let low = low.strip_suffix(unit).unwrap_or(low).trim_end();
        Some(format!("{low}–{high}"))
    }
}

/// `438 MiB` → (438.0, `MiB`); `12kB` → (12.0, `kB`); `137` → (137.0, ``).
fn number(value: &str) -> Option<(f64, &str)> {
    let cut = value
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(value.len());
    let n = value[..cut].parse().ok()?;
    Some((n, value[cut..].trim()))
}

/// The pattern with each placeholder the hosts agree on (or that is a range of numbers) put
/// back; the rest stay placeholders.
fn fill(pattern: &str, slots: &[Slot]) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut slots = slots.iter();
    let mut rest = pattern;
    while let Some(start) = rest.find('<') {
        let Some(len) = ["<path>", "<size>", "<hex>", "<n>"]
            .iter()
            .find(|p| rest[start..].starts_with(*p))
            .map(|p| p.len())
        else {
            out.push_str(&rest[..=start]);
            rest = &rest[start + 1..];
            continue;
        };
        out.push_str(&rest[..start]);
        let placeholder = &rest[start..start + len];
        match slots.next().and_then(Slot::shown) {
            Some(value) => out.push_str(&value),
            None => out.push_str(placeholder),
        }
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

fn is_number(word: &str) -> bool {
    !word.is_empty()
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// `free,` → (`free`, `,`).
fn split_trailing_punctuation(word: &str) -> (&str, &str) {
    let cut = word
        .trim_end_matches([',', ';', ':', ')', ']', '.', '\'', '"', '`'])
        .len();
    word.split_at(cut)
}

/// `(/opt/app` → (`(`, `/opt/app`).
fn split_leading_punctuation(word: &str) -> (&str, &str) {
    let cut = word.len() - word.trim_start_matches(['(', '[', '\'', '"', '`']).len();
    word.split_at(cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(host: HostId, step: &str, error: &str) -> Failure {
        Failure {
            host,
            step: step.into(),
            error: error.into(),
        }
    }

    #[test]
    fn sizes_numbers_paths_and_hex_become_placeholders() {
        assert_eq!(
            normalise("releases need 438 MiB, 40 MiB free"),
            "releases need <size>, <size> free"
        );
        assert_eq!(normalise("need 12kB"), "need <size>");
        assert_eq!(
            normalise("cannot write /opt/go/releases/go1.22.10: Permission denied"),
            "cannot write <path>: Permission denied"
        );
        assert_eq!(
            normalise("sha256 mismatch: got 9f86d081884c7d65"),
            "sha<n> mismatch: got <hex>"
        );
        assert_eq!(normalise("exit status 137"), "exit status <n>");
        assert_eq!(normalise("took 1.5 s."), "took <n> s.");
        // Brackets around a path stay paired; a sentence's full stop is not the number's.
        assert_eq!(
            normalise("verification failed: ldd (/opt/app/bin/report: missing libofgo.so.1)"),
            "verification failed: ldd (<path>: missing libofgo.so.<n>)"
        );
        assert_eq!(normalise("exit 2."), "exit <n>.");
    }

    #[test]
    fn labels_keep_the_values_the_hosts_share_and_ranges_of_those_they_do_not() {
        let one = group(&[failure(
            3,
            "preflight",
            "disk full: releases need 221 MiB, 20 MiB free",
        )]);
        assert_eq!(
            one[0].label,
            "disk full: releases need 221 MiB, 20 MiB free"
        );
        let two = group(&[
            failure(
                3,
                "preflight",
                "disk full: releases need 221 MiB, 20 MiB free",
            ),
            failure(
                4,
                "preflight",
                "disk full: releases need 221 MiB, 3 MiB free",
            ),
            failure(
                5,
                "preflight",
                "disk full: releases need 221 MiB, 140 MiB free",
            ),
        ]);
        assert_eq!(two.len(), 1);
        assert_eq!(
            two[0].label,
            "disk full: releases need 221 MiB, 3–140 MiB free"
        );
        let paths = group(&[
            failure(
                1,
                "verify",
                "ldd (/opt/a/bin/x: missing libz.so.1) → rolled back",
            ),
            failure(
                2,
                "verify",
                "ldd (/opt/b/bin/y: missing libz.so.1) → rolled back",
            ),
        ]);
        assert_eq!(
            paths[0].label,
            "ldd (<path>: missing libz.so.1) → rolled back"
        );
        let units = group(&[
            failure(1, "upload", "need 12kB"),
            failure(2, "upload", "need 3MB"),
        ]);
        assert_eq!(units[0].label, "need <size>");
    }

    #[test]
    fn same_failure_with_different_numbers_shares_a_bucket() {
        let failures = [
            failure(
                3,
                "preflight",
                "disk_full: releases need 438 MiB, 40 MiB free",
            ),
            failure(5, "upload", "timeout: no answer in 30s"),
            failure(
                7,
                "preflight",
                "disk_full: releases need 512 MiB, 3 MiB free",
            ),
        ];
        let buckets = group(&failures);
        assert_eq!(buckets.len(), 2);
        assert_eq!(buckets[0].hosts, vec![3, 7]);
        assert_eq!(buckets[0].kind, "disk_full");
        assert_eq!(buckets[0].step, "preflight");
        assert_eq!(buckets[0].pattern, "releases need <size>, <size> free");
        assert_eq!(buckets[0].example, "releases need 438 MiB, 40 MiB free");
        assert_eq!(buckets[1].hosts, vec![5]);
    }

    #[test]
    fn step_and_kind_split_buckets_even_when_messages_agree() {
        let failures = [
            failure(1, "preflight", "disk_full: no space"),
            failure(2, "extract", "disk_full: no space"),
            failure(3, "extract", "io: no space"),
            failure(4, "extract", "Broken: no space"),
        ];
        let buckets = group(&failures);
        assert_eq!(buckets.len(), 4);
        // A capitalised prefix is message, not kind.
        assert_eq!(buckets[3].kind, "");
        assert_eq!(buckets[3].pattern, "Broken: no space");
    }

    #[test]
    fn largest_bucket_first_and_ties_keep_their_order() {
        let failures = [
            failure(1, "switch", "boom"),
            failure(2, "lock", "held by pid 4411"),
            failure(3, "lock", "held by pid 93"),
        ];
        let buckets = group(&failures);
        assert_eq!(buckets[0].hosts, vec![2, 3]);
        assert_eq!(buckets[1].hosts, vec![1]);
        assert!(group(&[]).is_empty());
    }
}

#[cfg(test)]
mod app_health_tests {
    use super::*;

    /// Hosts whose app failed its health check the same way share one bucket, whatever their
    /// number of tries, and the bucket shows what the check said.
    #[test]
    fn failed_health_checks_share_a_bucket_that_shows_the_check_s_output() {
        let failure = |host, tries| Failure {
            host,
            step: "health".into(),
            error: format!(
                "command_failed: svc 3.0.0 is not healthy within 3s: exit 22 after {tries} tries: \
                 curl: (22) The requested URL returned error: 500"
            ),
        };
        let buckets = group(&[failure(0, 9), failure(1, 8), failure(2, 9)]);
        assert_eq!(buckets.len(), 1, "{buckets:#?}");
        assert_eq!(buckets[0].hosts, [0, 1, 2]);
        assert!(
            buckets[0]
                .label
                .contains("The requested URL returned error: 500"),
            "{}",
            buckets[0].label
        );
    }
}
