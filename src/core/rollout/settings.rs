//! Rollout settings: `[rollout]` in the inventory, overridden by command-line flags.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The size of one batch (Ansible `serial` semantics: each entry sizes the next batch; the
/// last one repeats until every host has had its turn).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum BatchSize {
    Count(usize),
    /// Of the hosts in the rollout after the canary.
    Percent(f64),
}

/// When the rollout halts. A count is of failures in the whole rollout so far; a percentage is
/// of the current batch (failed hosts ÷ batch size).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Limit {
    Count(usize),
    Percent(f64),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Canary {
    /// The first N hosts.
    Count(usize),
    /// A host selector (`web-01`, `web-*`, `group:canary`, `group:web&!web-03`).
    Hosts(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Pause {
    None,
    Timed(Duration),
    /// Until the operator continues.
    Manual,
}

/// What happens to hosts already changed when the rollout halts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OnHalt {
    /// Leave them on the new release; hosts not yet reached stay untouched.
    Leave,
    /// Roll back the hosts of the batch that failed.
    RollbackBatch,
    /// Roll back every host the rollout changed.
    RollbackAll,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutSettings {
    pub canary: Option<Canary>,
    pub batches: Vec<BatchSize>,
    pub parallel: usize,
    pub max_failures: Limit,
    pub pause: Pause,
    /// Verify each host after its push and roll it back if verification fails.
    pub auto_rollback: bool,
    pub on_halt: OnHalt,
}

impl Default for RolloutSettings {
    fn default() -> Self {
        Self {
            canary: None,
            batches: vec![
                BatchSize::Count(1),
                BatchSize::Percent(10.0),
                BatchSize::Percent(50.0),
                BatchSize::Percent(100.0),
            ],
            parallel: 10,
            max_failures: Limit::Count(0),
            pause: Pause::None,
            auto_rollback: true,
            on_halt: OnHalt::Leave,
        }
    }
}

/// Parses `5` or `"10%"`.
fn count_or_percent(text: &str) -> Result<(Option<usize>, Option<f64>), String> {
    let text = text.trim();
    if let Some(p) = text.strip_suffix('%') {
        let p: f64 = p
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not a percentage"))?;
        if !(p > 0.0 && p <= 100.0) {
            return Err(format!(
                "{text:?}: a percentage must be above 0 and at most 100"
            ));
        }
        return Ok((None, Some(p)));
    }
    text.parse::<usize>()
        .map(|n| (Some(n), None))
        .map_err(|_| format!("{text:?} is neither a count nor a percentage like 10%"))
}

pub fn parse_batch(text: &str) -> Result<BatchSize, String> {
    match count_or_percent(text)? {
        (Some(0), _) => Err("a batch of 0 hosts never finishes".into()),
        (Some(n), _) => Ok(BatchSize::Count(n)),
        (_, Some(p)) => Ok(BatchSize::Percent(p)),
        _ => Err(format!("{text:?} is not a batch size")),
    }
}

pub fn parse_batches(text: &str) -> Result<Vec<BatchSize>, String> {
    let sizes: Result<Vec<_>, _> = text.split(',').map(parse_batch).collect();
    let sizes = sizes?;
    if sizes.is_empty() {
        return Err("no batch sizes".into());
    }
    Ok(sizes)
}

pub fn parse_limit(text: &str) -> Result<Limit, String> {
    let text = text.trim();
    if text == "0%" {
        return Ok(Limit::Percent(0.0));
    }
    match count_or_percent(text)? {
        (Some(n), _) => Ok(Limit::Count(n)),
        (_, Some(p)) => Ok(Limit::Percent(p)),
        _ => Err(format!("{text:?} is not a failure limit")),
    }
}

pub fn parse_pause(text: &str) -> Result<Pause, String> {
    match text.trim() {
        "none" | "0" | "0s" => Ok(Pause::None),
        "manual" => Ok(Pause::Manual),
        other => humantime::parse_duration(other)
            .map(Pause::Timed)
            .map_err(|e| format!("{other:?}: expected none, manual or a duration like 30s ({e})")),
    }
}

pub fn parse_on_halt(text: &str) -> Result<OnHalt, String> {
    match text.trim() {
        "leave" => Ok(OnHalt::Leave),
        "rollback-batch" => Ok(OnHalt::RollbackBatch),
        "rollback-all" => Ok(OnHalt::RollbackAll),
        other => Err(format!(
            "{other:?}: expected leave, rollback-batch or rollback-all"
        )),
    }
}

pub fn parse_canary(text: &str) -> Result<Canary, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("an empty canary".into());
    }
    Ok(match text.parse::<usize>() {
        Ok(n) => Canary::Count(n),
        Err(_) => Canary::Hosts(text.to_string()),
    })
}

impl RolloutSettings {
    /// The defaults under the inventory's `[rollout]` table; the error names the file and key.
    /// Both faces start from this; the headless command's flags then win.
    pub fn for_inventory(inventory: &crate::core::inventory::Inventory) -> Result<Self, String> {
        let mut settings = Self::default();
        if let Some(table) = &inventory.rollout {
            settings
                .apply_table(table)
                .map_err(|e| format!("{}: {e}", inventory.source.display()))?;
        }
        Ok(settings)
    }

    /// Applies the inventory's `[rollout]` table; errors name the key.
    pub fn apply_table(&mut self, table: &toml::Table) -> Result<(), String> {
        for (key, value) in table {
            let text = match value {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|v| match v {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(","),
                other => other.to_string(),
            };
            let fail = |e: String| format!("[rollout] {key}: {e}");
            match key.as_str() {
                "canary" => self.canary = Some(parse_canary(&text).map_err(fail)?),
                "batches" => self.batches = parse_batches(&text).map_err(fail)?,
                "parallel" => {
                    self.parallel = text
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| fail("expected a count of at least 1".into()))?
                }
                "max_failures" => self.max_failures = parse_limit(&text).map_err(fail)?,
                "pause" => self.pause = parse_pause(&text).map_err(fail)?,
                "auto_rollback" => {
                    self.auto_rollback = text
                        .parse::<bool>()
                        .map_err(|_| fail("expected true or false".into()))?
                }
                "on_halt" => self.on_halt = parse_on_halt(&text).map_err(fail)?,
                other => return Err(format!("[rollout] {other}: unknown key")),
            }
        }
        Ok(())
    }

    /// "halt when more than 2 hosts fail in the rollout" / "… more than 10% of a batch".
    pub fn limit_text(&self) -> String {
        match self.max_failures {
            Limit::Count(n) => format!("halt when more than {n} host(s) fail in the whole rollout"),
            Limit::Percent(p) => format!("halt when more than {p}% of a batch fails"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags() {
        assert_eq!(
            parse_batches("1, 10%,100%").unwrap(),
            vec![
                BatchSize::Count(1),
                BatchSize::Percent(10.0),
                BatchSize::Percent(100.0)
            ]
        );
        assert!(parse_batches("0").is_err());
        assert!(parse_batches("150%").is_err());
        assert_eq!(parse_limit("0").unwrap(), Limit::Count(0));
        assert_eq!(parse_limit("25%").unwrap(), Limit::Percent(25.0));
        assert_eq!(parse_pause("manual").unwrap(), Pause::Manual);
        assert_eq!(
            parse_pause("30s").unwrap(),
            Pause::Timed(Duration::from_secs(30))
        );
        assert!(parse_pause("soon").is_err());
        assert_eq!(parse_on_halt("rollback-all").unwrap(), OnHalt::RollbackAll);
        assert_eq!(parse_canary("2").unwrap(), Canary::Count(2));
        assert_eq!(
            parse_canary("web-01").unwrap(),
            Canary::Hosts("web-01".into())
        );
    }

    #[test]
    fn applies_the_inventory_table() {
        let table: toml::Table = toml::from_str(
            "canary = 1\nbatches = [1, \"20%\", \"100%\"]\nparallel = 5\nmax_failures = \"10%\"\npause = \"manual\"\n\
             auto_rollback = false\non_halt = \"rollback-batch\"\n",
        )
        .unwrap();
        let mut s = RolloutSettings::default();
        s.apply_table(&table).unwrap();
        assert_eq!(s.canary, Some(Canary::Count(1)));
        assert_eq!(s.batches.len(), 3);
        assert_eq!(
            (s.parallel, s.max_failures, s.pause),
            (5, Limit::Percent(10.0), Pause::Manual)
        );
        assert!(!s.auto_rollback);
        assert_eq!(s.on_halt, OnHalt::RollbackBatch);
        let bad: toml::Table = toml::from_str("max_failures = \"lots\"").unwrap();
        assert!(RolloutSettings::default()
            .apply_table(&bad)
            .unwrap_err()
            .starts_with("[rollout] max_failures:"));
    }
}
