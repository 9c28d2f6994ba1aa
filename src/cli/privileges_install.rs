//! `offgo-tui privileges install --hosts SEL --login USER [--user NAME]`: the bootstrap, one
//! host after another (it runs once per host, by hand).

use crate::cli::args::PrivilegesInstallArgs;
use crate::cli::out::errln;
use crate::cli::{context, print, GlobalArgs, EXIT_HOST_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::audit::AuditTrail;
use crate::core::engine::bootstrap::install_privileges;
use crate::core::inventory::Host;
use crate::core::remote::rule::{Rule, RuleFormat};

pub fn run(global: &GlobalArgs, args: &PrivilegesInstallArgs) -> u8 {
    let (inventory, ids) = match context::load_selected(global, &args.hosts) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let hosts: Vec<&Host> = ids.iter().map(|&id| inventory.host(id)).collect();
    // The same drop-in `offgo-tui privileges --hosts SEL` prints: what the security team read.
    let sudoers = match Rule::for_hosts(&hosts, args.user.as_deref()) {
        Ok(rule) => rule.render(RuleFormat::Sudoers, &inventory.source.display().to_string()),
        Err(e) => {
            errln!("offgo-tui: privileges install: {e}");
            return EXIT_USAGE;
        }
    };
    let trail = AuditTrail::new(crate::core::xdg::local_audit_log(), &inventory.source);
    let actor = crate::core::audit::record::actor();
    let outcomes: Vec<_> = hosts
        .iter()
        .map(|host| install_privileges(host, &args.login, &sudoers, &trail, &actor))
        .collect();
    if args.json {
        print::json(&outcomes);
    } else {
        print::outcome_table(&outcomes);
    }
    if outcomes.iter().all(|o| o.ok) {
        EXIT_OK
    } else {
        EXIT_HOST_FAILED
    }
}
