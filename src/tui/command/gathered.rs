//! The last ad-hoc command the console ran: on which hosts, who has answered, and the answers
//! grouped by identical result ([`crate::core::gather`]).

use crate::core::engine::{Answer, HostOutcome};
use crate::core::gather::{gather, Group};
use crate::core::inventory::HostId;
use crate::tui::msg::Stamp;

#[derive(Debug, Clone, PartialEq)]
pub struct AdHocRun {
    pub command: String,
    pub started: Stamp,
    /// The hosts it runs on, in the order the confirm dialog listed them.
    pub hosts: Vec<HostId>,
    pub names: Vec<String>,
    /// Each host's answer, once it came (same order as `hosts`).
    pub answers: Vec<Option<Answer>>,
}

impl AdHocRun {
    pub fn new(command: String, started: Stamp, hosts: Vec<(HostId, String)>) -> Self {
        let answers = vec![None; hosts.len()];
        let (hosts, names) = hosts.into_iter().unzip();
        Self {
            command,
            started,
            hosts,
            names,
            answers,
        }
    }

    /// Takes in a host's outcome; an outcome for a host not in this run is ignored.
    pub fn record(&mut self, host: HostId, outcome: &HostOutcome) {
        let Some(at) = self.hosts.iter().position(|&h| h == host) else {
            return;
        };
        let answer = outcome
            .answer
            .as_deref()
            .cloned()
            .unwrap_or_else(|| Answer {
                exit_status: None,
                output: crate::core::engine::CommandOutput {
                    no_exit: Some(
                        outcome
                            .error
                            .clone()
                            .unwrap_or_else(|| "the command did not run".into()),
                    ),
                    ..Default::default()
                },
            });
        self.answers[at] = Some(answer);
    }

    pub fn answered(&self) -> usize {
        self.answers.iter().filter(|a| a.is_some()).count()
    }

    /// Hosts whose answer was not exit status 0.
    pub fn failed(&self) -> usize {
        self.answers
            .iter()
            .flatten()
            .filter(|a| a.exit_status != Some(0))
            .count()
    }

    pub fn groups(&self) -> Vec<Group> {
        gather(
            self.names
                .iter()
                .zip(&self.answers)
                .filter_map(|(name, answer)| Some((name.as_str(), answer.as_ref()?))),
        )
    }

    /// The hosts still running it.
    pub fn waiting(&self) -> Vec<String> {
        self.names
            .iter()
            .zip(&self.answers)
            .filter(|(_, a)| a.is_none())
            .map(|(n, _)| n.clone())
            .collect()
    }
}
