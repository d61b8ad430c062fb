# shellcheck shell=dash
# Sledgehammer: the functions /init uses (installed as /lib/sledgehammer.sh, sourced by /init; busybox sh).
# Kept apart from /init so that they can be tested outside the image: src/test/java/dev/anvil/it/SledgehammerLibIT
# sources this file in a network namespace against a real anvild (CMDLINE and RUNDIR point elsewhere there).
#   CMDLINE  the kernel command line file   default: /proc/cmdline
#   RUNDIR   scratch files (replies, errors) default: /run

say() { echo "SLEDGEHAMMER: $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
# arg NAME: the value of NAME=... on the kernel command line (empty when absent)
arg() {
  # shellcheck disable=SC2013  # the command line is one line of words
  for a in $(cat "${CMDLINE:-/proc/cmdline}"); do case "$a" in "$1="*) echo "${a#*=}"; return 0 ;; esac; done
  return 0
}
# one-line JSON string: keep printable ASCII only (drops control chars), escape \ and ", trim
jstr() {
  printf '"%s"' "$(printf '%s' "$1" | tr -cd ' -~' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^ *//' -e 's/ *$//')"
}
readf() { [ -r "$1" ] && cat "$1" 2>/dev/null; }
# top-level string field of a JSON object (depth 1 only), e.g. jfield name < reply
jfield() {
  tr -d '\r\n' | awk -v key="$1" '{
    s = $0; n = length(s); depth = 0; instr = 0; tok = ""; last = ""; want = 0
    for (i = 1; i <= n; i++) {
      c = substr(s, i, 1)
      if (instr) {
        if (c == "\\") { tok = tok substr(s, i, 2); i++; continue }
        if (c == "\"") { instr = 0
          if (want) { print tok; exit }
          last = tok; continue }
        tok = tok c; continue
      }
      if (c == "\"") { instr = 1; tok = ""; continue }
      if (c == "{" || c == "[") { depth++; want = 0; continue }
      if (c == "}" || c == "]") { depth--; want = 0; continue }
      if (c == ":") { if (depth == 1 && last == key) want = 1; last = ""; continue }
      if (c == ",") { last = ""; want = 0; continue }
      if (c != " " && c != "\t") { want = 0 }
    }
  }'
}
isnum() { case "$1" in ''|*[!0-9]*) return 1 ;; *) return 0 ;; esac; }
# bmc_lan < "ipmitool lan print" output: the inventory's BMC part, ',"bmc":{"ip":...,"mac":...,"ipSource":...}', or
# nothing when the output names no IP address (no BMC, no LAN channel)
bmc_lan() {
  local out ip mac src
  out=$(tr -d '\r')
  ip=$(printf '%s\n' "$out" | sed -n 's/^IP Address[[:space:]]*:[[:space:]]*//p' | head -n1)
  mac=$(printf '%s\n' "$out" | sed -n 's/^MAC Address[[:space:]]*:[[:space:]]*//p' | head -n1)
  src=$(printf '%s\n' "$out" | sed -n 's/^IP Address Source[[:space:]]*:[[:space:]]*//p' | head -n1)
  [ -n "$ip" ] || return 0
  printf ',"bmc":{"ip":%s,"mac":%s,"ipSource":%s}' "$(jstr "$ip")" "$(jstr "$mac")" "$(jstr "$src")"
}

# http GET|POST URL OUTFILE [POSTFILE]: 0 = 2xx; on failure the reason is in $RUNDIR/http.err. URLs may name an
# IPv6 server in brackets (http://[fd00::1]:8080/...): busybox wget takes them.
# (busybox 1.35 static wget segfaults with -T, so the request is bounded with timeout instead)
http() {
  local err="${RUNDIR:-/run}/http.err" rc
  if [ "$1" = POST ]; then
    timeout 20 wget -q -O "$3" --header "Content-Type: application/json" --header "Accept: application/json" \
      --post-file "$4" "$2" 2>"$err"
  else
    timeout 20 wget -q -O "$3" --header "Accept: application/json" "$2" 2>"$err"
  fi
  rc=$?
  [ $rc = 0 ] && return 0
  [ -s "$err" ] || echo "wget rc=$rc (timeout?)" > "$err"
  return 1
}
errline() { tail -n1 "${RUNDIR:-/run}/http.err" | tr -d '\r' | cut -c1-160; }

# ---- IPv6: the address Anvil gives on the kernel line (anvil.ip6) and the one /discover answers ----
# ip6ok ADDR/LEN: an IPv6 address (hex digits and colons, at least two colons) with a prefix length 1..128
ip6ok() {
  local a=${1%/*} l=${1##*/}
  case "$1" in */*) ;; *) return 1 ;; esac
  case "$a" in ''|*[!0-9a-fA-F:]*) return 1 ;; *:*:*) ;; *) return 1 ;; esac
  isnum "$l" && [ "$l" -ge 1 ] && [ "$l" -le 128 ]
}
# ip6state IF ADDR: ok, tentative (duplicate address detection running), dadfailed or absent, for ADDR (no
# prefix length, as `ip` prints it: lower case, RFC 5952) on IF
ip6state() {
  ip -6 addr show dev "$1" 2>/dev/null | awk -v a="$(echo "$2" | tr 'A-F' 'a-f')" '
    $1 == "inet6" { split($2, p, "/"); if (p[1] != a) next
      s = "ok"; if ($0 ~ /dadfailed/) s = "dadfailed"; else if ($0 ~ /tentative/) s = "tentative"
      print s; found = 1; exit }
    END { if (!found) print "absent" }'
}
# ip6take IF ADDR/LEN: adds the address to IF and waits, at most 5 s, until duplicate address detection passed
# (a tentative address cannot be a source). 0: usable; 1: a duplicate (the address is removed again) or no answer.
ip6take() {
  local a=${2%/*} i=0 st
  ip -6 addr add "$2" dev "$1" 2>/dev/null   # fails with "File exists" when IF holds it already: checked below
  while [ $i -lt 50 ]; do
    st=$(ip6state "$1" "$a")
    case "$st" in
      ok) return 0 ;;
      dadfailed|absent) ip -6 addr del "$2" dev "$1" 2>/dev/null; return 1 ;;
    esac
    sleep 0.1; i=$((i+1))
  done
  return 1
}
# ip6move IF OLD/LEN NEW/LEN: takes NEW, then drops OLD, so that every later request comes from NEW (two
# addresses of one /64 would leave the source to the kernel's choice). OLD empty: NEW is added only.
# 0: NEW is IF's address now; 1: NEW failed (OLD kept).
ip6move() {
  [ "$2" = "$3" ] && return 0
  ip6take "$1" "$3" || return 1
  [ -n "$2" ] && ip -6 addr del "$2" dev "$1" 2>/dev/null
  return 0
}
