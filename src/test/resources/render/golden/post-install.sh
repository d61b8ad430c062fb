#!/bin/sh
# Anvil post-install script for n1.cluster.test (centos-stream-9), served at http://10.10.0.1:8080/nodes/n1.cluster.test/post-install.sh.
# Every answer file (kickstart %post, preseed late_command, autoinstall late-commands, AutoYaST
# chroot-script) fetches this file and runs it with /bin/sh inside the installed system, at the very end
# of the install. It:
#   1. installs root's SSH authorized_keys,
#   2. enables the SSH server (and opens it in firewalld when firewalld is installed),
#   3. points systemd-timesyncd at the cluster's NTP servers where that is the time daemon, and gives an
#      ifupdown system (Debian by preseed) the node's derived IPv6 address,
#   4. LAST: reports install-complete to Anvil (POST {"token": ..., "hostKeys": [...]}: the SSH host public
#      keys of the installed system, which Anvil pins), retried, and deletes itself.
# The per-node token below is single-use and is the only credential in this file; it is never printed.
set -u
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH

log() {
  echo "anvil-post-install: $*"
}

# 1. root's authorized_keys: merged into any keys the installer already wrote, never duplicated.
install_ssh_keys() {
  umask 077
  mkdir -p /root/.ssh
  chmod 700 /root/.ssh
  touch /root/.ssh/authorized_keys
  keys=$(mktemp) || return 1
  cat > "$keys" <<'ANVIL_SSH_KEYS'
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDG6e4a4WlorekwnWujArTlQOEXAYR80Oco5l/F8haI7 root@admin.cluster.test
ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH73a9nwFag2PP5AmdCUkRlo5ebHoFNrnts2RIITM+hE ops@bastion.cluster.test
ANVIL_SSH_KEYS
  added=0
  while IFS= read -r key; do
    [ -n "$key" ] || continue
    if ! grep -qxF "$key" /root/.ssh/authorized_keys; then
      printf '%s\n' "$key" >> /root/.ssh/authorized_keys
      added=$((added + 1))
    fi
  done < "$keys"
  rm -f "$keys"
  chmod 600 /root/.ssh/authorized_keys
  if command -v restorecon >/dev/null 2>&1; then
    restorecon -R /root/.ssh || true
  fi
  log "root authorized_keys: $added key(s) added"
}

# 2. The SSH server: ssh.service (Debian, Ubuntu) or sshd.service (RHEL family, SUSE); sysvinit/upstart
# systems (Ubuntu 12.04) enable it at package install already.
enable_sshd() {
  if command -v systemctl >/dev/null 2>&1; then
    for unit in ssh.service sshd.service; do
      for dir in /usr/lib/systemd/system /lib/systemd/system; do
        if [ -f "$dir/$unit" ]; then
          systemctl enable "$unit" && log "enabled $unit" && return 0
        fi
      done
    done
    log "no ssh.service or sshd.service unit found" >&2
    return 1
  fi
  if command -v update-rc.d >/dev/null 2>&1 && [ -x /etc/init.d/ssh ]; then
    update-rc.d ssh enable >/dev/null 2>&1 || true
  elif command -v chkconfig >/dev/null 2>&1; then
    chkconfig sshd on || true
  fi
  log "sshd left to the init system's defaults"
}

open_ssh_in_firewall() {
  if command -v firewall-offline-cmd >/dev/null 2>&1; then
    firewall-offline-cmd --add-service=ssh >/dev/null 2>&1 && log "firewalld: ssh allowed"
  fi
  return 0
}

# 3. NTP for systemd-timesyncd (Debian, Ubuntu); chrony on RHEL and SUSE is set by the answer file.
configure_timesyncd() {
  servers='10.10.0.1'
  [ -n "$servers" ] || return 0
  for dir in /usr/lib/systemd /lib/systemd; do
    if [ -x "$dir/systemd-timesyncd" ]; then
      mkdir -p /etc/systemd/timesyncd.conf.d
      printf '[Time]\nNTP=%s\n' "$servers" > /etc/systemd/timesyncd.conf.d/anvil.conf
      log "systemd-timesyncd: NTP=$servers"
      return 0
    fi
  done
  return 0
}

# 3b. The node's derived IPv6 address on ifupdown systems (Debian and old Ubuntu through preseed: netcfg writes
# only IPv4); kickstart, autoinstall and AutoYaST put it into their own network sections. The interface is the
# one with the node's MAC; an interface that already has an inet6 stanza is left alone.
configure_ipv6() {
  [ -f /etc/network/interfaces ] || return 0
  dev=''
  for d in /sys/class/net/*; do
    if [ "$(cat "$d/address" 2>/dev/null)" = '52:54:00:12:34:56' ]; then
      dev=${d##*/}
      break
    fi
  done
  if [ -z "$dev" ]; then
    log "no interface with MAC 52:54:00:12:34:56: IPv6 address fd12:3456:789a:1::21 not configured" >&2
    return 0
  fi
  if grep -q "^iface $dev inet6 " /etc/network/interfaces; then
    return 0
  fi
  printf '\niface %s inet6 static\n\taddress %s/%s\n' "$dev" 'fd12:3456:789a:1::21' '64' >> /etc/network/interfaces
  log "ifupdown: $dev inet6 fd12:3456:789a:1::21/64"
  return 0
}

# 4. The installed system's SSH host public keys, as JSON strings ("type base64", no comment): Anvil pins
# them and refuses to log in to a node that presents another key. Keys that do not exist yet (RHEL and
# SUSE make them at sshd's first start) are made now; cloud-init is told to keep them on first boot.
host_keys_json() {
  if ! ls /etc/ssh/ssh_host_*_key.pub >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1; then
    ssh-keygen -A >/dev/null 2>&1 || log "ssh-keygen -A failed: no host keys to report" >&2
  fi
  if [ -d /etc/cloud/cloud.cfg.d ]; then
    printf 'ssh_deletekeys: false\n' > /etc/cloud/cloud.cfg.d/99-anvil-keep-host-keys.cfg
  fi
  list=''
  count=0
  for pub in /etc/ssh/ssh_host_*_key.pub; do
    [ -f "$pub" ] || continue
    [ "$count" -lt 8 ] || break
    ktype=''
    kdata=''
    read -r ktype kdata _ < "$pub" || true
    case "$ktype:$kdata" in
      :* | *: | *[!A-Za-z0-9+/=@.:-]*)
        log "$pub is not an OpenSSH public key line: not reported" >&2
        continue
        ;;
    esac
    list="$list${list:+,}\"$ktype $kdata\""
    count=$((count + 1))
  done
  printf '%s' "$list"
}

# 5. The install-complete callback: must stay the last step. 200 or 204 means Anvil recorded it.
callback() {
  body='{"token":"OwlHtGjoPhT-x4s0ifAYv81AhA_rrdXBOrWwwV8ydBk"}'
  keys=$(host_keys_json)
  if [ -n "$keys" ]; then
    body="${body%\}},\"hostKeys\":[$keys]}"
    log "host keys reported: $(printf '%s' "$keys" | tr ',' '\n' | cut -d' ' -f1 | tr -d '"' | tr '\n' ' ')"
  else
    log "no SSH host keys found: Anvil will not pin this node's host key" >&2
  fi
  attempt=1
  while [ "$attempt" -le 6 ]; do
    status=000
    if command -v curl >/dev/null 2>&1; then
      status=$(curl -sS -o /dev/null -w '%{http_code}' --connect-timeout 10 --max-time 30 -X POST \
        -H 'Content-Type: application/json' --data "$body" 'http://10.10.0.1:8080/api/v1/nodes/n1.cluster.test/install-complete') || status=000
    elif command -v wget >/dev/null 2>&1; then
      if wget -q -O /dev/null -T 30 --header='Content-Type: application/json' --post-data="$body" \
        'http://10.10.0.1:8080/api/v1/nodes/n1.cluster.test/install-complete'; then
        status=200
      fi
    else
      log "neither curl nor wget is installed: cannot report install-complete" >&2
      return 1
    fi
    case "$status" in
      200 | 204)
        log "install-complete reported (HTTP $status)"
        return 0
        ;;
    esac
    log "install-complete attempt $attempt failed (HTTP $status), retrying" >&2
    sleep $((attempt * 5))
    attempt=$((attempt + 1))
  done
  return 1
}

rc=0
install_ssh_keys || rc=1
enable_sshd || rc=1
open_ssh_in_firewall
configure_timesyncd
configure_ipv6
if [ "$rc" -ne 0 ]; then
  log "post-install failed; not reporting install-complete" >&2
  exit 1
fi
callback || rc=1
# The copy on disk holds the (now spent) token: remove it.
case "$0" in
  */anvil-post-install.sh) rm -f "$0" ;;
esac
exit "$rc"
