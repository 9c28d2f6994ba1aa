//! `offgo-tui privileges`: prints the drop-in a security team signs for the inventory's paths;
//! `privileges install` puts it and the helper in place through a one-time admin login.

use crate::cli::args::{PrivilegeFormat, PrivilegesArgs, PrivilegesCommand};
use crate::cli::out::{errln, stdout};
use crate::cli::{context, GlobalArgs, EXIT_OK, EXIT_USAGE};
use crate::core::inventory::Host;
use crate::core::remote::rule::{Rule, RuleFormat};

pub fn run(global: &GlobalArgs, args: PrivilegesArgs) -> u8 {
    if let Some(PrivilegesCommand::Install(install)) = args.command {
        return super::privileges_install::run(global, &install);
    }
    let (inventory, ids) = match context::load_selected(global, &args.hosts) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let hosts: Vec<&Host> = ids.iter().map(|&id| inventory.host(id)).collect();
    let rule = match Rule::for_hosts(&hosts, args.user.as_deref()) {
        Ok(rule) => rule,
        Err(e) => {
            errln!("offgo-tui: privileges: {e}");
            return EXIT_USAGE;
        }
    };
    let format = match args.format {
        PrivilegeFormat::Sudoers => RuleFormat::Sudoers,
        PrivilegeFormat::Doas => RuleFormat::Doas,
    };
    stdout(&rule.render(format, &inventory.source.display().to_string()));
    EXIT_OK
}
