# Framing shared by every offgo script. Each value goes out through `kv KEY VALUE`, which
# escapes a backslash as \\ and a newline as \n: no content (a symlink
# target, a file name, an error message, a hostile `go version`) can start a line of its own, so
# nothing a host holds can forge a key. Builtins only: no process per value.
offgo_nl='
'
# offgo_esc STRING CHAR REPLACEMENT: the result in $offgo_r.
offgo_esc() {
  offgo_s=$1 offgo_r=
  while :; do
    case $offgo_s in
      *"$2"*) offgo_r=$offgo_r${offgo_s%%"$2"*}$3; offgo_s=${offgo_s#*"$2"} ;;
      *) offgo_r=$offgo_r$offgo_s; return 0 ;;
    esac
  done
}
kv() {
  case $2 in
    *[\\"$offgo_nl"]*)
      offgo_esc "$2" '\' '\\'
      offgo_esc "$offgo_r" "$offgo_nl" '\n'
      printf '%s=%s\n' "$1" "$offgo_r" ;;
    *) printf '%s=%s\n' "$1" "$2" ;;
  esac
}
# offgo_untrusted COMMAND...: runs a program offgo installed but did not write (a Go tree's
# `go version`). Here as it is; the helper, which runs as root, redefines it to run as nobody.
offgo_untrusted() { "$@"; }
