# The helper's door. It runs as root for a user who may do nothing else as root, so it trusts
# nothing it is given: one verb from a fixed list as its only argument, then `key=value` lines
# on stdin up to a line `.`, each key one the verb takes and each value checked against the
# grammar of what it is (a Go version, a file name, a hex digest, a path inside offgo's own
# directories). Anything else is refused before a single file is touched. The paths it works
# on are not inputs at all: they are written above, and this file's sha256 is pinned in the rule.
offgo_refuse() {
  kv refused "$*"
  printf 'offgo-helper: refused: %s\n' "$*" >&2
  exit 2
}
# offgo_is ERE VALUE: VALUE, a single line, matches ERE whole.
offgo_is() { printf '%s\n' "$2" | grep -Eqx -- "$1"; }
offgo_version_re='go1(\.[0-9]{1,6}(\.[0-9]{1,6}|(rc|beta)[1-9][0-9]{0,5})?)?|devel'
# A plain name inside a directory: no slash, not hidden.
offgo_name_re='[A-Za-z0-9][A-Za-z0-9._+-]{0,127}'
offgo_hex_re='[0-9a-f]{64}'
# An app's name and version, as `app build` writes them (they name directories).
offgo_app_name_re='[a-z0-9][a-z0-9_-]{0,63}'
offgo_app_version_re='[A-Za-z0-9][A-Za-z0-9._+-]{0,63}'
# A module-cache bundle's id, as `modcache build` names it.
offgo_modcache_re='modcache-[0-9a-f]{12}'
offgo_flag() { case $2 in 0 | 1) ;; *) offgo_refuse "$1 must be 0 or 1" ;; esac; }
offgo_version() { offgo_is "$offgo_version_re" "$2" || offgo_refuse "$1 is not a Go version"; }

# offgo_previous_target VALUE: empty, what go_root points at now, or a release's go/.
offgo_previous_target() {
  [ -z "$1" ] && return 0
  [ "$1" = "$(readlink "$go_root" 2>/dev/null)" ] && return 0
  case $1 in
    "$releases_dir"/*/go)
      offgo_m=${1#"$releases_dir"/}
      offgo_is "$offgo_name_re" "${offgo_m%/go}" && return 0 ;;
  esac
  offgo_refuse "previous_target is neither what $go_root points at nor a release of $releases_dir"
}

# offgo_env_entry NAME=VALUE: one variable of the Go environment policy. A Go variable's name;
# a value of printable ASCII without ' " \ ` $ and without a blank at either end (it is written
# into go.env, between single quotes into a profile and between double quotes into state.json).
offgo_env_entry() {
  case $1 in *=*) ;; *) offgo_refuse "go_env is not NAME=VALUE" ;; esac
  offgo_n=${1%%=*}
  offgo_v=${1#*=}
  offgo_is 'GO[A-Z0-9_]+|CGO_[A-Z0-9_]+' "$offgo_n" || offgo_refuse "go_env names something other than a Go environment variable"
  case $offgo_v in
    *[!\ -~]*) offgo_refuse "go_env: the value of $offgo_n holds a byte outside printable ASCII" ;;
    *[\'\"\\\`\$]*) offgo_refuse "go_env: the value of $offgo_n holds a quote, a backslash, a backquote or a dollar sign" ;;
    " "* | *" ") offgo_refuse "go_env: the value of $offgo_n starts or ends with a blank" ;;
  esac
  [ ${#offgo_v} -le 4096 ] || offgo_refuse "go_env: the value of $offgo_n is longer than 4096 bytes"
  case "$offgo_nl$go_env=" in *"$offgo_nl$offgo_n="*) offgo_refuse "go_env names $offgo_n twice" ;; esac
}

# offgo_shims VALUE: empty, all, or Go release names.
offgo_shims() {
  [ "$1" = all ] && return 0
  case $1 in *[!a-z0-9.\ ]*) offgo_refuse "shims names something other than Go releases" ;; esac
  for offgo_w in $1; do
    offgo_is "$offgo_version_re" "$offgo_w" || offgo_refuse "shims names something other than Go releases"
  done
}

offgo_input() {
  case $2 in
    *[[:cntrl:]]*) offgo_refuse "$1 holds a control character" ;;
  esac
  [ ${#2} -le 65536 ] || offgo_refuse "$1 is longer than 64 KiB"
  case $verb:$1 in
    lock:owner) [ ${#2} -le 512 ] || offgo_refuse "owner is longer than 512 bytes"; owner=$2 ;;
    preflight:version)
      offgo_is "$offgo_version_re|none" "$2" || offgo_refuse "version is not a Go version"
      version=$2 ;;
    install:version | switch:version) offgo_version "$1" "$2"; version=$2 ;;
    receive:version)
      offgo_is "$offgo_version_re|$offgo_modcache_re" "$2" || offgo_refuse "version is not a Go version or a module-cache id"
      version=$2 ;;
    preflight:tarball_name | receive:tarball_name | install:tarball_name)
      offgo_is "$offgo_name_re" "$2" || offgo_refuse "tarball_name is not a plain file name"
      tarball_name=$2 ;;
    preflight:check_lock) offgo_flag "$1" "$2"; check_lock=$2 ;;
    preflight:hash_part) offgo_flag "$1" "$2"; hash_part=$2 ;;
    receive:file)
      case $2 in sums | tarball | go-tarball) ;; *) offgo_refuse "file must be sums, tarball or go-tarball" ;; esac
      file=$2 ;;
    receive:append) offgo_flag "$1" "$2"; append=$2 ;;
    install:sha256) offgo_is "$offgo_hex_re" "$2" || offgo_refuse "sha256 is not 64 hex digits"; sha256=$2 ;;
    install:tree_digest)
      offgo_is "$offgo_hex_re" "$2" || offgo_refuse "tree_digest is not 64 hex digits"
      tree_digest=$2 ;;
    install:adopt_version)
      [ -z "$2" ] || offgo_is "$offgo_version_re|go-adopted" "$2" ||
        offgo_refuse "adopt_version is not a Go version"
      adopt_version=$2 ;;
    install:previous_target) offgo_previous_target "$2"; previous_target=$2 ;;
    install:prune)
      for offgo_w in $2; do
        offgo_is "$offgo_name_re" "$offgo_w" || offgo_refuse "prune names something other than a release"
      done
      prune=$2 ;;
    install:state_json | switch:state_json)
      case $2 in '{"current":'*'}') ;; *) offgo_refuse "state_json is not offgo's state" ;; esac
      state_json=$2 ;;
    verify:expected)
      offgo_is "$offgo_version_re|\(none\)" "$2" || offgo_refuse "expected is not a Go version"
      expected=$2 ;;
    audit-append:record_head)
      case $2 in '{"ts":"'*',') ;; *) offgo_refuse "record_head is not the head of an audit line" ;; esac
      record_head=$2 ;;
    audit-append:retry) offgo_flag "$1" "$2"; retry=$2 ;;
    app-preflight:name | app-receive:name | app-install:name | app-switch:name | app-verify:name)
      offgo_is "$offgo_app_name_re" "$2" || offgo_refuse "name is not an app name"
      name=$2 ;;
    app-preflight:version | app-receive:version | app-install:version | app-switch:version)
      offgo_is "$offgo_app_version_re" "$2" || offgo_refuse "version is not an app version"
      version=$2 ;;
    app-preflight:tarball_name | app-receive:tarball_name | app-install:tarball_name)
      offgo_is "$offgo_name_re" "$2" || offgo_refuse "tarball_name is not a plain file name"
      tarball_name=$2 ;;
    app-preflight:check_lock) offgo_flag "$1" "$2"; check_lock=$2 ;;
    app-preflight:hash_part) offgo_flag "$1" "$2"; hash_part=$2 ;;
    app-receive:file)
      case $2 in sums | tarball | manifest) ;; *) offgo_refuse "file must be sums, tarball or manifest" ;; esac
      file=$2 ;;
    app-receive:append) offgo_flag "$1" "$2"; append=$2 ;;
    app-install:sha256) offgo_is "$offgo_hex_re" "$2" || offgo_refuse "sha256 is not 64 hex digits"; sha256=$2 ;;
    app-install:tree_digest)
      offgo_is "$offgo_hex_re" "$2" || offgo_refuse "tree_digest is not 64 hex digits"
      tree_digest=$2 ;;
    app-install:manifest_sha256)
      offgo_is "$offgo_hex_re" "$2" || offgo_refuse "manifest_sha256 is not 64 hex digits"
      manifest_sha256=$2 ;;
    app-install:state_json | app-switch:state_json)
      case $2 in '{"name":'*'}') ;; *) offgo_refuse "state_json is not an app's state" ;; esac
      state_json=$2 ;;
    app-install:prune)
      for offgo_w in $2; do
        offgo_is "$offgo_app_version_re" "$offgo_w" || offgo_refuse "prune names something other than a release"
      done
      prune=$2 ;;
    install:go_env | switch:go_env | go-env:go_env)
      offgo_env_entry "$2"
      go_env="${go_env:+$go_env$offgo_nl}$2" ;;
    install:shims | switch:shims | go-env:shims) offgo_shims "$2"; shims=$2 ;;
    install:streamed) offgo_flag "$1" "$2"; streamed=$2 ;;
    verify:go_env_sha256)
      [ -z "$2" ] || offgo_is "$offgo_hex_re" "$2" || offgo_refuse "go_env_sha256 is not 64 hex digits"
      go_env_sha256=$2 ;;
    verify:profile_sha256)
      [ -z "$2" ] || offgo_is "$offgo_hex_re" "$2" || offgo_refuse "profile_sha256 is not 64 hex digits"
      profile_sha256=$2 ;;
    verify:proven_digests)
      [ -z "$2" ] || offgo_is "$offgo_hex_re( $offgo_hex_re){0,15}" "$2" ||
        offgo_refuse "proven_digests is not up to 16 digests of 64 hex digits"
      proven_digests=$2 ;;
    modcache-preflight:id)
      offgo_is "$offgo_modcache_re|none" "$2" || offgo_refuse "id is not a module-cache id"
      id=$2 ;;
    modcache-install:id | modcache-switch:id)
      offgo_is "$offgo_modcache_re" "$2" || offgo_refuse "id is not a module-cache id"
      id=$2 ;;
    modcache-preflight:check_lock) offgo_flag "$1" "$2"; check_lock=$2 ;;
    modcache-preflight:hash_part) offgo_flag "$1" "$2"; hash_part=$2 ;;
    modcache-install:sha256) offgo_is "$offgo_hex_re" "$2" || offgo_refuse "sha256 is not 64 hex digits"; sha256=$2 ;;
    modcache-install:tree_digest)
      offgo_is "$offgo_hex_re" "$2" || offgo_refuse "tree_digest is not 64 hex digits"
      tree_digest=$2 ;;
    modcache-install:state_json | modcache-switch:state_json)
      case $2 in '{"current":'*'}') ;; *) offgo_refuse "state_json is not offgo's state" ;; esac
      state_json=$2 ;;
    modcache-install:prune)
      for offgo_w in $2; do
        offgo_is "$offgo_modcache_re" "$offgo_w" || offgo_refuse "prune names something other than a module cache"
      done
      prune=$2 ;;
    *) offgo_refuse "$verb takes no input $1" ;;
  esac
  offgo_given="$offgo_given $1 "
}

# offgo_inputs REQUIRED...: reads the inputs; each of REQUIRED must be among them.
offgo_inputs() {
  offgo_given=
  go_env=
  offgo_ended=
  while IFS= read -r offgo_line; do
    [ "$offgo_line" = . ] && { offgo_ended=1; break; }
    case $offgo_line in
      *=*) offgo_input "${offgo_line%%=*}" "${offgo_line#*=}" ;;
      *) offgo_refuse "an input line without =" ;;
    esac
  done
  [ -n "$offgo_ended" ] || offgo_refuse "the inputs did not end with a line ."
  for offgo_k in "$@"; do
    case $offgo_given in *" $offgo_k "*) ;; *) offgo_refuse "$verb needs $offgo_k" ;; esac
  done
}

[ $# -eq 1 ] || offgo_refuse "one verb, no other arguments"
verb=$1
case $verb in
  lock) offgo_inputs owner ;;
  preflight) offgo_inputs version tarball_name check_lock hash_part ;;
  current-tree) offgo_inputs ;;
  receive) offgo_inputs file version tarball_name append ;;
  install) offgo_inputs version tarball_name sha256 tree_digest adopt_version previous_target state_json prune shims streamed ;;
  switch) offgo_inputs version state_json shims ;;
  verify) offgo_inputs expected go_env_sha256 profile_sha256 proven_digests ;;
  audit-append) offgo_inputs record_head retry ;;
  app-preflight) offgo_inputs name version tarball_name check_lock hash_part ;;
  app-receive) offgo_inputs file name version tarball_name append ;;
  app-install) offgo_inputs name version tarball_name sha256 tree_digest manifest_sha256 state_json prune ;;
  app-switch) offgo_inputs name version state_json ;;
  app-verify) offgo_inputs name ;;
  go-env) offgo_inputs shims ;;
  modcache-preflight) offgo_inputs id check_lock hash_part ;;
  modcache-install) offgo_inputs id sha256 tree_digest state_json prune ;;
  modcache-switch) offgo_inputs id state_json ;;
  modcache-verify) offgo_inputs ;;
  *) offgo_refuse "unknown verb" ;;
esac
# A Go tarball is unpacked as it arrives, into a directory named by its version: a Go version.
[ "$verb:${file-}" != receive:go-tarball ] || offgo_is "$offgo_version_re" "$version" ||
  offgo_refuse "a go-tarball's version is not a Go version"
# What the jump host derives from these when it sends a script itself (ops.rs), derived here.
tarball="$incoming/${tarball_name-}"
part="$tarball.part"
sums="$incoming/${version-}.sha256sums"
target="$releases_dir/${version-}/go"
case $verb in
  modcache-*)
    tarball="$incoming/${id-}.tar.gz"
    part="$tarball.part"
    sums="$incoming/${id-}.sha256sums" ;;
esac
