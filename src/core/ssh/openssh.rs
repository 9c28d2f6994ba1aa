//! The system OpenSSH client's command line for an interactive shell on a host, with the same
//! settings offgo itself connects with: address, port, user, key, the inventory's known_hosts
//! file and host-key policy. No agent or X11 forwarding, no config file surprises.

use std::ffi::OsString;

use crate::core::inventory::{Host, HostKeyPolicy};

/// `ssh` and its arguments (argv, not a shell line: nothing is quoted or re-parsed).
pub fn shell_command(host: &Host) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec!["ssh".into(), "-p".into(), host.port.to_string().into()];
    if let Some(key) = &host.identity_file {
        args.push("-i".into());
        args.push(key.clone().into_os_string());
        args.push("-o".into());
        args.push("IdentitiesOnly=yes".into());
    }
    let mut known = OsString::from("UserKnownHostsFile=");
    known.push(host.known_hosts.as_os_str());
    let policy = match host.host_key_policy {
        HostKeyPolicy::Strict => "StrictHostKeyChecking=yes",
        HostKeyPolicy::AcceptNew => "StrictHostKeyChecking=accept-new",
    };
    let timeout = format!("ConnectTimeout={}", host.connect_timeout.as_secs().max(1));
    for option in [
        known,
        policy.into(),
        "GlobalKnownHostsFile=/dev/null".into(),
        "ForwardAgent=no".into(),
        "ForwardX11=no".into(),
        timeout.into(),
    ] {
        args.push("-o".into());
        args.push(option);
    }
    if !host.proxy_jump.is_empty() {
        args.push("-J".into());
        args.push(jump_list(host).into());
    }
    args.push("-l".into());
    args.push(host.user.clone().into());
    // `--` ends the options: an address can never be read as one.
    args.push("--".into());
    args.push(host.address.clone().into());
    args
}

/// `-J`'s argument: every hop as `user@address:port` (IPv6 in brackets), first hop first. The
/// inventory checks hop addresses, so none can start with '-' or hold a comma.
fn jump_list(host: &Host) -> String {
    host.proxy_jump
        .iter()
        .map(|hop| {
            let h = &hop.host;
            if h.address.contains(':') {
                format!("{}@[{}]:{}", h.user, h.address, h.port)
            } else {
                format!("{}@{}:{}", h.user, h.address, h.port)
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shell_uses_the_inventory_settings_and_cannot_be_turned_into_options() {
        let text = "[[hosts]]\nname = \"web-01\"\naddress = \"10.0.0.1\"\n";
        let inventory =
            crate::core::inventory::parse(text, std::path::Path::new("/inv/offgo.toml")).unwrap();
        let mut host = inventory.host(0).clone();
        host.address = "-oProxyCommand=touch /tmp/pwned".into();
        host.port = 2222;
        host.user = "deploy".into();
        host.identity_file = Some("/keys/id_ed25519".into());
        host.known_hosts = "/etc/offgo/known_hosts".into();
        let args: Vec<String> = shell_command(&host)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let text = args.join(" ");
        assert!(
            text.starts_with("ssh -p 2222 -i /keys/id_ed25519"),
            "{text}"
        );
        assert!(
            text.contains("-o UserKnownHostsFile=/etc/offgo/known_hosts"),
            "{text}"
        );
        assert!(text.contains("-o StrictHostKeyChecking=yes"), "{text}");
        assert!(text.contains("-l deploy"), "{text}");
        let dashes = args.iter().position(|a| a == "--").unwrap();
        assert_eq!(args[dashes + 1], "-oProxyCommand=touch /tmp/pwned");
        assert_eq!(dashes + 2, args.len());
    }

    #[test]
    fn a_host_behind_jump_hosts_gets_the_chain_as_dash_j() {
        let text = "[[hosts]]\nname = \"bastion\"\naddress = \"10.0.0.1\"\nuser = \"jump\"\n\
                    [[hosts]]\nname = \"web-01\"\naddress = \"10.0.3.11\"\nuser = \"deploy\"\n\
                    proxy_jump = \"bastion,ops@[fe80::1]:2222\"\n";
        let inventory =
            crate::core::inventory::parse(text, std::path::Path::new("/inv/offgo.toml")).unwrap();
        let args: Vec<String> = shell_command(inventory.host(1))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let j = args.iter().position(|a| a == "-J").unwrap();
        assert_eq!(args[j + 1], "jump@10.0.0.1:22,ops@[fe80::1]:2222");
        assert_eq!(args.last().unwrap(), "10.0.3.11");
        let direct: Vec<String> = shell_command(inventory.host(0))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(!direct.contains(&"-J".to_string()), "{direct:?}");
    }
}
