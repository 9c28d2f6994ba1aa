use super::*;

/// No character a terminal would act on, whatever the input.
fn assert_inert(shown: &str, keep_newlines: bool) {
    for c in shown.chars() {
        let allowed = c == '\\' || (keep_newlines && c == '\n');
        assert!(allowed || !is_escaped(c), "{c:?} left raw in {shown:?}");
    }
}

/// A small deterministic generator (xorshift): many inputs, the same on every run.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Mostly the characters that matter (controls, bidi, backslash, wide), some of anything.
    fn char(&mut self) -> char {
        const INTERESTING: &[char] = &[
            '\u{1b}',
            '\u{7}',
            '\n',
            '\r',
            '\t',
            '\0',
            '\u{7f}',
            '\u{9b}',
            '\u{85}',
            '\u{202e}',
            '\u{2066}',
            '\u{200b}',
            '\u{feff}',
            '\u{2028}',
            '\u{e0041}',
            '\\',
            'x',
            '[',
            ']',
            ';',
            'é',
            '界',
            '🦀',
            '\u{301}',
        ];
        let r = self.next();
        if r % 3 == 0 {
            char::from_u32((r >> 8) as u32 % 0x11_0000).unwrap_or('?')
        } else {
            INTERESTING[(r >> 8) as usize % INTERESTING.len()]
        }
    }

    fn string(&mut self, max_len: usize) -> String {
        let len = self.next() as usize % (max_len + 1);
        (0..len).map(|_| self.char()).collect()
    }
}

#[test]
fn terminal_controls_are_shown_escaped() {
    assert_eq!(
        safe("go1.22\u{1b}]0;pwn\u{7}\u{1b}[2J"),
        "go1.22\\x1b]0;pwn\\x07\\x1b[2J"
    );
    assert_eq!(safe("a\nb\r\tc\u{7f}"), "a\\nb\\r\\tc\\x7f");
    assert_eq!(safe("\u{9b}31m"), "\\u{9b}31m", "C1 CSI");
    assert_eq!(
        safe("abc\u{202e}gpj.exe"),
        "abc\\u{202e}gpj.exe",
        "bidi override"
    );
    assert_eq!(safe("zero\u{200b}width"), "zero\\u{200b}width");
    assert_eq!(safe("go1.22.10 linux/amd64"), "go1.22.10 linux/amd64");
    assert_eq!(safe("café 界 🦀"), "café 界 🦀", "printable text is kept");
}

#[test]
fn a_backslash_is_escaped_so_no_host_text_looks_like_an_escape() {
    assert_eq!(safe("\\x1b"), "\\\\x1b");
    assert_ne!(safe("\\x1b"), safe("\u{1b}"));
}

#[test]
fn long_text_is_cut_with_its_size_said() {
    let line = format!("go version {}", "x".repeat(1_000_000));
    let shown = safe(&line);
    assert!(shown.chars().count() <= SHOWN_MAX + 32, "{}", shown.len());
    assert!(
        shown.ends_with("… (1000011 bytes)"),
        "{}",
        &shown[shown.len() - 40..]
    );
    assert!(shown.starts_with("go version xxx"));
    // An escape is never split by the cut.
    let escapes = "\u{1b}".repeat(10_000);
    let shown = safe_max(&escapes, 10);
    assert_eq!(shown, "\\x1b\\x1b… (10000 bytes)");
}

#[test]
fn lines_keep_their_breaks_and_nothing_else() {
    assert_eq!(
        safe_lines("tar: x\n\u{1b}[2Jerr\r\n", 100),
        "tar: x\n\\x1b[2Jerr\\r\n"
    );
}

#[test]
fn bytes_that_are_not_utf8_are_shown_as_hex() {
    assert_eq!(safe_bytes(b"go\xff\x1b1"), "go\\xff\\x1b1");
    let big = vec![0xffu8; 100_000];
    let shown = safe_bytes(&big);
    assert!(shown.len() <= SHOWN_MAX + 32);
    assert!(shown.ends_with("… (100000 bytes)"));
}

#[test]
fn any_input_comes_out_inert_and_bounded() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for _ in 0..5_000 {
        let s = g.string(300);
        let max = (g.next() % 200) as usize;
        let one = safe_max(&s, max);
        assert_inert(&one, false);
        assert!(one.chars().count() <= max + 32, "{one:?}");
        if !one.ends_with(" bytes)") {
            // Not cut: nothing is lost, every character is there or escaped.
            let kept: usize = s.chars().filter(|&c| !is_escaped(c)).count();
            assert!(one.chars().count() >= kept);
        }
        let lines = safe_lines(&s, max);
        assert_inert(&lines, true);
        assert!(lines.chars().count() <= max + 32);
        let bytes: Vec<u8> = s.bytes().map(|b| b ^ (g.next() as u8 & 0x81)).collect();
        assert_inert(&safe_bytes(&bytes), false);
    }
}

#[test]
fn json_strings_are_made_safe_and_the_document_stays_valid() {
    let mut v = serde_json::json!({
        "go_version": "go1.22\u{1b}]0;pwn\u{7}",
        "offgo": {"current": "x".repeat(5000), "previous": null},
        "list": ["ok", "\u{202e}"],
        "n": 3,
    });
    safe_json(&mut v);
    let text = serde_json::to_string(&v).unwrap();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back["go_version"], "go1.22\\x1b]0;pwn\\x07");
    assert!(back["offgo"]["current"]
        .as_str()
        .unwrap()
        .ends_with("… (5000 bytes)"));
    assert_eq!(back["list"][1], "\\u{202e}");
    assert_eq!(back["n"], 3);
}

#[test]
fn a_tail_keeps_the_end_of_the_output_escaped_and_bounded() {
    assert_eq!(safe_tail(b"line 1\nline 2\n", 64), "line 1\nline 2\n");
    assert_eq!(safe_tail(b"", 64), "");
    let long: Vec<u8> = (0..10_000u32)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    let tail = safe_tail(&long, 100);
    let (first, rest) = tail.split_once('\n').unwrap();
    assert_eq!(
        first,
        format!("… ({} bytes in all; the last shown)", long.len())
    );
    assert!(rest.ends_with("line 9999\n"), "{rest:?}");
    assert!(rest.chars().count() <= 100);
    // Control characters are shown, not obeyed, and their escapes count against the bound.
    let hostile = b"ok\x1b[2J\x1b]0;owned\x07\r\xff\xfe bye\n".repeat(500);
    let tail = safe_tail(&hostile, 256);
    assert_inert(&tail, true);
    assert!(
        tail.lines()
            .skip(1)
            .map(|l| l.chars().count() + 1)
            .sum::<usize>()
            <= 257
    );
    assert!(tail.ends_with(" bye\n"), "{tail:?}");
    // A multi-byte character cut by the byte bound is dropped, not mangled.
    let euro = "€".repeat(100);
    let tail = safe_tail(euro.as_bytes(), 10);
    assert!(tail.ends_with("€€€"), "{tail:?}");
    assert!(!tail.contains('\u{fffd}'));
}

#[test]
fn a_tail_of_random_bytes_is_always_inert_and_bounded() {
    let mut g = Gen(0x5eed_7a11);
    for round in 0..200 {
        let len = (g.next() % 2000) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| g.next() as u8).collect();
        let max = 16 + round;
        let tail = safe_tail(&bytes, max);
        assert_inert(&tail, true);
        let shown = match tail.split_once(" bytes in all; the last shown)\n") {
            Some((_, rest)) => rest,
            None => tail.as_str(),
        };
        assert!(shown.chars().count() <= max, "{max}: {shown:?}");
    }
}

/// The plain-ASCII shortcut gives what the character-by-character path gives.
#[test]
fn plain_text_is_shown_as_it_is_and_the_shortcut_keeps_every_rule() {
    assert_eq!(
        safe("go version go1.22.10 linux/amd64"),
        "go version go1.22.10 linux/amd64"
    );
    assert_eq!(safe("a\\b"), "a\\\\b", "a backslash is still doubled");
    assert_eq!(safe("a\nb"), "a\\nb");
    assert_eq!(safe_lines("a\nb", 100), "a\nb");
    assert_eq!(safe_lines("a\rb", 100), "a\\rb");
    assert_eq!(safe("a\x7fb"), "a\\x7fb", "DEL is not printable");
    let exact = "x".repeat(SHOWN_MAX);
    assert_eq!(safe(&exact), exact, "exactly the limit is not cut");
    let over = "x".repeat(SHOWN_MAX + 1);
    assert_eq!(
        safe(&over),
        format!("{}… ({} bytes)", "x".repeat(SHOWN_MAX), SHOWN_MAX + 1)
    );
}
