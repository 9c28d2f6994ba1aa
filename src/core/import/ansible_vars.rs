//! Ansible variables onto offgo's keys: the connection variables map, become maps where offgo
//! has the method, and every other variable is a warning with its line.

use std::path::Path;

use super::ansible::{RawVar, Scalar};
use super::draft::{Draft, Val, Vars};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    Defaults,
    Group,
    Host,
}

/// The offgo settings among `vars` (the last of a repeated variable wins, as in Ansible);
/// everything else is a warning on `draft`.
pub(super) fn map_vars(vars: &[RawVar], scope: Scope, inventory: &Path, draft: &mut Draft) -> Vars {
    let mut out = Vars::default();
    let mut become_flag: Option<(bool, &RawVar)> = None;
    let mut method: Option<&RawVar> = None;
    for var in vars {
        let origin = &var.origin;
        let val = |value, from| Val {
            value,
            origin: origin.clone(),
            from,
        };
        let text = match &var.value {
            Scalar::Str(s) => Some(s.clone()),
            Scalar::Int(n) => Some(n.to_string()),
            Scalar::Bool(b) => Some(b.to_string()),
            Scalar::Other(_) => None,
        };
        let Some(text) = text else {
            if let Scalar::Other(what) = var.value {
                draft.warn(
                    origin,
                    format!("{} is {what}, which offgo cannot use; left out", var.key),
                );
            }
            continue;
        };
        match var.key.as_str() {
            "ansible_host" | "ansible_ssh_host" if scope == Scope::Host => {
                if text.is_empty() || text.chars().any(char::is_whitespace) {
                    draft.warn(origin, format!("{} \"{text}\" is not an address; left out", var.key));
                } else {
                    out.address = Some(val(text, "ansible_host"));
                }
            }
            "ansible_host" | "ansible_ssh_host" => {
                draft.warn(origin, format!("{} on a group: offgo sets addresses per host; left out", var.key));
            }
            "ansible_port" | "ansible_ssh_port" => match text.parse::<u16>() {
                Ok(port) if port > 0 => out.port = Some(Val { value: port, origin: origin.clone(), from: "ansible_port" }),
                _ => draft.warn(origin, format!("{} \"{text}\" is not a port; left out", var.key)),
            },
            "ansible_user" | "ansible_ssh_user" => {
                if text.is_empty() || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    draft.warn(origin, format!("{} \"{text}\" is not a login name; left out", var.key));
                } else {
                    out.user = Some(val(text, "ansible_user"));
                }
            }
            "ansible_ssh_private_key_file" | "ansible_private_key_file" => {
                identity(&text, inventory, var, &mut out, draft);
            }
            "ansible_become" => match truth(&var.value) {
                Some(flag) => become_flag = Some((flag, var)),
                None => draft.warn(origin, format!("ansible_become \"{text}\" is not true or false; left out")),
            },
            "ansible_become_method" if text == "sudo" || text == "doas" => method = Some(var),
            "ansible_become_method" => draft.warn(
                origin,
                format!("ansible_become_method \"{text}\": offgo becomes root with sudo or doas only; left out"),
            ),
            "ansible_become_user" => out.become_user = Some(val(text, "ansible_become_user")),
            "ansible_connection" if text == "ssh" || text == "smart" || text == "paramiko" => {}
            "ansible_connection" => draft.warn(
                origin,
                format!("ansible_connection \"{text}\": offgo connects over SSH only; left out"),
            ),
            key if key.starts_with("ansible_") => {
                draft.warn(origin, format!("{key} has no offgo setting; left out"));
            }
            key => draft.warn(origin, format!("variable {key} is not an offgo setting; left out")),
        }
    }
    out.become_method = become_method(become_flag, method);
    out
}

/// `ansible_become: false` is `none`; `true` is the method given (else sudo, Ansible's default);
/// a method alone is that method.
fn become_method(flag: Option<(bool, &RawVar)>, method: Option<&RawVar>) -> Option<Val<String>> {
    let method_val = |var: &RawVar| match &var.value {
        Scalar::Str(s) => s.clone(),
        _ => "sudo".into(),
    };
    match (flag, method) {
        (Some((false, var)), _) => Some(Val {
            value: "none".into(),
            origin: var.origin.clone(),
            from: "ansible_become",
        }),
        (_, Some(var)) => Some(Val {
            value: method_val(var),
            origin: var.origin.clone(),
            from: "ansible_become_method",
        }),
        (Some((true, var)), None) => Some(Val {
            value: "sudo".into(),
            origin: var.origin.clone(),
            from: "ansible_become",
        }),
        (None, None) => None,
    }
}

/// YAML booleans, and the words Ansible's INI reader takes for them.
fn truth(value: &Scalar) -> Option<bool> {
    match value {
        Scalar::Bool(b) => Some(*b),
        Scalar::Int(n) => Some(*n != 0),
        Scalar::Str(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Some(true),
            "false" | "no" | "off" | "0" => Some(false),
            _ => None,
        },
        Scalar::Other(_) => None,
    }
}

/// A key file is carried only if it can be read here: the inventory loader insists on it.
fn identity(text: &str, inventory: &Path, var: &RawVar, out: &mut Vars, draft: &mut Draft) {
    let path = crate::core::xdg::expand_tilde(text);
    let path = if path.is_relative() {
        inventory.parent().unwrap_or(Path::new(".")).join(path)
    } else {
        path
    };
    let path = std::path::absolute(&path).unwrap_or(path);
    if path.is_file() && std::fs::File::open(&path).is_ok() {
        out.identity_file = Some(Val {
            value: path,
            origin: var.origin.clone(),
            from: var.key_name(),
        });
    } else {
        draft.warn(
            &var.origin,
            format!(
                "{} {} cannot be read here; left out (ssh-agent is tried instead)",
                var.key,
                path.display()
            ),
        );
    }
}

impl RawVar {
    fn key_name(&self) -> &'static str {
        if self.key == "ansible_private_key_file" {
            "ansible_private_key_file"
        } else {
            "ansible_ssh_private_key_file"
        }
    }
}
