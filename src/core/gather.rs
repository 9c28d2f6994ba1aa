//! Gathered output of an ad-hoc command, the way `clush -b` shows it: hosts that answered the
//! same (same exit status, same output) form one group, printed once under their names, so 200
//! identical answers are one block and the odd host out stands out.

use std::collections::HashMap;

use crate::core::engine::Answer;

/// Hosts that answered alike, and that answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// In the order they were given.
    pub hosts: Vec<String>,
    pub answer: Answer,
}

impl Group {
    /// `web-[01-03],db-1 (4)`.
    pub fn title(&self) -> String {
        format!("{} ({})", fold_names(&self.hosts), self.hosts.len())
    }

    /// `exit 0`, `exit 2`, or why there is no exit status.
    pub fn ending(&self) -> String {
        match (&self.answer.exit_status, &self.answer.output.no_exit) {
            (Some(code), _) => format!("exit {code}"),
            (None, Some(why)) => format!("no exit status: {why}"),
            (None, None) => "no exit status".into(),
        }
    }
}

/// Groups `answers` by identical answer: the largest group first, ties in the order their
/// first host came.
pub fn gather<'a>(answers: impl IntoIterator<Item = (&'a str, &'a Answer)>) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<&Answer, usize> = HashMap::new();
    for (host, answer) in answers {
        match index.get(answer) {
            Some(&at) => groups[at].hosts.push(host.to_string()),
            None => {
                index.insert(answer, groups.len());
                groups.push(Group {
                    hosts: vec![host.to_string()],
                    answer: answer.clone(),
                });
            }
        }
    }
    // Stable: equal sizes keep their first-seen order.
    groups.sort_by_key(|g| std::cmp::Reverse(g.hosts.len()));
    groups
}

/// Host names folded like a node set: `web-01,web-02,web-03,web-07,db` → `web-[01-03,07],db`.
/// Names that differ only in their last number (same width, same text around it) are folded;
/// everything else is listed as it is, in first-seen order.
pub fn fold_names(names: &[String]) -> String {
    // Each pattern's numbers, in first-seen order of the pattern.
    let mut patterns: Vec<(Pattern<'_>, Vec<u64>)> = Vec::new();
    let mut out: Vec<Option<String>> = Vec::new();
    let mut slot: HashMap<Pattern<'_>, usize> = HashMap::new();
    for name in names {
        match split_number(name) {
            Some((prefix, digits, suffix)) => {
                let Ok(n) = digits.parse::<u64>() else {
                    out.push(Some(name.clone()));
                    continue;
                };
                let key = (prefix, digits.len(), suffix);
                match slot.get(&key) {
                    Some(&at) => patterns[at].1.push(n),
                    None => {
                        slot.insert(key, patterns.len());
                        patterns.push((key, vec![n]));
                        out.push(None);
                    }
                }
            }
            None => out.push(Some(name.clone())),
        }
    }
    let mut folded = patterns
        .into_iter()
        .map(|((prefix, width, suffix), mut ns)| {
            ns.sort_unstable();
            ns.dedup();
            if ns.len() == 1 {
                return format!("{prefix}{:0width$}{suffix}", ns[0]);
            }
            format!("{prefix}[{}]{suffix}", ranges(&ns, width))
        });
    out.into_iter()
        .map(|name| name.unwrap_or_else(|| folded.next().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(",")
}

/// A name's text before its last number, the number's width, and the text after it.
type Pattern<'a> = (&'a str, usize, &'a str);

/// The last run of ASCII digits in `name`, with the text before and after it.
fn split_number(name: &str) -> Option<(&str, &str, &str)> {
    let bytes = name.as_bytes();
    let end = bytes.iter().rposition(u8::is_ascii_digit)? + 1;
    let start = bytes[..end]
        .iter()
        .rposition(|b| !b.is_ascii_digit())
        .map_or(0, |i| i + 1);
    // Eighteen digits always fit a u64; longer runs are not folded.
    (end - start <= 18).then(|| (&name[..start], &name[start..end], &name[end..]))
}

/// `1,2,3,7` at width 2 → `01-03,07`.
fn ranges(sorted: &[u64], width: usize) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1] == sorted[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            format!("{:0width$}", sorted[i])
        } else {
            format!("{:0width$}-{:0width$}", sorted[i], sorted[j])
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
#[path = "gather_tests.rs"]
mod tests;
