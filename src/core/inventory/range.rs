//! Host ranges: one `[[hosts]]` entry written as `name = "web-[01-40]"` stands for forty hosts.
//!
//! A range is `[FIRST-LAST]` with decimal numbers, inclusive; every value is written as wide as
//! FIRST is, so `[01-40]` gives `01` … `40` and `[1-40]` gives `1` … `40`. Several ranges in one
//! value multiply out, the last one counting fastest (`r[1-2]n[1-2]` is r1n1, r1n2, r2n1, r2n2).
//! In names and addresses `[` always opens a range: a bracket that is not one is an error, never
//! a literal character, so a typo cannot quietly become a host named `web-[01-4O]`.

use std::fmt;

/// More hosts than one entry may stand for: a typo such as `[1-100000000]` must not fill memory.
pub const MAX_HOSTS_PER_ENTRY: u64 = 100_000;

/// Why a value is not a valid range pattern; `hint` says how to write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RangeError {
    pub message: String,
    pub hint: &'static str,
}

impl fmt::Display for RangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n  hint: {}", self.message, self.hint)
    }
}

impl std::error::Error for RangeError {}

const HOW: &str = "a range is [FIRST-LAST] with decimal numbers, e.g. \"web-[01-40]\"; \
                   names and addresses may not hold other brackets";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Range { first: u64, last: u64, width: usize },
}

/// Every value `pattern` stands for, in order; a pattern without brackets stands for itself.
pub fn expand(pattern: &str) -> Result<Vec<String>, RangeError> {
    let pieces = pieces(pattern)?;
    count(pattern, &pieces)?;
    let mut out = vec![String::new()];
    for piece in &pieces {
        out = match piece {
            Piece::Text(text) => out.into_iter().map(|s| s + text).collect(),
            Piece::Range { first, last, width } => out
                .iter()
                .flat_map(|s| (*first..=*last).map(move |n| format!("{s}{n:0width$}")))
                .collect(),
        };
    }
    Ok(out)
}

/// How many values `pattern` stands for, without writing them out.
pub fn count_values(pattern: &str) -> Result<u64, RangeError> {
    count(pattern, &pieces(pattern)?)
}

fn count(pattern: &str, pieces: &[Piece]) -> Result<u64, RangeError> {
    let mut total: u64 = 1;
    for piece in pieces {
        if let Piece::Range { first, last, .. } = piece {
            total = total.saturating_mul((last - first).saturating_add(1));
        }
    }
    if total > MAX_HOSTS_PER_ENTRY {
        return Err(RangeError {
            message: format!(
                "\"{pattern}\" stands for more than {MAX_HOSTS_PER_ENTRY} hosts ({})",
                if total == u64::MAX {
                    "too many to count".to_owned()
                } else {
                    total.to_string()
                }
            ),
            hint: "split the range over several [[hosts]] entries, or check it for a typo",
        });
    }
    Ok(total)
}

fn pieces(pattern: &str) -> Result<Vec<Piece>, RangeError> {
    let mut pieces = Vec::new();
    let mut rest = pattern;
    while let Some(open) = rest.find(['[', ']']) {
        if rest[open..].starts_with(']') {
            return Err(bad(format!(
                "\"{pattern}\" has a `]` with no `[` before it"
            )));
        }
        let inner_start = open + 1;
        let close = rest[inner_start..]
            .find(['[', ']'])
            .map(|i| inner_start + i)
            .filter(|&i| rest[i..].starts_with(']'))
            .ok_or_else(|| bad(format!("\"{pattern}\" has a `[` that is not closed")))?;
        if open > 0 {
            pieces.push(Piece::Text(rest[..open].to_owned()));
        }
        pieces.push(range(pattern, &rest[inner_start..close])?);
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest.to_owned()));
    }
    Ok(pieces)
}

/// The inside of one `[…]`.
fn range(pattern: &str, inner: &str) -> Result<Piece, RangeError> {
    let Some((first, last)) = inner.split_once('-') else {
        let what = if inner.is_empty() {
            "an empty range `[]`".to_owned()
        } else {
            format!("`[{inner}]`, which is not a range")
        };
        return Err(bad(format!("\"{pattern}\" has {what}")));
    };
    if first.is_empty() || last.is_empty() {
        return Err(bad(format!(
            "\"{pattern}\" has an empty range `[{inner}]`: it needs a first and a last number"
        )));
    }
    let number = |s: &str| -> Result<u64, RangeError> {
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!(
                "\"{pattern}\" has `[{inner}]`: `{s}` is not a decimal number"
            )));
        }
        s.parse()
            .map_err(|_| bad(format!("\"{pattern}\" has `[{inner}]`: `{s}` is too large")))
    };
    let (start, end) = (number(first)?, number(last)?);
    if start > end {
        return Err(RangeError {
            message: format!(
                "\"{pattern}\" has a reversed range `[{inner}]`: {first} comes after {last}"
            ),
            hint: "write the smaller number first, e.g. [01-40]",
        });
    }
    Ok(Piece::Range {
        first: start,
        last: end,
        width: first.len(),
    })
}

fn bad(message: String) -> RangeError {
    RangeError { message, hint: HOW }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(pattern: &str) -> Vec<String> {
        expand(pattern).unwrap_or_else(|e| panic!("{pattern}: {e}"))
    }

    fn message(pattern: &str) -> String {
        expand(pattern).unwrap_err().message
    }

    #[test]
    fn a_value_without_brackets_stands_for_itself() {
        assert_eq!(values("web-01"), ["web-01"]);
        assert_eq!(values("10.0.3.11"), ["10.0.3.11"]);
        assert_eq!(values(""), [""]);
    }

    #[test]
    fn zero_padding_follows_the_first_number() {
        assert_eq!(values("web-[01-03]"), ["web-01", "web-02", "web-03"]);
        assert_eq!(values("web-[8-11]"), ["web-8", "web-9", "web-10", "web-11"]);
        assert_eq!(values("n[098-101]"), ["n098", "n099", "n100", "n101"]);
        assert_eq!(
            values("10.0.3.[11-13]"),
            ["10.0.3.11", "10.0.3.12", "10.0.3.13"]
        );
        assert_eq!(
            values("web-[01-02].example"),
            ["web-01.example", "web-02.example"]
        );
        assert_eq!(values("[7-7]"), ["7"]);
    }

    #[test]
    fn several_ranges_multiply_out_the_last_counting_fastest() {
        assert_eq!(values("r[1-2]n[1-2]"), ["r1n1", "r1n2", "r2n1", "r2n2"]);
        assert_eq!(count_values("r[1-10]n[01-40]"), Ok(400));
    }

    #[test]
    fn empty_reversed_and_malformed_ranges_are_refused() {
        assert_eq!(message("web-[]"), "\"web-[]\" has an empty range `[]`");
        assert_eq!(
            message("web-[5-]"),
            "\"web-[5-]\" has an empty range `[5-]`: it needs a first and a last number"
        );
        assert_eq!(
            message("web-[40-01]"),
            "\"web-[40-01]\" has a reversed range `[40-01]`: 40 comes after 01"
        );
        assert_eq!(
            expand("web-[40-01]").unwrap_err().hint,
            "write the smaller number first, e.g. [01-40]"
        );
        assert_eq!(
            message("web-[01-4O]"),
            "\"web-[01-4O]\" has `[01-4O]`: `4O` is not a decimal number"
        );
        assert_eq!(
            message("web-[1]"),
            "\"web-[1]\" has `[1]`, which is not a range"
        );
        assert_eq!(
            message("web-[1-2"),
            "\"web-[1-2\" has a `[` that is not closed"
        );
        assert_eq!(
            message("web-[1[2-3]]"),
            "\"web-[1[2-3]]\" has a `[` that is not closed"
        );
        assert_eq!(
            message("web-1]"),
            "\"web-1]\" has a `]` with no `[` before it"
        );
        assert_eq!(
            message("[+1-2]"),
            "\"[+1-2]\" has `[+1-2]`: `+1` is not a decimal number"
        );
        assert!(message("[1-99999999999999999999999]").ends_with("is too large"));
    }

    #[test]
    fn a_range_too_big_to_be_a_fleet_is_refused_before_it_is_written_out() {
        assert_eq!(count_values("h[1-100000]"), Ok(100_000));
        assert_eq!(
            message("h[0-100000]"),
            "\"h[0-100000]\" stands for more than 100000 hosts (100001)"
        );
        assert_eq!(
            message("h[0-18446744073709551615][0-18446744073709551615]"),
            "\"h[0-18446744073709551615][0-18446744073709551615]\" stands for more than \
             100000 hosts (too many to count)"
        );
    }
}
