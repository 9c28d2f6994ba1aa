//! The part of VHS's tape language (https://github.com/charmbracelet/vhs) that `demo.tape`
//! uses, parsed the way VHS lexes it, so the tape can be replayed in tests. Anything else is an
//! error: a tape that grows a command the replay does not know fails the test instead of being
//! skipped.
//!
//! Lexing follows VHS: strings in `"…"`, `'…'` or `` `…` `` (no escapes), a regex runs from
//! `/` to the next `/` (no escapes either), `@` and `+` stand alone, identifiers may hold
//! letters, digits, `.`, `-`, `_`, `/` and `%`, `#` starts a comment.

use std::collections::BTreeMap;
use std::time::Duration;

use regex::Regex;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Str(String),
    Regex(String),
    Number(String),
    Ident(String),
    At,
    Plus,
}

/// Where a `Wait` looks: the cursor's line (VHS's default) or the whole screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitScope {
    Line,
    Screen,
}

#[derive(Debug, Clone)]
pub enum Step {
    /// `Type "text"`.
    Type(String),
    /// A key command (`Enter`, `Escape`, `Down 3`, …) as tmux key names, repeats spelled out.
    Keys(Vec<&'static str>),
    Sleep(Duration),
    Wait {
        scope: WaitScope,
        regex: Regex,
        timeout: Option<Duration>,
    },
}

/// One step and the tape line it came from.
#[derive(Debug, Clone)]
pub struct Line {
    pub number: usize,
    pub step: Step,
}

#[derive(Debug, Clone, Default)]
pub struct Tape {
    pub outputs: Vec<String>,
    pub requires: Vec<String>,
    pub settings: BTreeMap<String, String>,
    pub steps: Vec<Line>,
}

/// VHS key commands and the tmux key each one sends.
const KEYS: &[(&str, &str)] = &[
    ("Enter", "Enter"),
    ("Escape", "Escape"),
    ("Up", "Up"),
    ("Down", "Down"),
    ("Left", "Left"),
    ("Right", "Right"),
    ("Tab", "Tab"),
    ("Space", "Space"),
    ("Backspace", "BSpace"),
    ("PageUp", "PPage"),
    ("PageDown", "NPage"),
];

/// The `Set` names this replay understands; their values only matter to VHS's rendering.
const SETTINGS: &[&str] = &[
    "Shell",
    "FontSize",
    "Width",
    "Height",
    "Padding",
    "TypingSpeed",
    "WaitTimeout",
];

/// Parses `text`; errors are `LINE: message`, one per bad line.
pub fn parse(text: &str) -> Result<Tape, Vec<String>> {
    let mut tape = Tape::default();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        let parsed = lex(line).and_then(|tokens| command(&mut tape, number, &tokens));
        if let Err(e) = parsed {
            errors.push(format!("{number}: {e}: {}", line.trim()));
        }
    }
    if let Err(e) = check_escapes(&tape) {
        errors.push(e);
    }
    if errors.is_empty() {
        Ok(tape)
    } else {
        Err(errors)
    }
}

/// A key right after Escape reaches the console in the same read and means Alt+key, so every
/// Escape must be followed by a Wait (Sleeps in between do not count: the replay skips them).
fn check_escapes(tape: &Tape) -> Result<(), String> {
    let mut pending_escape: Option<usize> = None;
    for line in &tape.steps {
        match &line.step {
            Step::Sleep(_) => {}
            Step::Wait { .. } => pending_escape = None,
            step => {
                if let Some(escape) = pending_escape {
                    return Err(format!(
                        "{escape}: Escape is followed by a key (line {}) without a Wait in between",
                        line.number
                    ));
                }
                if let Step::Keys(keys) = step {
                    if keys.last() == Some(&"Escape") {
                        pending_escape = Some(line.number);
                    }
                }
            }
        }
    }
    Ok(())
}

fn command(tape: &mut Tape, number: usize, tokens: &[Token]) -> Result<(), String> {
    let Some((first, rest)) = tokens.split_first() else {
        return Ok(()); // blank or comment
    };
    let Token::Ident(name) = first else {
        return Err(format!("a command must start with a name, not {first:?}"));
    };
    let step = match name.as_str() {
        "Output" => {
            tape.outputs.push(single_word(rest)?);
            return Ok(());
        }
        "Require" => {
            tape.requires.push(single_word(rest)?);
            return Ok(());
        }
        "Set" => return set(tape, rest),
        "Hide" | "Show" if rest.is_empty() => return Ok(()),
        "Type" => typed(rest)?,
        "Sleep" => Step::Sleep(duration(rest)?),
        "Wait" => wait(rest)?,
        key => match KEYS.iter().find(|(vhs, _)| *vhs == key) {
            Some((_, tmux)) => Step::Keys(vec![*tmux; repeat(rest)?]),
            None => return Err(format!("`{key}` is not a command this replay knows")),
        },
    };
    tape.steps.push(Line { number, step });
    Ok(())
}

fn single_word(rest: &[Token]) -> Result<String, String> {
    match rest {
        [Token::Str(s) | Token::Ident(s)] => Ok(s.clone()),
        _ => Err("expects one word or string".into()),
    }
}

fn set(tape: &mut Tape, rest: &[Token]) -> Result<(), String> {
    let [Token::Ident(name), value @ ..] = rest else {
        return Err("Set expects a setting name".into());
    };
    if !SETTINGS.contains(&name.as_str()) {
        return Err(format!("setting `{name}` is not one this replay knows"));
    }
    let value = match value {
        [Token::Str(s)] => s.clone(),
        [Token::Number(n)] => n.clone(),
        [Token::Number(n), Token::Ident(unit)] if is_unit(unit) => format!("{n}{unit}"),
        _ => return Err(format!("Set {name} expects one value")),
    };
    tape.settings.insert(name.clone(), value);
    Ok(())
}

fn typed(rest: &[Token]) -> Result<Step, String> {
    let rest = skip_speed(rest)?;
    let words: Vec<&str> = rest
        .iter()
        .map(|t| match t {
            Token::Str(s) => Ok(s.as_str()),
            other => Err(format!("Type expects strings, not {other:?}")),
        })
        .collect::<Result<_, _>>()?;
    if words.is_empty() {
        return Err("Type expects a string".into());
    }
    // VHS joins several strings with a space.
    Ok(Step::Type(words.join(" ")))
}

fn wait(rest: &[Token]) -> Result<Step, String> {
    let (scope, rest) = match rest {
        [Token::Plus, Token::Ident(s), rest @ ..] if s == "Screen" => (WaitScope::Screen, rest),
        [Token::Plus, Token::Ident(s), rest @ ..] if s == "Line" => (WaitScope::Line, rest),
        [Token::Plus, ..] => return Err("Wait+ expects Line or Screen".into()),
        rest => (WaitScope::Line, rest),
    };
    let (timeout, rest) = match rest {
        [Token::At, rest @ ..] => {
            let (time, rest) = time_prefix(rest)?;
            (Some(time), rest)
        }
        rest => (None, rest),
    };
    match rest {
        [Token::Regex(pattern)] => Ok(Step::Wait {
            scope,
            regex: Regex::new(pattern).map_err(|e| format!("bad regex /{pattern}/: {e}"))?,
            timeout,
        }),
        _ => Err("Wait expects /regex/ (this replay has no default pattern)".into()),
    }
}

/// `Key[@time] [count]`.
fn repeat(rest: &[Token]) -> Result<usize, String> {
    match skip_speed(rest)? {
        [] => Ok(1),
        [Token::Number(n)] => n.parse().map_err(|_| format!("bad repeat count {n}")),
        _ => Err("a key takes an optional @speed and repeat count only".into()),
    }
}

fn skip_speed(rest: &[Token]) -> Result<&[Token], String> {
    match rest {
        [Token::At, rest @ ..] => Ok(time_prefix(rest)?.1),
        rest => Ok(rest),
    }
}

fn duration(rest: &[Token]) -> Result<Duration, String> {
    match time_prefix(rest)? {
        (time, []) => Ok(time),
        _ => Err("expects a time only".into()),
    }
}

/// `<number>[ms|s|m]`; a bare number is seconds, as in VHS.
fn time_prefix(rest: &[Token]) -> Result<(Duration, &[Token]), String> {
    let (number, unit, rest) = match rest {
        [Token::Number(n), Token::Ident(unit), rest @ ..] if is_unit(unit) => {
            (n, unit.as_str(), rest)
        }
        [Token::Number(n), rest @ ..] => (n, "s", rest),
        _ => return Err("expects a time such as 500ms or 2s".into()),
    };
    let value: f64 = number.parse().map_err(|_| format!("bad number {number}"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        _ => value * 60.0,
    };
    Ok((Duration::from_secs_f64(seconds), rest))
}

fn is_unit(word: &str) -> bool {
    matches!(word, "ms" | "s" | "m")
}

fn lex(line: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = line.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\r' => i += 1,
            '#' => break,
            '@' => {
                tokens.push(Token::At);
                i += 1;
            }
            '+' => {
                tokens.push(Token::Plus);
                i += 1;
            }
            '"' | '\'' | '`' | '/' => {
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == c)
                    .ok_or_else(|| format!("`{c}` at column {} is never closed", i + 1))?;
                let text: String = chars[i + 1..i + 1 + end].iter().collect();
                tokens.push(if c == '/' {
                    Token::Regex(text)
                } else {
                    Token::Str(text)
                });
                i += end + 2;
            }
            c if c.is_ascii_digit() => {
                let len = chars[i..]
                    .iter()
                    .take_while(|d| d.is_ascii_digit() || **d == '.')
                    .count();
                tokens.push(Token::Number(chars[i..i + len].iter().collect()));
                i += len;
            }
            c if c.is_ascii_alphabetic() || c == '.' => {
                let len = chars[i..]
                    .iter()
                    .take_while(|d| d.is_ascii_alphanumeric() || "._-/%".contains(**d))
                    .count();
                tokens.push(Token::Ident(chars[i..i + len].iter().collect()));
                i += len;
            }
            other => return Err(format!("unexpected `{other}` at column {}", i + 1)),
        }
    }
    Ok(tokens)
}
