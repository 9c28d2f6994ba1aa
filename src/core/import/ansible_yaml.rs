//! Ansible's YAML inventory: top-level groups (usually `all`), each with `hosts`, `vars` and
//! `children`. Read with saphyr's marked nodes, so every warning has its line.

use std::path::Path;

use saphyr::{LoadableYamlNode, MarkedYaml, Scalar as YScalar, YamlData};

use super::ansible::{RawVar, Scalar, Tree};
use super::ranges;
use super::ImportError;

pub(super) fn read(path: &Path, text: &str) -> Result<Tree, ImportError> {
    let mut tree = Tree::new(path);
    let docs = MarkedYaml::load_from_str(text).map_err(|e| {
        ImportError::at(
            tree.origin(e.marker().line()),
            format!("not valid YAML: {}", e.info()),
        )
    })?;
    let Some(root) = docs.first() else {
        return Ok(tree);
    };
    match &root.data {
        YamlData::Mapping(groups) => {
            for (key, value) in groups {
                match name(key) {
                    Some(group) => read_group(&mut tree, &group, value),
                    None => tree.warn(line(key), "a group name that is not a string; left out"),
                }
            }
        }
        _ => {
            return Err(ImportError::at(
                tree.origin(line(root)),
                "the top of an Ansible YAML inventory must be a mapping of groups (all: …)",
            ))
        }
    }
    Ok(tree)
}

fn line(node: &MarkedYaml<'_>) -> usize {
    node.span.start.line()
}

fn name(node: &MarkedYaml<'_>) -> Option<String> {
    match &node.data {
        YamlData::Value(YScalar::String(s)) => Some(s.to_string()),
        YamlData::Value(YScalar::Integer(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn is_null(node: &MarkedYaml<'_>) -> bool {
    matches!(node.data, YamlData::Value(YScalar::Null))
}

fn read_group(tree: &mut Tree, group: &str, node: &MarkedYaml<'_>) {
    tree.group(group);
    if is_null(node) {
        return;
    }
    let YamlData::Mapping(entries) = &node.data else {
        return tree.warn(
            line(node),
            format!("group \"{group}\" is not a mapping (hosts, vars, children); left out"),
        );
    };
    for (key, value) in entries {
        match name(key).as_deref() {
            Some("hosts") => hosts(tree, group, value),
            Some("vars") => {
                let vars = vars(tree, value);
                tree.group(group).vars.extend(vars);
            }
            Some("children") => children(tree, group, value),
            Some(other) => tree.warn(
                line(key),
                format!(
                    "\"{other}\" in group \"{group}\" is not hosts, vars or children; left out"
                ),
            ),
            None => tree.warn(
                line(key),
                format!("a key in group \"{group}\" that is not a string; left out"),
            ),
        }
    }
}

fn hosts(tree: &mut Tree, group: &str, node: &MarkedYaml<'_>) {
    if is_null(node) {
        return;
    }
    let YamlData::Mapping(entries) = &node.data else {
        return tree.warn(
            line(node),
            format!("hosts of \"{group}\" is not a mapping of host names; left out"),
        );
    };
    for (key, value) in entries {
        let Some(pattern) = name(key) else {
            tree.warn(line(key), "a host name that is not a string; left out");
            continue;
        };
        let names = match ranges::expand(&pattern) {
            Ok(names) => names,
            Err(e) => {
                tree.warn(line(key), format!("{e}; left out"));
                continue;
            }
        };
        let vars = vars(tree, value);
        for host in names {
            tree.host(&host, Some(group))
                .vars
                .extend(vars.iter().cloned());
        }
    }
}

fn children(tree: &mut Tree, parent: &str, node: &MarkedYaml<'_>) {
    if is_null(node) {
        return;
    }
    let YamlData::Mapping(entries) = &node.data else {
        return tree.warn(
            line(node),
            format!("children of \"{parent}\" is not a mapping of groups; left out"),
        );
    };
    for (key, value) in entries {
        match name(key) {
            Some(child) => {
                tree.child(parent, &child);
                read_group(tree, &child, value);
            }
            None => tree.warn(line(key), "a group name that is not a string; left out"),
        }
    }
}

fn vars(tree: &mut Tree, node: &MarkedYaml<'_>) -> Vec<RawVar> {
    if is_null(node) {
        return Vec::new();
    }
    let YamlData::Mapping(entries) = &node.data else {
        tree.warn(line(node), "vars that are not a mapping; left out");
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        let Some(key_name) = name(key) else {
            tree.warn(line(key), "a variable name that is not a string; left out");
            continue;
        };
        let value = match &value.data {
            YamlData::Value(YScalar::String(s)) => Scalar::Str(s.to_string()),
            YamlData::Value(YScalar::Integer(n)) => Scalar::Int(*n),
            YamlData::Value(YScalar::Boolean(b)) => Scalar::Bool(*b),
            YamlData::Value(YScalar::Null) => Scalar::Other("empty"),
            YamlData::Value(YScalar::FloatingPoint(_)) => Scalar::Other("a number with a fraction"),
            YamlData::Sequence(_) => Scalar::Other("a list"),
            YamlData::Mapping(_) => Scalar::Other("a mapping"),
            _ => Scalar::Other("a value offgo does not read (a tag or an alias)"),
        };
        out.push(RawVar {
            key: key_name,
            value,
            origin: tree.origin(line(key)),
        });
    }
    out
}
