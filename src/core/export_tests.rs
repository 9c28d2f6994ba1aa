use super::*;

fn hostile() -> HostLine {
    HostLine {
        name: "web,01".into(),
        address: "10.0.0.1:2222".into(),
        go: Some("go1.22.10 \"quoted\"".into()),
        ldd_gaps: Some(2),
        audit: Some("=HYPERLINK(\"http://x\")".into()),
        state: "command_failed".into(),
        operation: Some("+push ok".into()),
        latency_ms: Some(14),
        error: Some("line one\nline two\r\n\u{1b}[31mred\u{202e} -1 @x \\x1b".into()),
    }
}

fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_quotes_what_it_must_and_reads_back_field_for_field() {
    let bytes = csv(&[hostile(), HostLine::default()], &Field::CONSOLE).unwrap();
    let rows = records(&bytes);
    assert_eq!(
        rows[0],
        [
            "name",
            "address",
            "go",
            "ldd_gaps",
            "audit",
            "state",
            "operation",
            "latency_ms",
            "error"
        ]
    );
    assert_eq!(rows.len(), 3, "header and two lines: {rows:?}");
    let host = &rows[1];
    assert_eq!(host[0], "web,01");
    assert_eq!(host[2], "go1.22.10 \"quoted\"");
    assert_eq!(host[3], "2");
    assert_eq!(host[4], "'=HYPERLINK(\"http://x\")", "a formula is defused");
    assert_eq!(host[6], "'+push ok");
    assert_eq!(host[7], "14");
    // The line breaks and the escape are shown, not kept: one physical line per host.
    assert_eq!(
        host[8],
        "line one\\nline two\\r\\n\\x1b[31mred\\u{202e} -1 @x \\\\x1b"
    );
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert_eq!(
        rows[2],
        ["", "", "", "", "", "", "", "", ""],
        "unknowns are empty"
    );
}

#[test]
fn safe_text_is_not_escaped_twice() {
    let mut line = hostile();
    line.error = Some(safe("bad \u{1b} byte"));
    let rows = records(&csv(&[line], &Field::SCAN).unwrap());
    assert_eq!(rows[1][7], "bad \\x1b byte");
    assert_eq!(rows[0].len(), 8, "the scan has no operation column");
}

#[test]
fn every_formula_lead_is_defused() {
    for lead in ["=", "+", "-", "@"] {
        let line = HostLine {
            name: format!("{lead}cmd|' /C calc'!A0"),
            ..HostLine::default()
        };
        let rows = records(&csv(&[line], &Field::CONSOLE).unwrap());
        assert_eq!(rows[1][0], format!("'{lead}cmd|' /C calc'!A0"));
    }
    // A tab or carriage return never leads: it is shown escaped, which starts with `\`.
    for lead in ["\t", "\r"] {
        let line = HostLine {
            error: Some(format!("{lead}=1+1")),
            ..HostLine::default()
        };
        let rows = records(&csv(&[line], &Field::CONSOLE).unwrap());
        assert!(rows[1][8].starts_with('\\'), "{lead:?}: {:?}", rows[1][8]);
    }
    let plain = HostLine {
        name: "web-01".into(),
        ..HostLine::default()
    };
    assert_eq!(
        records(&csv(&[plain], &Field::SCAN).unwrap())[1][0],
        "web-01"
    );
}

#[test]
fn json_is_an_array_of_the_lines_made_safe() {
    let bytes = json(&[hostile()]).unwrap();
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let host = &value[0];
    assert_eq!(host["name"], "web,01");
    assert_eq!(host["ldd_gaps"], 2);
    assert_eq!(host["latency_ms"], 14);
    assert_eq!(
        host["audit"], "=HYPERLINK(\"http://x\")",
        "JSON is not a spreadsheet"
    );
    let error = host["error"].as_str().unwrap();
    assert!(!error.chars().any(char::is_control), "{error:?}");
    assert!(bytes.ends_with(b"]\n"));
}

#[test]
fn the_name_picks_the_format() {
    assert_eq!(Format::for_path(Path::new("x.json")), Format::Json);
    assert_eq!(Format::for_path(Path::new("x.JSON")), Format::Json);
    assert_eq!(Format::for_path(Path::new("x.csv")), Format::Csv);
    assert_eq!(Format::for_path(Path::new("x")), Format::Csv);
}

#[test]
fn write_new_never_overwrites_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hosts.csv");
    write_new(&path, b"first\n").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"first\n");
    let err = write_new(&path, b"second\n").unwrap_err();
    assert_eq!(err, WriteError::Exists(path.clone()));
    assert!(
        err.to_string().contains("hosts.csv: already exists"),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), b"first\n");
    let missing = dir.path().join("no/such/dir/hosts.csv");
    let err = write_new(&missing, b"x").unwrap_err();
    assert!(
        err.to_string().starts_with(&missing.display().to_string()),
        "{err}"
    );
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "only the file written: {names:?}");
}
