#!/bin/sh
# Validates one rendered Anvil answer file with the real tool for its format.
#   usage: validate.sh KIND FILE      KIND = kickstart | preseed | autoinstall | autoyast | post-install
#          validate.sh --install      installs the validators from Debian's packages (as root, apt-get)
# Exit status: 0 valid, 1 invalid (the validator's message is printed), 2 usage error,
#              3 a required validator is not installed (the message names the Debian package).
#
# Validators and their Debian 12 packages:
#   preseed       debconf-set-selections --checkonly FILE                 debconf
#                 + Anvil checks: no "Unknown type" warnings, boolean values, no clear-text passwords
#   autoinstall   cloud-init schema --config-file FILE                    cloud-init (22.4.2 in Debian 12)
#                 + the autoinstall.user-data section, written out as #cloud-config, through the same
#                   cloud-init schema check (it is cloud-init config for the installed system)
#                 + Anvil's JSON schema for the autoinstall keys Anvil uses (python3-jsonschema and
#                   python3-yaml, both pulled in by cloud-init): cloud-init itself only requires
#                   "autoinstall" to be a mapping with an integer "version" and ignores the rest
#   autoyast      xmllint --noout FILE                                    libxml2-utils
#                 + xmllint --relaxng with Anvil's generic RELAX NG grammar: root <profile> in the yast2
#                   namespace, config:type values only boolean/integer/list/symbol, and the content of
#                   typed elements matching the type. Debian packages no AutoYaST schema (openSUSE's
#                   yast2-schema has profile.rng); set ANVIL_AUTOYAST_RNG=/path/profile.rng to add it.
#   kickstart     ksvalidator -v RHEL9 FILE (pykickstart) when installed. Debian 12 does not package
#                 pykickstart, so otherwise Anvil's structural check (python3) runs: known RHEL 9 /
#                 Fedora 40 commands and their options, sections closed by %end, section options,
#                 removed commands, and the secrets policy (rootpw only --iscrypted or --lock).
#   post-install  sh -n FILE (dash, Debian's /bin/sh) and shellcheck -s sh FILE   shellcheck
#                 (shellcheck is skipped with a warning when not installed; SHELLCHECK_OPTS is honoured)
set -u

PACKAGES="debconf cloud-init libxml2-utils shellcheck"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3

usage() {
  echo "usage: validate.sh kickstart|preseed|autoinstall|autoyast|post-install FILE" >&2
  echo "       validate.sh --install" >&2
  exit 2
}

need() { # COMMAND PACKAGE
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "validate.sh: $1 not found: install the Debian package $2 (apt-get install $2)" >&2
    exit 3
  fi
}

fail() {
  echo "validate.sh: $kind: $file: INVALID" >&2
  exit 1
}

if [ "${1:-}" = "--install" ]; then
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $PACKAGES python3-yaml \
    python3-jsonschema
  exit $?
fi
[ $# -eq 2 ] || usage
kind=$1
file=$2
[ -f "$file" ] || { echo "validate.sh: no such file: $file" >&2; exit 2; }
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT

validate_preseed() {
  need debconf-set-selections debconf
  # --checkonly exits 1 on a malformed line but only warns (exit 0) on an unknown type: fail on both.
  debconf-set-selections --checkonly "$file" > "$tmp/out" 2>&1
  rc=$?
  cat "$tmp/out"
  if [ $rc -ne 0 ] || grep -q . "$tmp/out"; then
    fail
  fi
  # Anvil checks on the same line grammar (owner question type value, "\" continues a line).
  awk '
    { line = $0; sub(/\r$/, "", line) }
    cont != "" { line = cont line; cont = "" }
    line ~ /\\$/ { sub(/\\$/, "", line); cont = line; next }
    line ~ /^[ \t]*(#|$)/ { next }
    {
      n = split(line, f, /[ \t]+/)
      if (f[1] == "") { for (i = 1; i < n; i++) f[i] = f[i + 1]; n-- }
      q = f[2]; t = f[3]; v = (n >= 4) ? f[4] : ""
      if (q !~ /\//) { printf "line %d: question %s has no owner/name form\n", NR, q; bad = 1 }
      if (t == "boolean" && v != "true" && v != "false") {
        printf "line %d: %s: boolean value must be true or false, got \"%s\"\n", NR, q, v; bad = 1
      }
      if (q ~ /^passwd\/(root-password|root-password-again|user-password|user-password-again)$/ ||
          q == "grub-installer/password" || q == "grub-installer/password-again") {
        if (v != "") { printf "line %d: %s: clear-text password (use the -crypted question)\n", NR, q; bad = 1 }
      }
      if (seen[q]++ && q != "preseed/include") { printf "line %d: warning: %s set again (last one wins)\n", NR, q }
    }
    END { exit bad }
  ' "$file" || fail
}

validate_autoinstall() {
  need cloud-init cloud-init
  cloud-init schema --config-file "$file" || fail
  "$PY" - "$file" "$tmp/user-data.yaml" <<'PY' || fail
import sys
try:
    import yaml
    import jsonschema
except ImportError as e:
    print("validate.sh: %s: install python3-yaml python3-jsonschema (pulled in by cloud-init)" % e)
    sys.exit(3)

path, user_data_out = sys.argv[1], sys.argv[2]
with open(path, encoding="utf-8") as f:
    doc = yaml.safe_load(f)
if not isinstance(doc, dict) or "autoinstall" not in doc:
    print("%s: no top-level 'autoinstall' key: subiquity would not install unattended" % path)
    sys.exit(1)
ai = doc["autoinstall"]

commands = {"type": "array", "items": {"type": ["string", "array"], "items": {"type": "string"}}}
strings = {"type": "array", "items": {"type": "string"}}
schema = {
    "type": "object",
    "required": ["version"],
    "properties": {
        "version": {"type": "integer", "enum": [1]},
        "interactive-sections": strings,
        "early-commands": commands,
        "late-commands": commands,
        "error-commands": commands,
        "locale": {"type": "string"},
        "timezone": {"type": "string"},
        "refresh-installer": {
            "type": "object", "additionalProperties": False,
            "properties": {"update": {"type": "boolean"}, "channel": {"type": "string"}}},
        "keyboard": {
            "type": "object", "required": ["layout"], "additionalProperties": False,
            "properties": {"layout": {"type": "string"}, "variant": {"type": "string"},
                           "toggle": {"type": ["string", "null"]}}},
        "network": {"type": "object"},
        "proxy": {"type": ["string", "null"]},
        "apt": {"type": "object"},
        "storage": {"type": "object"},
        "identity": {
            "type": "object", "required": ["username", "hostname", "password"],
            "additionalProperties": False,
            "properties": {k: {"type": "string"} for k in ("realname", "username", "hostname", "password")}},
        "ssh": {
            "type": "object", "additionalProperties": False,
            "properties": {"install-server": {"type": "boolean"}, "authorized-keys": strings,
                           "allow-pw": {"type": "boolean"}}},
        "packages": strings,
        "snaps": {"type": "array", "items": {"type": "object", "required": ["name"]}},
        "debconf-selections": {"type": "string"},
        "updates": {"type": "string", "enum": ["security", "all"]},
        "shutdown": {"type": "string", "enum": ["reboot", "poweroff"]},
        "user-data": {"type": "object"},
        "reporting": {"type": "object"},
    },
}
errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(ai), key=lambda e: list(e.path))
for e in errors:
    print("autoinstall.%s: %s" % (".".join(str(p) for p in e.path) or "(top)", e.message))
if errors:
    sys.exit(1)
net = ai.get("network")
if net is not None:
    v2 = net.get("network", net)
    if not isinstance(v2, dict) or v2.get("version") != 2:
        print("autoinstall.network: must be netplan version 2")
        sys.exit(1)
if "identity" not in ai and "user-data" not in ai:
    print("autoinstall: neither 'identity' nor 'user-data': subiquity requires one of them")
    sys.exit(1)
if "password" in str(ai.get("user-data", {}).get("chpasswd", "")) or any(
        isinstance(u, dict) and ("plain_text_passwd" in u or "passwd" in u and not str(u["passwd"]).startswith("$"))
        for u in ai.get("user-data", {}).get("users", []) or []):
    print("autoinstall.user-data: clear-text password (use hashed_passwd or lock_passwd)")
    sys.exit(1)
with open(user_data_out, "w", encoding="utf-8") as f:
    if "user-data" in ai:
        f.write("#cloud-config\n")
        yaml.safe_dump(ai["user-data"], f, default_flow_style=False)
PY
  if [ -s "$tmp/user-data.yaml" ]; then
    cloud-init schema --config-file "$tmp/user-data.yaml" > "$tmp/out" 2>&1
    rc=$?
    sed 's|^|autoinstall.user-data: |' "$tmp/out"
    [ $rc -eq 0 ] || fail
  fi
}

validate_autoyast() {
  need xmllint libxml2-utils
  xmllint --noout "$file" || fail
  cat > "$tmp/anvil-autoyast.rng" <<'RNG'
<?xml version="1.0" encoding="UTF-8"?>
<grammar xmlns="http://relaxng.org/ns/structure/1.0"
         datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start>
    <element>
      <name ns="http://www.suse.com/1.0/yast2ns">profile</name>
      <zeroOrMore><ref name="node"/></zeroOrMore>
    </element>
  </start>
  <define name="node">
    <element>
      <nsName ns="http://www.suse.com/1.0/yast2ns"/>
      <choice>
        <group>
          <choice>
            <attribute><name ns="http://www.suse.com/1.0/configns">type</name><value>boolean</value></attribute>
            <attribute><name ns="">t</name><value>boolean</value></attribute>
          </choice>
          <choice><value>true</value><value>false</value></choice>
        </group>
        <group>
          <choice>
            <attribute><name ns="http://www.suse.com/1.0/configns">type</name><value>integer</value></attribute>
            <attribute><name ns="">t</name><value>integer</value></attribute>
          </choice>
          <data type="integer"/>
        </group>
        <group>
          <choice>
            <attribute><name ns="http://www.suse.com/1.0/configns">type</name><value>list</value></attribute>
            <attribute><name ns="">t</name><value>list</value></attribute>
          </choice>
          <zeroOrMore><ref name="node"/></zeroOrMore>
        </group>
        <group>
          <choice>
            <attribute><name ns="http://www.suse.com/1.0/configns">type</name><value>symbol</value></attribute>
            <attribute><name ns="">t</name><value>symbol</value></attribute>
          </choice>
          <text/>
        </group>
        <mixed><zeroOrMore><ref name="node"/></zeroOrMore></mixed>
      </choice>
    </element>
  </define>
</grammar>
RNG
  xmllint --noout --relaxng "$tmp/anvil-autoyast.rng" "$file" || fail
  if [ -n "${ANVIL_AUTOYAST_RNG:-}" ]; then
    xmllint --noout --relaxng "$ANVIL_AUTOYAST_RNG" "$file" || fail
  fi
  # Secrets policy: a <user_password> must be an encrypted one (<encrypted>true</encrypted> beside it).
  if xmllint --xpath "//*[local-name()='user'][*[local-name()='user_password'] and not(*[local-name()='encrypted'][normalize-space()='true'])]/*[local-name()='username']" \
    "$file" > "$tmp/out" 2>/dev/null; then
    echo "clear-text <user_password> for user(s): $(sed 's/<[^>]*>/ /g' "$tmp/out")" >&2
    fail
  fi
}

validate_kickstart() {
  if command -v ksvalidator >/dev/null 2>&1; then
    ksvalidator -v "${ANVIL_KS_VERSION:-RHEL9}" "$file" || fail
  fi
  "$PY" - "$file" <<'PY' || fail
# Anvil's structural kickstart check, after pykickstart's RHEL9 handler (Debian 12 has no pykickstart).
import re, shlex, sys

path = sys.argv[1]
F, V = "flag", "value"   # option takes no argument / takes one
def opts(flags="", values=""):
    d = {o: F for o in flags.split()}
    d.update({o: V for o in values.split()})
    return d

reboot = opts("--eject --kexec")
display = opts("--non-interactive")
COMMANDS = {
    "url": opts("--noverifyssl", "--url --mirrorlist --metalink --proxy"),
    "network": opts("--activate --no-activate --nodefroute --nodns --noipv4 --noipv6 --ipv4-ignore-auto-dns "
                    "--ipv6-ignore-auto-dns",
                    "--bootproto --device --ip --netmask --gateway --ipv6 --ipv6gateway --nameserver --hostname "
                    "--onboot --mtu --ethtool --essid --wepkey --wpakey --dhcpclass --bondslaves --bondopts "
                    "--vlanid --interfacename --teamslaves --teamconfig --bridgeslaves --bridgeopts --bindto "
                    "--ipv4-dns-search --ipv6-dns-search"),
    "rootpw": opts("--iscrypted --plaintext --lock --allow-ssh"),
    "sshkey": opts("", "--username"),
    "sshpw": opts("--iscrypted --plaintext --lock --sshkey", "--username"),
    "user": opts("--iscrypted --plaintext --lock", "--name --gecos --groups --homedir --password --shell --uid --gid"),
    "group": opts("", "--name --gid"),
    "bootloader": opts("--leavebootorder --nombr --disabled --iscrypted --extlinux --sdboot",
                       "--append --boot-drive --driveorder --location --password --timeout --md5pass"),
    "clearpart": opts("--all --initlabel --linux --none --list", "--drives --disklabel --cdl"),
    "autopart": opts("--encrypted --nohome --noboot --noswap --hibernation --nolvm",
                     "--type --fstype --passphrase --escrowcert --backuppassphrase --cipher --luks-version "
                     "--pbkdf --pbkdf-memory --pbkdf-time --pbkdf-iterations"),
    "reqpart": opts("--add-boot"),
    "zerombr": {}, "skipx": {}, "mediacheck": {},
    "reboot": reboot, "poweroff": reboot, "halt": reboot, "shutdown": reboot,
    "text": display, "cmdline": display, "graphical": display,
    "lang": opts("", "--addsupport"),
    "keyboard": opts("", "--vckeymap --xlayouts --switch"),
    "timezone": opts("--utc --isUtc --nontp", "--ntpservers"),
    "timesource": opts("--ntp-disable --nts", "--ntp-server --ntp-pool"),
    "firewall": opts("--enabled --enable --disabled --disable --use-system-defaults --ssh --smtp --http --ftp",
                     "--trust --port --service --remove-service"),
    "selinux": opts("--enforcing --permissive --disabled"),
    "services": opts("", "--enabled --disabled"),
    "firstboot": opts("--enable --enabled --disable --disabled --reconfig"),
    "eula": opts("--agreed --agree --accept"),
    "repo": opts("--ignoregroups --noverifyssl --install",
                 "--name --baseurl --mirrorlist --metalink --cost --excludepkgs --includepkgs --proxy "
                 "--sslcacert --sslclientcert --sslclientkey"),
    "ignoredisk": opts("", "--drives --only-use --interactive"),
}
# Known to RHEL 9 / Fedora 40 but options not checked here.
UNCHECKED = set("""btrfs cdrom fcoe harddrive hmc iscsi iscsiname liveimg logging logvol module mount nfs
  nvdimm ostreesetup ostreecontainer part partition raid realm rescue rhsm snapshot syspurpose updates vnc
  volgroup xconfig zfcp zipl bootc authselect""".split())
DEPRECATED = set("autostep device deviceprobe dmraid install method multipath".split())
REMOVED = {"auth": "use authselect", "authconfig": "use authselect", "upgrade": "removed",
           "interactive": "removed", "lilo": "removed", "lilocheck": "removed", "key": "removed",
           "langsupport": "removed", "monitor": "removed", "mouse": "removed", "firewalld": "use firewall"}
SECTIONS = {
    "%packages": opts("--default --excludedocs --ignoremissing --nobase --nocore --instLangs --multilib "
                      "--excludeWeakdeps --retries --timeout --inst-langs --exclude-weakdeps",
                      "--ignorebroken --retries --timeout"),
    "%pre": opts("--erroronfail", "--interpreter --log"),
    "%pre-install": opts("--erroronfail", "--interpreter --log"),
    "%post": opts("--nochroot --erroronfail", "--interpreter --log"),
    "%onerror": opts("--erroronfail", "--interpreter --log"),
    "%traceback": opts("--erroronfail", "--interpreter --log"),
    "%anaconda": {}, "%addon": None,
}
ONCE = set("url rootpw bootloader autopart clearpart zerombr lang keyboard timezone selinux firewall "
           "text cmdline graphical reboot poweroff halt shutdown skipx firstboot".split())

errors, warnings = [], []
def err(n, msg): errors.append("%s:%d: %s" % (path, n, msg))
def warn(n, msg): warnings.append("%s:%d: warning: %s" % (path, n, msg))

IPV4 = re.compile(r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$")
def is_ipv4(s): return bool(IPV4.match(s))
def is_ipv6(s): return ":" in s and bool(re.match(r"^[0-9A-Fa-f:.]+$", s))
HOST = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")

def parse_opts(n, name, args, table):
    """Returns (options dict, positional list); reports unknown options and missing values."""
    got, pos, i = {}, [], 0
    while i < len(args):
        a = args[i]
        if a.startswith("--"):
            key, eq, val = a.partition("=")
            kind = table.get(key) if table is not None else V
            if kind is None:
                err(n, "%s: unknown option %s" % (name, key))
            elif kind == F and eq:
                err(n, "%s: option %s takes no value" % (name, key))
            elif kind == V and not eq:
                if i + 1 < len(args) and not args[i + 1].startswith("--"):
                    i += 1
                    val = args[i]
                else:
                    err(n, "%s: option %s needs a value" % (name, key))
            if kind == V and eq and val == "":
                err(n, "%s: option %s has an empty value" % (name, key))
            got[key] = val if kind == V else True
        else:
            pos.append(a)
        i += 1
    return got, pos

def check_command(n, name, args):
    if name in REMOVED:
        err(n, "%s: command removed in RHEL 9 / Fedora 40 (%s)" % (name, REMOVED[name]))
        return
    if name in DEPRECATED:
        warn(n, "%s: command deprecated" % name)
        return
    if name in UNCHECKED:
        return
    if name not in COMMANDS:
        err(n, "unknown command %r" % name)
        return
    o, pos = parse_opts(n, name, args, COMMANDS[name])
    if name == "url":
        if sum(k in o for k in ("--url", "--mirrorlist", "--metalink")) != 1:
            err(n, "url: exactly one of --url, --mirrorlist, --metalink is required")
        u = o.get("--url")
        if isinstance(u, str) and not re.match(r"^(https?|ftp|nfs|file)://\S+$", u):
            err(n, "url: --url=%r is not a URL" % u)
    elif name == "network":
        bp = o.get("--bootproto", "dhcp")
        if bp not in ("dhcp", "bootp", "static", "query", "ibft"):
            err(n, "network: --bootproto=%s is not dhcp|bootp|static|query|ibft" % bp)
        if bp == "static" and not ("--ip" in o and "--netmask" in o):
            err(n, "network: --bootproto=static needs --ip and --netmask")
        for k in ("--ip", "--gateway"):
            if k in o and not is_ipv4(o[k]):
                err(n, "network: %s=%s is not an IPv4 address" % (k, o[k]))
        if "--netmask" in o and not (is_ipv4(o["--netmask"]) or re.match(r"^\d{1,2}$", o["--netmask"])):
            err(n, "network: --netmask=%s is not a netmask" % o["--netmask"])
        for ns in str(o.get("--nameserver", "")).split(",") if "--nameserver" in o else []:
            if not (is_ipv4(ns) or is_ipv6(ns)):
                err(n, "network: --nameserver %r is not an IP address" % ns)
        if "--ipv6" in o:
            v6 = o["--ipv6"]
            addr, _, pfx = v6.partition("/")
            if v6 not in ("auto", "dhcp") and not (is_ipv6(addr) and (pfx == "" or pfx.isdigit() and int(pfx) <= 128)):
                err(n, "network: --ipv6=%s is not auto, dhcp or ADDRESS[/PREFIX]" % v6)
        if "--hostname" in o and not HOST.match(o["--hostname"]):
            err(n, "network: --hostname=%s is not a valid host name" % o["--hostname"])
        if "--onboot" in o and o["--onboot"] not in ("yes", "no", "on", "off", "true", "false", "1", "0"):
            err(n, "network: --onboot=%s is not yes|no" % o["--onboot"])
        if pos:
            err(n, "network: unexpected arguments %s" % pos)
    elif name == "rootpw":
        if "--plaintext" in o:
            err(n, "rootpw: --plaintext is not allowed (Anvil secrets policy)")
        if len(pos) > 1:
            err(n, "rootpw: a single password argument is expected")
        if not pos and "--lock" not in o:
            err(n, "rootpw: a password is required unless --lock is given")
        if pos and "--iscrypted" not in o:
            err(n, "rootpw: clear-text password (use --iscrypted with a crypt(3) hash, or --lock)")
        if pos and "--iscrypted" in o and not re.match(r"^\$(1|2[aby]?|5|6|y|gy|7)\$\S+$", pos[0]):
            err(n, "rootpw: --iscrypted value is not a crypt(3) hash")
    elif name == "user":
        if "--name" not in o:
            err(n, "user: --name is required")
        if "--password" in o and "--iscrypted" not in o:
            err(n, "user: clear-text password (use --iscrypted)")
    elif name == "sshkey":
        if "--username" not in o:
            err(n, "sshkey: --username is required")
        if len(pos) != 1:
            err(n, "sshkey: exactly one quoted key is expected, got %d arguments" % len(pos))
        elif not re.match(r"^(ssh-(rsa|dss|ed25519)|ecdsa-sha2-nistp(256|384|521)|sk-\S+) [A-Za-z0-9+/=]+( .*)?$", pos[0]):
            err(n, "sshkey: %r is not an OpenSSH public key" % pos[0][:40])
    elif name == "autopart":
        if "--type" in o and o["--type"] not in ("lvm", "plain", "thinp", "btrfs"):
            err(n, "autopart: --type=%s is not lvm|plain|thinp|btrfs" % o["--type"])
    elif name == "bootloader":
        if "--location" in o and o["--location"] not in ("mbr", "partition", "none", "boot"):
            err(n, "bootloader: --location=%s is not mbr|partition|none|boot" % o["--location"])
        if "--timeout" in o and not str(o["--timeout"]).isdigit():
            err(n, "bootloader: --timeout must be a number")
        if "--password" in o and "--iscrypted" not in o:
            err(n, "bootloader: clear-text --password (use --iscrypted)")
    elif name == "timesource":
        if sum(k in o for k in ("--ntp-server", "--ntp-pool", "--ntp-disable")) != 1:
            err(n, "timesource: exactly one of --ntp-server, --ntp-pool, --ntp-disable")
    elif name in ("lang", "timezone"):
        if len(pos) != 1:
            err(n, "%s: one argument expected" % name)
    elif name in ("services",):
        if not o:
            err(n, "services: --enabled or --disabled is required")
    elif pos and name not in ("keyboard", "repo"):
        err(n, "%s: unexpected arguments %s" % (name, pos))

with open(path, encoding="utf-8") as fh:
    lines = fh.read().split("\n")
section, section_line, counts, commands = None, 0, {}, 0
for n, raw in enumerate(lines, 1):
    line = raw.strip()
    if section is not None:
        if line == "%end":
            section = None
        elif line.startswith("%") and line.split()[0] in SECTIONS:
            err(n, "%s started inside %s (line %d) without %%end" % (line.split()[0], section, section_line))
            section, section_line = line.split()[0], n
        continue
    if not line or line.startswith("#"):
        continue
    if line.startswith("%"):
        head = line.split()[0]
        if head == "%end":
            err(n, "%end without an open section")
        elif head in ("%include", "%ksappend"):
            warn(n, "%s is not followed by this check" % head)
        elif head in SECTIONS:
            section, section_line = head, n
            try:
                args = shlex.split(line, comments=True)[1:]
            except ValueError as e:
                err(n, "%s: %s" % (head, e))
                continue
            if head == "%addon":
                if not args:
                    err(n, "%addon needs an add-on name")
            else:
                parse_opts(n, head, args, SECTIONS[head])
        else:
            err(n, "unknown section %s" % head)
        continue
    try:
        words = shlex.split(line, comments=True)
    except ValueError as e:
        err(n, "cannot parse: %s" % e)
        continue
    if not words:
        continue
    commands += 1
    name = words[0]
    counts.setdefault(name, []).append(n)
    check_command(n, name, words[1:])
if section is not None:
    err(section_line, "%s is not closed by %%end" % section)
for name, at in counts.items():
    if name in ONCE and len(at) > 1:
        warn(at[-1], "%s given %d times (lines %s): the last one wins" % (name, len(at), at))
if commands == 0:
    err(len(lines), "no kickstart commands")
for w in warnings:
    print(w)
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
PY
}

validate_post_install() {
  sh -n "$file" || fail
  if command -v shellcheck >/dev/null 2>&1; then
    shellcheck -s sh "$file" || fail
  else
    echo "validate.sh: warning: shellcheck not installed (Debian package shellcheck): only sh -n ran" >&2
  fi
}

case "$kind" in
  preseed) validate_preseed ;;
  autoinstall) validate_autoinstall ;;
  autoyast) validate_autoyast ;;
  kickstart) validate_kickstart ;;
  post-install) validate_post_install ;;
  *) usage ;;
esac
echo "validate.sh: $kind: $file: OK"
