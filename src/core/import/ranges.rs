//! Ansible host ranges: `web[01:20]`, `db-[a:c]`, `node[0:10:5]`, several in one name.

/// Most names one pattern may expand to: a typo such as `[1:1000000]` is an error, not a
/// million hosts.
const MAX_NAMES: usize = 100_000;

/// Every name `pattern` stands for, in order. A name without a range is itself. `Err`: why the
/// range cannot be read.
pub fn expand(pattern: &str) -> Result<Vec<String>, String> {
    let Some(open) = pattern.find('[') else {
        return Ok(vec![pattern.to_owned()]);
    };
    let close = pattern[open..]
        .find(']')
        .map(|i| open + i)
        .ok_or_else(|| format!("unclosed range in \"{pattern}\""))?;
    let (head, range, tail) = (
        &pattern[..open],
        &pattern[open + 1..close],
        &pattern[close + 1..],
    );
    let items =
        range_items(range).map_err(|e| format!("bad range [{range}] in \"{pattern}\": {e}"))?;
    let tails = expand(tail)?;
    if items.len().saturating_mul(tails.len()) > MAX_NAMES {
        return Err(format!(
            "\"{pattern}\" stands for more than {MAX_NAMES} hosts"
        ));
    }
    let mut out = Vec::with_capacity(items.len() * tails.len());
    for item in &items {
        for t in &tails {
            out.push(format!("{head}{item}{t}"));
        }
    }
    Ok(out)
}

fn range_items(range: &str) -> Result<Vec<String>, String> {
    let parts: Vec<&str> = range.split(':').collect();
    let (start, end, step) = match parts.as_slice() {
        [s, e] => (*s, *e, 1),
        [s, e, step] => (
            *s,
            *e,
            step.parse::<usize>()
                .ok()
                .filter(|&n| n > 0)
                .ok_or("the step must be a positive number")?,
        ),
        _ => return Err("write [START:END] or [START:END:STEP]".into()),
    };
    if let (Ok(a), Ok(b)) = (start.parse::<u64>(), end.parse::<u64>()) {
        if a > b {
            return Err("the start is after the end".into());
        }
        if (b - a) as usize / step > MAX_NAMES {
            return Err(format!("more than {MAX_NAMES} hosts"));
        }
        // Ansible pads to the start's width when it has leading zeros: [01:20] is 01..20.
        let width = if start.len() > 1 && start.starts_with('0') {
            start.len()
        } else {
            0
        };
        return Ok((a..=b)
            .step_by(step)
            .map(|n| format!("{n:0width$}"))
            .collect());
    }
    let letter = |s: &str| {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => Some(c),
            _ => None,
        }
    };
    match (letter(start), letter(end)) {
        (Some(a), Some(b)) if a <= b => Ok((a..=b).step_by(step).map(String::from).collect()),
        (Some(_), Some(_)) => Err("the start is after the end".into()),
        _ => Err("both ends must be numbers, or both single letters".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn numeric_alphabetic_stepped_and_nested() {
        assert_eq!(expand("web[01:03]").unwrap(), ["web01", "web02", "web03"]);
        assert_eq!(
            expand("web[8:10].x").unwrap(),
            ["web8.x", "web9.x", "web10.x"]
        );
        assert_eq!(expand("db-[a:c]").unwrap(), ["db-a", "db-b", "db-c"]);
        assert_eq!(expand("n[0:10:5]").unwrap(), ["n0", "n5", "n10"]);
        assert_eq!(
            expand("r[1:2]-[a:b]").unwrap(),
            ["r1-a", "r1-b", "r2-a", "r2-b"]
        );
        assert_eq!(expand("plain").unwrap(), ["plain"]);
        assert_eq!(expand("web[01:20]").unwrap().len(), 20);
    }

    #[test]
    fn bad_ranges_say_why() {
        assert!(expand("web[3:1]")
            .unwrap_err()
            .contains("start is after the end"));
        assert!(expand("web[1:").unwrap_err().contains("unclosed"));
        assert!(expand("web[a:3]").unwrap_err().contains("both ends"));
        assert!(expand("web[0:99999999]").unwrap_err().contains("more than"));
    }
}
