//! Reading a host's audit log on its own (a push's or rollback's pre-flight judges it before
//! anything changes): the same read as the probe's, framed by its byte count so no byte of a
//! tampered log can pass for a key, and capped at the probe's [`AUDIT_FETCH_CAP`].

use crate::core::remote::probe::{AuditLogRead, AUDIT_FETCH_CAP};
use crate::core::remote::quote::sh_quote;

/// The script that prints the log at `path`: `audit=missing`, `audit=unreadable`, or
/// `audit_lines=N`, `audit_size=S` (and `audit_truncated=1`), `audit_begin`, S bytes, a newline,
/// `audit_end`.
pub fn fetch_script(path: &str) -> String {
    format!(
        r#"LC_ALL=C; export LC_ALL
f={path}; cap={AUDIT_FETCH_CAP}
if [ -e "$f" ] || [ -L "$f" ]; then
  if [ -f "$f" ] && [ -r "$f" ]; then
    set -- $(wc -lc < "$f")
    echo "audit_lines=$1"
    if [ "$2" -gt "$cap" ]; then
      echo "audit_truncated=1"; echo "audit_size=$cap"; echo "audit_begin"; tail -c "$cap" "$f"
    else
      echo "audit_size=$2"; echo "audit_begin"; head -c "$2" "$f"
    fi
    echo; echo "audit_end"
  else
    echo "audit=unreadable"
  fi
else
  echo "audit=missing"
fi
"#,
        path = sh_quote(path)
    )
}

/// Parses [`fetch_script`]'s output.
pub fn parse_fetch(out: &[u8]) -> Result<AuditLogRead, String> {
    let mut rest = out;
    let (mut lines, mut size, mut truncated) = (None, None, false);
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let line = String::from_utf8_lossy(&rest[..end]).into_owned();
        rest = rest.get(end + 1..).unwrap_or_default();
        match line.split_once('=') {
            Some(("audit", "missing")) => return Ok(AuditLogRead::Missing),
            Some(("audit", _)) => return Ok(AuditLogRead::Unreadable),
            Some(("audit_lines", n)) => lines = n.trim().parse::<usize>().ok(),
            Some(("audit_size", n)) => size = n.trim().parse::<usize>().ok(),
            Some(("audit_truncated", v)) => truncated = v == "1",
            _ if line == "audit_begin" => {
                let size = size.ok_or("audit_begin without audit_size")?;
                if rest.len() < size {
                    return Err(format!(
                        "audit log cut short: {} of {size} bytes",
                        rest.len()
                    ));
                }
                let (bytes, after) = rest.split_at(size);
                if !after.starts_with(b"\naudit_end") {
                    return Err("audit log not followed by audit_end".into());
                }
                return Ok(AuditLogRead::Present {
                    bytes: bytes.to_vec(),
                    lines: lines.unwrap_or_else(|| bytes.iter().filter(|&&b| b == b'\n').count()),
                    truncated,
                });
            }
            _ => {}
        }
    }
    Err("no audit log in the output".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_answer_and_keeps_log_bytes_apart() {
        assert_eq!(parse_fetch(b"audit=missing\n"), Ok(AuditLogRead::Missing));
        assert_eq!(
            parse_fetch(b"audit=unreadable\n"),
            Ok(AuditLogRead::Unreadable)
        );
        let evil = b"audit=missing\n";
        let mut out =
            format!("audit_lines=1\naudit_size={}\naudit_begin\n", evil.len()).into_bytes();
        out.extend_from_slice(evil);
        out.extend_from_slice(b"\naudit_end\n");
        assert_eq!(
            parse_fetch(&out),
            Ok(AuditLogRead::Present {
                bytes: evil.to_vec(),
                lines: 1,
                truncated: false
            })
        );
        assert!(parse_fetch(b"audit_lines=1\naudit_size=99\naudit_begin\nabc").is_err());
        assert!(parse_fetch(b"").is_err());
        assert!(fetch_script("/var/log/it's.log").contains(r"f='/var/log/it'\''s.log'"));
    }
}
