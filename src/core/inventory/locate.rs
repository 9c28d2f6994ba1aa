//! Which inventory file to use (DESIGN.md, "Headless CLI"): `--inventory`, then
//! `$OFFGO_INVENTORY`, then `./offgo.toml`, then `$XDG_CONFIG_HOME/offgo/inventory.toml`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::error::InventoryError;

/// Finds the inventory file to load.
pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, InventoryError> {
    let places = Places {
        env: std::env::var_os("OFFGO_INVENTORY"),
        cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
        config_dir: crate::core::xdg::config_dir(),
    };
    locate_in(explicit, &places)
}

/// The environment the lookup reads, passed in so the order can be tested without touching
/// the process's environment or working directory.
pub(super) struct Places {
    pub env: Option<OsString>,
    pub cwd: PathBuf,
    pub config_dir: PathBuf,
}

pub(super) fn locate_in(
    explicit: Option<&Path>,
    places: &Places,
) -> Result<PathBuf, InventoryError> {
    if let Some(path) = explicit {
        // Named on purpose: a missing file is a mistake, not a reason to look elsewhere.
        return existing(path, "--inventory");
    }
    if let Some(env) = places.env.as_ref().filter(|v| !v.is_empty()) {
        return existing(Path::new(env), "$OFFGO_INVENTORY");
    }
    let tried = [
        places.cwd.join("offgo.toml"),
        places.config_dir.join("inventory.toml"),
    ];
    if let Some(found) = tried.iter().find(|p| p.is_file()) {
        return Ok(found.clone());
    }
    let list: Vec<String> = std::iter::once("--inventory (not given)".to_owned())
        .chain(std::iter::once("$OFFGO_INVENTORY (not set)".to_owned()))
        .chain(tried.iter().map(|p| p.display().to_string()))
        .collect();
    Err(InventoryError::new(format!("no inventory found; tried: {}", list.join(", "))).hint(format!(
        "pass --inventory FILE, set OFFGO_INVENTORY, or create {} (config/example.toml shows every key)",
        tried[0].display()
    )))
}

fn existing(path: &Path, named_by: &str) -> Result<PathBuf, InventoryError> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let what = if path.exists() {
        "is not a file"
    } else {
        "does not exist"
    };
    Err(InventoryError::new(format!("inventory {} (from {named_by}) {what}", path.display()))
        .hint("check the path; without it, offgo looks for ./offgo.toml, then $XDG_CONFIG_HOME/offgo/inventory.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(path: &Path) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, "").unwrap();
    }

    struct Fixture {
        _tmp: tempfile::TempDir,
        explicit: PathBuf,
        env: PathBuf,
        places: Places,
    }

    fn fixture() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let places = Places {
            env: None,
            cwd: root.join("cwd"),
            config_dir: root.join("config/offgo"),
        };
        std::fs::create_dir_all(&places.cwd).unwrap();
        Fixture {
            explicit: root.join("explicit.toml"),
            env: root.join("env.toml"),
            places,
            _tmp: tmp,
        }
    }

    #[test]
    fn each_place_wins_over_the_ones_after_it() {
        let mut f = fixture();
        let (cwd_file, config_file) = (
            f.places.cwd.join("offgo.toml"),
            f.places.config_dir.join("inventory.toml"),
        );
        for file in [&f.explicit, &f.env, &cwd_file, &config_file] {
            touch(file);
        }
        f.places.env = Some(f.env.clone().into_os_string());
        assert_eq!(locate_in(Some(&f.explicit), &f.places).unwrap(), f.explicit);
        assert_eq!(locate_in(None, &f.places).unwrap(), f.env);
        f.places.env = Some(OsString::new()); // set but empty counts as unset
        assert_eq!(locate_in(None, &f.places).unwrap(), cwd_file);
        std::fs::remove_file(&cwd_file).unwrap();
        assert_eq!(locate_in(None, &f.places).unwrap(), config_file);
    }

    #[test]
    fn a_named_file_that_does_not_exist_is_an_error_naming_it() {
        let mut f = fixture();
        touch(&f.places.cwd.join("offgo.toml"));
        let err = locate_in(Some(&f.explicit), &f.places)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&format!(
            "inventory {} (from --inventory) does not exist",
            f.explicit.display()
        )));
        f.places.env = Some(f.env.clone().into_os_string());
        let err = locate_in(None, &f.places).unwrap_err().to_string();
        assert!(err.starts_with(&format!(
            "inventory {} (from $OFFGO_INVENTORY) does not exist",
            f.env.display()
        )));
        let err = locate_in(Some(&f.places.cwd), &f.places)
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a file"), "{err}");
    }

    #[test]
    fn nothing_found_lists_every_place_and_how_to_fix_it() {
        let f = fixture();
        let err = locate_in(None, &f.places).unwrap_err().to_string();
        let cwd_file = f.places.cwd.join("offgo.toml");
        let config_file = f.places.config_dir.join("inventory.toml");
        assert_eq!(
            err,
            format!(
                "no inventory found; tried: --inventory (not given), $OFFGO_INVENTORY (not set), {}, {}\n  \
                 hint: pass --inventory FILE, set OFFGO_INVENTORY, or create {} (config/example.toml shows every key)",
                cwd_file.display(),
                config_file.display(),
                cwd_file.display()
            )
        );
    }
}
