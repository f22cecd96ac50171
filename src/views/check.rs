//! The `check` gate: the conditions a pipeline can fail on. Each collector's part says which
//! of its findings meet a condition, next to the alert rule that pages for the same thing.

use std::time::Duration;

use super::Report;

/// Conditions the `check` gate can fail on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    Failed,
    Checksum,
    Stuck,
    Pending,
    Blocked,
    LongRunning,
    IndexFailed,
    IndexNotOnline,
    /// An applied migration file's constraint or index missing, not online, or dropped but there.
    Schema,
}

/// What `check` was asked.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    pub conditions: Vec<Condition>,
    /// A migration PENDING or RUNNING longer than this is stuck.
    pub stuck_after: Duration,
    /// `--before`: the pre-migration checklist instead of the conditions.
    pub before: bool,
}

impl Condition {
    pub const DEFAULT: &'static str = "failed,checksum,stuck";

    pub fn parse_list(text: &str) -> Result<Vec<Condition>, String> {
        let mut out = Vec::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            out.push(match word {
                "failed" => Condition::Failed,
                "checksum" => Condition::Checksum,
                "stuck" => Condition::Stuck,
                "pending" => Condition::Pending,
                "blocked" => Condition::Blocked,
                "long-running" => Condition::LongRunning,
                "index-failed" => Condition::IndexFailed,
                "index-not-online" => Condition::IndexNotOnline,
                "schema" => Condition::Schema,
                other => {
                    return Err(format!(
                        "unknown condition '{other}'; choose from failed, checksum, stuck, pending, blocked, long-running, index-failed, index-not-online, schema"
                    ))
                }
            });
        }
        if out.is_empty() {
            return Err("name at least one condition".into());
        }
        Ok(out)
    }
}

/// One line per problem the selected conditions find, condition by condition; empty when healthy.
pub fn problems(report: &Report, options: &CheckOptions) -> Vec<String> {
    options.conditions.iter().flat_map(|condition| report.parts.iter().flat_map(move |part| part.problems(*condition, options))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn condition_lists_parse_and_unknown_words_are_named() {
        assert_eq!(Condition::parse_list(Condition::DEFAULT).unwrap(), [Condition::Failed, Condition::Checksum, Condition::Stuck]);
        assert!(Condition::parse_list("failed,slow").unwrap_err().contains("unknown condition 'slow'"));
    }
}
