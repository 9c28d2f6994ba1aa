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
        let pattern = normalise(message);
        let found = buckets
            .iter_mut()
            .find(|b| b.step == failure.step && b.kind == kind && b.pattern == pattern);
        match found {
            Some(bucket) => bucket.hosts.push(failure.host),
            None => buckets.push(Bucket {
                step: failure.step.clone(),
                kind: kind.to_string(),
                pattern,
                example: message.to_string(),
                hosts: vec![failure.host],
            }),
        }
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
pub fn normalise(message: &str) -> String {
    let words: Vec<&str> = message.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let (core, tail) = split_trailing_punctuation(word);
        if is_number(core) {
            let next = words.get(i + 1).map(|w| split_trailing_punctuation(w));
            if let Some((_, unit_tail)) = next.filter(|(u, _)| UNITS.contains(u)) {
                out.push(format!("<size>{unit_tail}"));
                i += 2;
                continue;
            }
        }
        out.push(format!("{}{tail}", normalise_word(core)));
        i += 1;
    }
    out.join(" ")
}

fn normalise_word(word: &str) -> String {
    if word.contains('/') && word.len() > 1 {
        return "<path>".into();
    }
    if UNITS
        .iter()
        .filter_map(|u| word.strip_suffix(u))
        .any(is_number)
    {
        return "<size>".into();
    }
    if word.len() >= 7 && word.chars().all(|c| c.is_ascii_hexdigit()) {
        return "<hex>".into();
    }
    // Digits inside a word (`web-07`, `exit 137`, `v2`): each run becomes `<n>`.
    let mut out = String::new();
    let mut in_digits = false;
    for c in word.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push_str("<n>");
            }
            in_digits = true;
        } else if c == '.' && in_digits {
            // `1.5` is one number.
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}

fn is_number(word: &str) -> bool {
    !word.is_empty()
        && word.chars().any(|c| c.is_ascii_digit())
        && word.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// `free,` → (`free`, `,`).
fn split_trailing_punctuation(word: &str) -> (&str, &str) {
    let cut = word.trim_end_matches([',', ';', ':', ')', '.']).len();
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
