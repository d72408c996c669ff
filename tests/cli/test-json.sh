#!/usr/bin/env bash
# The command's reports: --dry-run's plan table, --status's report,
# --list-types, and each as JSON (--json) validated against the schemas in
# docs/schema/ with python3-jsonschema, then checked for the values the run
# had. Runs against the simulated kernel (--dry-run) and fixture roots
# (KEXEC_ROOT, built here from tests/fixtures/), never the running kernel.
#
# Usage: tests/cli/test-json.sh [KEXEC]   (default build/kexec)
# Prints "PASS: json: name" or "FAIL: json: name: why" per case.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
KEXEC=${1:-$top/build/kexec}
case "$KEXEC" in /*) ;; *) KEXEC="$PWD/$KEXEC" ;; esac
schemas=$top/docs/schema
fixtures=$top/tests/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS: json: $1"; }
fail() { echo "FAIL: json: $1: $2"; }

# Debian's python3 (with python3-jsonschema) first, then whatever python3 is.
PY=python3
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import jsonschema' 2>/dev/null; then
		PY=$p
		break
	fi
done
if ! "$PY" -c 'import jsonschema' 2>/dev/null; then
	fail setup "python3 has no jsonschema module (apt-get install python3-jsonschema; scripts/install-deps.sh)"
	exit 1
fi

# check.py SCHEMA DOC [EXPR...]: DOC is valid UTF-8 JSON, valid against
# SCHEMA, and each Python EXPR is true of it (d: the document, L: its "load",
# T: {name: type} of a types document, env: os.environ, envb: os.environb).
# check.py --reject SCHEMA DOC EDIT: after EDIT (a statement on d), DOC must
# be invalid: the schema can fail.
cat >"$tmp/check.py" <<'EOF'
import json, os, sys
import jsonschema

def load(schema_path, doc_path):
    schema = json.load(open(schema_path, encoding="utf-8"))
    raw = open(doc_path, "rb").read()
    try:
        return schema, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        print("not UTF-8 JSON: %s: %r" % (e, raw[:200]))
        sys.exit(1)

def errors(schema, d):
    v = jsonschema.Draft202012Validator(schema)
    return sorted(v.iter_errors(d), key=lambda e: list(e.absolute_path))

if sys.argv[1] == "--reject":
    schema, d = load(sys.argv[2], sys.argv[3])
    if errors(schema, d):
        print("the document is invalid before the edit")
        sys.exit(1)
    exec(sys.argv[4], {"d": d})
    if not errors(schema, d):
        print("the schema accepts the edited document: %s" % sys.argv[4])
        sys.exit(1)
    sys.exit(0)

schema, d = load(sys.argv[1], sys.argv[2])
errs = errors(schema, d)
if errs:
    e = jsonschema.exceptions.best_match(errs)
    print("schema: %s at /%s" % (e.message[:300], "/".join(map(str, e.absolute_path))))
    sys.exit(1)
ns = {"d": d, "L": d.get("load") if isinstance(d, dict) else None,
      "T": {t["name"]: t for t in d.get("types", [])} if isinstance(d, dict) else {},
      "env": os.environ, "envb": os.environb}
for expr in sys.argv[3:]:
    try:
        ok = eval(expr, ns)
    except Exception as e:
        print("%s: %r" % (expr, e))
        sys.exit(1)
    if not ok:
        print("not true: %s" % expr)
        sys.exit(1)
EOF

# ---- Inputs -------------------------------------------------------------------

if ! ${CC:-cc} -std=gnu11 -O1 -Wall -o "$tmp/gen" "$top/tests/bad-inputs/gen-bad-inputs.c"; then
	fail setup "cannot build gen-bad-inputs"
	exit 1
fi
mkdir "$tmp/in" && "$tmp/gen" "$tmp/in" >/dev/null || {
	fail setup "gen-bad-inputs failed"
	exit 1
}
K=$tmp/in/good.bzImage
E=$tmp/in/good.elf
I=$tmp/initrd
printf 'initrd\n' >"$I"
export I
# A kernel whose path JSON must escape: a quote, a backslash, a tab, a
# newline and a byte that is not UTF-8 (written as U+FFFD).
W=$(printf '%s/we"ird\\\tdir\nname\377.bz' "$tmp")
cp "$K" "$W"
export W
# An arm64 Image: a header (text_offset 0, image_size 16 MiB, 4K pages,
# anywhere in RAM) and padding.
"$PY" - "$tmp/Image" <<'EOF'
import struct, sys
h = bytearray(65536)
struct.pack_into("<IIQQQ", h, 0, 0x91005a4d, 0x14000000, 0, 16 << 20, 0xa)
h[0x38:0x3c] = b"ARM\x64"
open(sys.argv[1], "wb").write(h)
EOF
A=$tmp/Image
# Envelopes: the ELF vmlinux gzipped; a UKI (PE/COFF with .cmdline, .initrd
# and the bzImage as .linux).
gzip -c "$E" >"$tmp/vmlinux.gz"
"$PY" - "$K" "$tmp/uki.efi" <<'EOF2'
import struct, sys
secs = [(b".cmdline", b"uki=1 quiet\n\0\0"), (b".initrd", b"INITRD"),
        (b".linux", open(sys.argv[1], "rb").read())]
pe, off, data = 0x40, 0x200, b""
hdr = bytearray(off)
hdr[0:2] = b"MZ"
struct.pack_into("<I", hdr, 0x3c, pe)
hdr[pe:pe + 4] = b"PE\0\0"
struct.pack_into("<H", hdr, pe + 6, len(secs))
for i, (name, body) in enumerate(secs):
    s = pe + 24 + 40 * i
    hdr[s:s + 8] = name.ljust(8, b"\0")
    struct.pack_into("<IIII", hdr, s + 8, len(body), 0, len(body), off + len(data))
    data += body
open(sys.argv[2], "wb").write(bytes(hdr) + data)
EOF2
U=$tmp/uki.efi

# Roots: x86_64 with a 256 MiB reservation (crash-x86_64), arm64 (QEMU virt
# iomem and a device tree).
x86=$tmp/x86
cp -r "$fixtures/crash-x86_64" "$x86"
printf 'BOOT_IMAGE=/boot/vmlinuz root=/dev/vda1 crashkernel=256M quiet\n' >"$x86/proc/cmdline"
a64=$tmp/a64
mkdir -p "$a64/proc" "$a64/sys/firmware"
cp "$fixtures/qemu-aarch64/proc/iomem" "$a64/proc/iomem"
cp "$fixtures/dtb/sys/firmware/fdt" "$a64/sys/firmware/fdt"

# statusroot NAME BASE: BASE's /proc and /sys, plus what --status reads on a
# kernel with both syscalls, nothing loaded, kexec enabled, no lockdown.
statusroot() {
	local r=$tmp/st-$1
	cp -r "$fixtures/$2" "$r"
	mkdir -p "$r/sys/kernel/security" "$r/proc/sys/kernel"
	echo 0 >"$r/sys/kernel/kexec_loaded"
	echo 0 >"$r/sys/kernel/kexec_crash_loaded"
	echo 0 >"$r/sys/kernel/kexec_crash_size"
	printf '%s\n' '0000000000000000 T _stext' '0000000000000000 T __x64_sys_kexec_load' \
		'0000000000000000 T __x64_sys_kexec_file_load' \
		'0000000000000000 W __x64_sys_reboot' >"$r/proc/kallsyms"
	echo 0 >"$r/proc/sys/kernel/kexec_load_disabled"
	echo '[none] integrity confidentiality' >"$r/sys/kernel/security/lockdown"
	echo "$r"
}

# ---- Running ------------------------------------------------------------------

# run [ROOT=dir] [ARCH=name] -- ARGS: kexec with ARGS; $rc, $tmp/out, $tmp/err.
run() {
	local root=$x86 arch=""
	while [ "$1" != -- ]; do
		case "$1" in
		ROOT=*) root=${1#ROOT=} ;;
		ARCH=*) arch=${1#ARCH=} ;;
		esac
		shift
	done
	shift
	env ${arch:+KEXEC_ARCH=$arch} KEXEC_ROOT="$root" timeout "$((30 * ${KX_TIME_SCALE:-2}))" "$KEXEC" "$@" \
		>"$tmp/out" 2>"$tmp/err" </dev/null
	rc=$?
}

lines() { awk 'END { print NR }' "$1"; }

# want NAME RC ERRLINES: the exit status and the number of stderr lines.
want() {
	if [ "$rc" != "$2" ]; then
		fail "$1" "exit $rc, want $2: $(head -c 400 "$tmp/err" | tr '\n' '|')"
		return 1
	fi
	if [ "$(lines "$tmp/err")" != "$3" ]; then
		fail "$1" "$(lines "$tmp/err") lines on stderr, want $3: $(head -c 400 "$tmp/err" | tr '\n' '|')"
		return 1
	fi
}

# json NAME SCHEMA RC ERRLINES [ROOT=..] [ARCH=..] [EXPR...] -- ARGS
json() {
	local name=$1 schema=$schemas/kexec-$2.schema.json want_rc=$3 want_lines=$4
	shift 4
	local pre=() exprs=() msg
	while [ "$1" != -- ]; do
		case "$1" in
		ROOT=* | ARCH=*) pre+=("$1") ;;
		*) exprs+=("$1") ;;
		esac
		shift
	done
	run "${pre[@]}" "$@"
	want "$name" "$want_rc" "$want_lines" || return 1
	if ! msg=$("$PY" "$tmp/check.py" "$schema" "$tmp/out" "${exprs[@]}"); then
		fail "$name" "$msg"
		return 1
	fi
	cp "$tmp/out" "$tmp/last.json"
	pass "$name"
}

# table NAME RC ERRLINES [ROOT=..] [ARCH=..] [ERE...] -- ARGS: each ERE matches a line of stdout.
table() {
	local name=$1 want_rc=$2 want_lines=$3
	shift 3
	local pre=() res=()
	while [ "$1" != -- ]; do
		case "$1" in
		ROOT=* | ARCH=*) pre+=("$1") ;;
		*) res+=("$1") ;;
		esac
		shift
	done
	run "${pre[@]}" "$@"
	want "$name" "$want_rc" "$want_lines" || return 1
	for re in "${res[@]}"; do
		if ! grep -Eq -- "$re" "$tmp/out"; then
			fail "$name" "no line matches /$re/: $(head -c 600 "$tmp/out" | tr '\n' '|')"
			return 1
		fi
	done
	pass "$name"
}

# refused NAME TEXT -- ARGS: exit 1, one line on stderr naming TEXT, nothing on stdout.
refused() {
	local name=$1 text=$2
	shift 2
	run "$@"
	want "$name" 1 1 || return 1
	if [ -s "$tmp/out" ] || ! grep -qF -- "$text" "$tmp/err"; then
		fail "$name" "stdout $(wc -c <"$tmp/out") bytes; stderr lacks \"$text\": $(cat "$tmp/err")"
		return 1
	fi
	pass "$name"
}

# ---- Plans: tables --------------------------------------------------------------

table plan-table-file-load 0 0 \
	'^syscall: kexec_file_load$' '^format: bzImage \(boot protocol 2\.[0-9]{2}, Linux [^)]+\)$' \
	'^layers: none$' '^flags: 0 \(none\)$' "^kernel: $K \(10752 bytes\)$" "^initrd: $I \(7 bytes\)$" \
	'^command line: "a=b c" \(6 bytes with the NUL\)$' '^input +from$' \
	'^kernel +the KERNEL argument$' '^initrd +--initrd$' '^command line +--append$' \
	'^dry run: the simulated kernel accepted the load' \
	-- --dry-run -s -l "$K" --initrd="$I" --append="a=b c"
table plan-table-kexec-load-crash 0 0 \
	'^syscall: kexec_load$' '^flags: 0x3e0001 \(ON_CRASH, arch x86_64\)$' \
	'^command line: "root=/dev/vda1 quiet irqpoll" \([0-9]+ bytes with the NUL\)$' \
	'^command line +--reuse-cmdline \(/proc/cmdline without BOOT_IMAGE= and crashkernel=\), then --append$' \
	'^# +role +destination +memsz +bufsz +sha256$' \
	'^0 +kernel +0x[0-9a-f]{16}-0x[0-9a-f]{16} +[0-9]+ +[0-9]+  [0-9a-f]{16}$' \
	'^[0-9] +initrd .* 7  [0-9a-f]{16}$' '^[0-9] +elfcorehdr ' '^[0-9] +boot_params ' \
	'^[0-9] +purgatory ' '^entry: 0x[0-9a-f]+ \(purgatory, check: xxh3\)$' \
	-- --dry-run -c -p "$K" --initrd="$I" --reuse-cmdline --append=irqpoll
# A control byte in the command line stays on its line.
table plan-table-control-bytes 0 0 '^command line: "a\\x0ab\\x01c" \(6 bytes with the NUL\)$' \
	-- --dry-run -s -l "$K" --append="$(printf 'a\nb\001c')"
table plan-table-arm64 0 0 ARCH=arm64 ROOT="$a64" \
	'^syscall: kexec_load$' '^format: Image$' '^flags: 0xb70000 \(arch arm64\)$' \
	'^device tree: /sys/firmware/fdt, /chosen edited for the new kernel$' \
	"^device tree +the running kernel's \(/sys/firmware/fdt\)$" '^[0-9] +dtb +0x' \
	-- --dry-run -c -l "$A" --append=x

# ---- Plans: JSON ----------------------------------------------------------------

WANT_CMDLINE=$(printf 'q"uote b\\ack\ttab\001ctl\177del') json plan-file-load plan 0 0 \
	'd["arch"] == "x86_64" and d["ok"] and d["exit_status"] == 0 and d["error"] is None' \
	'd["crash"] is False and d["syscall_mode"] == "kexec_file_load" and d["actions"] == ["load"]' \
	'L["syscall"] == "kexec_file_load" and L["format"] == "bzImage" and L["layers"] == []' \
	'L["segments"] == [] and L["entry"] is None and L["flags"]["names"] == []' \
	'L["kernel"]["bytes"] == 10752 and L["kernel"]["from"] == ["argument"]' \
	'L["kernel"]["protocol"] == "2.15" and L["kernel"]["version"]' \
	'L["initrd"] == {"path": env["I"], "bytes": 7, "from": ["--initrd"]}' \
	'L["cmdline"]["text"] == env["WANT_CMDLINE"] and L["cmdline"]["from"] == ["--append"]' \
	'L["cmdline"]["bytes"] == len(env["WANT_CMDLINE"]) + 1' \
	'[a["syscall"] for a in d["attempts"]] == ["kexec_file_load"] and d["attempts"][0]["ok"]' \
	-- --dry-run --json -s -l "$K" --initrd="$I" \
	--append="$(printf 'q"uote b\\ack\ttab\001ctl\177del')"
json plan-weird-path plan 0 0 \
	'L["kernel"]["path"] == envb[b"W"].decode("utf-8", "replace")' \
	'"\ufffd" in L["kernel"]["path"] and "\n" in L["kernel"]["path"]' \
	-- --dry-run --json -s -l "$W"
json plan-kexec-load plan 0 0 \
	'L["syscall"] == "kexec_load" and L["format"] == "bzImage" and d["syscall_mode"] == "kexec_load"' \
	'[s["role"] for s in L["segments"]] == ["kernel", "initrd", "boot_params", "purgatory"]' \
	'[s["index"] for s in L["segments"]] == list(range(len(L["segments"])))' \
	'all(s["address_hex"] == hex(s["address"]) and s["end_hex"] == hex(s["end"]) for s in L["segments"])' \
	'all(s["end"] == s["address"] + s["memsz"] - 1 and s["bufsz"] <= s["memsz"] for s in L["segments"])' \
	'all(s["sha256"] and len(s["sha256"]) == 64 for s in L["segments"])' \
	'L["entry"]["address"] == L["segments"][3]["address"] and L["entry"]["address_hex"] == hex(L["entry"]["address"])' \
	'L["flags"]["value"] == 0x3e0000 and L["flags"]["value_hex"] == "0x3e0000" and L["flags"]["arch"] == "x86_64"' \
	'L["initrd"]["bytes"] == 7 and L["segments"][1]["bufsz"] == 7' \
	'L["kernel"]["protocol"] == "2.15"' \
	-- --dry-run --json -c -l "$K" --initrd="$I" --append="a b"
json plan-crash-kexec-load plan 0 0 \
	'd["crash"] is True and "ON_CRASH" in L["flags"]["names"] and L["flags"]["value"] & 1' \
	'"elfcorehdr" in [s["role"] for s in L["segments"]]' \
	'all(0x3000000 <= s["address"] and s["end"] <= 0x12ffffff for s in L["segments"])' \
	'L["cmdline"]["from"] == ["--reuse-cmdline", "--append"]' \
	'L["cmdline"]["text"] == "root=/dev/vda1 quiet irqpoll"' \
	-- --dry-run --json -c -p "$K" --reuse-cmdline --append=irqpoll
json plan-crash-file-load plan 0 0 \
	'd["crash"] is True and L["syscall"] == "kexec_file_load" and "ON_CRASH" in L["flags"]["names"]' \
	'L["initrd"] is None and "NO_INITRAMFS" in L["flags"]["names"] and L["cmdline"]["from"] == []' \
	'L["cmdline"] == {"text": "", "bytes": 1, "from": []}' \
	-- --dry-run --json -s -p "$K"
json plan-auto-fallback plan 0 0 \
	'd["syscall_mode"] == "auto" and [a["syscall"] for a in d["attempts"]] == ["kexec_file_load", "kexec_load"]' \
	'not d["attempts"][0]["ok"] and "elf-x86_64" in d["attempts"][0]["error"] and d["attempts"][1]["ok"]' \
	'L["syscall"] == "kexec_load" and L["format"] == "elf-x86_64" and d["ok"]' \
	-- --dry-run --json -l "$E"
json plan-gzip plan 0 0 \
	'L["layers"] == ["gzip"] and L["format"] == "elf-x86_64" and L["syscall"] == "kexec_load"' \
	"L['kernel']['unwrapped_bytes'] == $(stat -c %s "$E") and L['kernel']['bytes'] == $(stat -c %s "$tmp/vmlinux.gz")" \
	-- --dry-run --json -l "$tmp/vmlinux.gz"
table plan-table-gzip 0 0 "^layers: gzip \(the kernel inside: $(stat -c %s "$E") bytes\)\$" \
	-- --dry-run -l "$tmp/vmlinux.gz"
json plan-uki-file-load plan 0 0 \
	'L["layers"] == ["uki"] and L["format"] == "bzImage" and L["kernel"]["unwrapped_bytes"] == 10752' \
	'L["cmdline"] == {"text": "uki=1 quiet", "bytes": 12, "from": ["image"]}' \
	'L["initrd"] == {"path": None, "bytes": 6, "from": ["image"]}' \
	-- --dry-run --json -s -l "$U"
json plan-uki-kexec-load plan 0 0 \
	'L["layers"] == ["uki"] and L["syscall"] == "kexec_load"' \
	'L["cmdline"]["from"] == ["image"] and L["initrd"]["from"] == ["image"] and L["initrd"]["bytes"] == 6' \
	-- --dry-run --json -c -l "$U"
json plan-uki-own-cmdline plan 0 0 \
	'L["cmdline"] == {"text": "mine", "bytes": 5, "from": ["--append"]}' \
	'L["initrd"] == {"path": env["I"], "bytes": 7, "from": ["--initrd"]}' \
	-- --dry-run --json -s -l "$U" --append=mine --initrd="$I"
table plan-table-uki 0 0 '^layers: uki \(the kernel inside: 10752 bytes\)$' \
	"^initrd: the image's .initrd \(6 bytes\)$" '^command line: "uki=1 quiet" \(12 bytes with the NUL\)$' \
	'^initrd +the image \(a UKI.s section\)$' '^command line +the image \(a UKI.s section\)$' \
	-- --dry-run -s -l "$U"
json plan-refused plan 255 1 \
	'not d["ok"] and d["exit_status"] == 255 and d["load"] is None' \
	'"honoured only by kexec_load" in d["error"] and len(d["attempts"]) == 1' \
	-- --dry-run --json -s -i -l "$K"
if [ "$(sed 's/^kexec: //' "$tmp/err")" = "$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["error"])' "$tmp/last.json")" ]; then
	pass plan-refused-error-is-the-line
else
	fail plan-refused-error-is-the-line "$(cat "$tmp/err")"
fi
json plan-unreadable plan 1 1 'd["exit_status"] == 1 and "No such file" in d["error"]' \
	-- --dry-run --json -s -l "$tmp/nope"
json plan-exec plan 0 0 'd["actions"] == ["sync", "ifdown", "reboot"] and d["load"] is None' \
	-- --dry-run --json -e
json plan-unload plan 0 0 'd["actions"] == ["unload"] and d["crash"] and d["attempts"] == []' \
	-- --dry-run --json -p -u
json plan-arm64 plan 0 0 ARCH=arm64 ROOT="$a64" \
	'd["arch"] == "arm64" and L["format"] == "Image" and L["flags"]["arch"] == "arm64"' \
	'[s["role"] for s in L["segments"]] == ["kernel", "dtb", "purgatory"]' \
	'L["dtb"] == {"path": "/sys/firmware/fdt", "from": ["running-kernel"]}' \
	-- --dry-run --json -c -l "$A" --append=x
json plan-arm64-file-load plan 0 0 ARCH=arm64 ROOT="$a64" \
	'd["arch"] == "arm64" and L["syscall"] == "kexec_file_load" and L["format"] == "Image"' \
	'L["kernel"]["bytes"] == 65536 and L["dtb"] is None' \
	-- --dry-run --json -s -l "$A"

# The schema can fail: an address as a string, a segment without its digest,
# an unknown action, a load without its format.
if [ -s "$tmp/last.json" ]; then
	run -- --dry-run --json -c -l "$K"
	cp "$tmp/out" "$tmp/plan.json"
	for edit in 'd["load"]["segments"][0]["address"] = "0x1000"' \
		'del d["load"]["segments"][0]["sha256"]' \
		'd["actions"].append("frobnicate")' \
		'del d["load"]["format"]' \
		'd["load"]["segments"] = []' \
		'd["ok"] = False' \
		'd["surprise"] = 1'; do
		if msg=$("$PY" "$tmp/check.py" --reject "$schemas/kexec-plan.schema.json" "$tmp/plan.json" "$edit"); then
			pass "schema-rejects: $edit"
		else
			fail "schema-rejects: $edit" "$msg"
		fi
	done
fi

# The examples in docs/schema/README.md are valid too.
if msg=$("$PY" - "$top/docs/schema/README.md" "$schemas" <<'EOF2'
import json, re, sys
import jsonschema
text = open(sys.argv[1], encoding="utf-8").read()
blocks = re.findall(r"```json\n(.*?)```", text, re.S)
seen = set()
for b in blocks:
    d = json.loads(b)
    schema = json.load(open("%s/%s.schema.json" % (sys.argv[2], d["document"])))
    jsonschema.Draft202012Validator(schema).validate(d)
    seen.add(d["document"])
if seen != {"kexec-plan", "kexec-status", "kexec-types"}:
    print("examples of %s only" % sorted(seen))
    sys.exit(1)
EOF2
); then
	pass schema-readme-examples
else
	fail schema-readme-examples "$msg"
fi

# ---- --json only where there is a report -------------------------------------------

refused json-load "--json prints the report of --dry-run" -- --json -s -l "$K"
refused json-unload "--json prints the report of --dry-run" -- --json -u
refused json-exec "--json prints the report of --dry-run" -- -e --json
refused json-ckr-size "--json is not for --print-ckr-size" -- --dry-run --json --print-ckr-size
refused list-types-with-load "drop -l" -- --list-types -l "$K"
refused list-types-with-kernel "drop $K" -- --list-types "$K"
refused list-types-with-status "drop --status" -- --status --list-types

# ---- --status -------------------------------------------------------------------

crash=$(statusroot crash crash-x86_64)
echo 268435456 >"$crash/sys/kernel/kexec_crash_size"
echo 1 >"$crash/sys/kernel/kexec_crash_loaded"
export crash
json status-crash-loaded status 1 0 ROOT="$crash" \
	'd["images"] == {"normal": {"loaded": False, "error": None}, "crash": {"loaded": True, "error": None}}' \
	'd["exit_status"] == 1 and d["exit_status_of"] == "crash" and not d["simulated"] and d["root"] == env["crash"]' \
	'd["crash_reservation"]["bytes"] == 268435456 and not d["crash_reservation"]["ranges_hidden"]' \
	'[(r["start"], r["end"], r["bytes"]) for r in d["crash_reservation"]["ranges"]] == [(0x3000000, 0x12ffffff, 256 << 20)]' \
	'd["crash_reservation"]["ranges"][0]["start_hex"] == "0x3000000"' \
	'd["syscalls"] == {"kexec_load": True, "kexec_file_load": True, "error": None}' \
	'd["kexec_load_disabled"] is False and d["lockdown"] == "none" and d["unavailable"] == []' \
	'd["load_limits"] == {"reboot": -1, "panic": -1}' \
	'all(v == "yes" for c in d["can_load"].values() for v in c.values())' \
	-- --status --json
table status-crash-loaded-table 1 0 ROOT="$crash" \
	'^normal kernel +not loaded$' '^crash kernel +loaded$' \
	'^crash reservation +256 MiB \(268435456 bytes\)$' \
	'^crash ranges +0x0000000003000000-0x0000000012ffffff \(256 MiB\)$' \
	'^kexec_load +present$' '^kexec_file_load +present$' '^kexec_load_disabled +0$' \
	'^lockdown +none$' '^normal loads +kexec_file_load yes, kexec_load yes$' \
	'^exit status +1 \(the crash kernel is loaded\)$' \
	-- --status
json status-normal-asked status 0 0 ROOT="$crash" \
	'd["exit_status"] == 0 and d["exit_status_of"] == "normal"' \
	-- -l --status --json
# -S: kexec-tools' exit status, nothing printed; -S --json prints the document.
table status-S-quiet 1 0 ROOT="$crash" -- -S
if [ -s "$tmp/out" ]; then fail status-S-prints-nothing "$(cat "$tmp/out")"; else pass status-S-prints-nothing; fi
table status-S-normal 0 0 ROOT="$crash" -- -l -S
table status-S-crash-p 1 0 ROOT="$crash" -- -p -S
json status-S-json status 1 0 ROOT="$crash" 'd["exit_status"] == 1' -- -S --json
noread=$(statusroot noread crash-x86_64)
rm "$noread/sys/kernel/kexec_crash_loaded"
table status-S-unreadable 255 1 ROOT="$noread" -- -S
json status-unreadable status 255 1 ROOT="$noread" \
	'd["images"]["crash"]["loaded"] is None and "kexec_crash_loaded" in d["images"]["crash"]["error"]' \
	'd["exit_status"] == 255' \
	-- --status --json

nocrash=$(statusroot nocrash x86-bios)
json status-no-crash-region status 0 0 ROOT="$nocrash" \
	'[u["reason"] for u in d["unavailable"]] == ["no_crash_region"]' \
	'd["crash_reservation"]["bytes"] == 0 and d["crash_reservation"]["ranges"] == []' \
	'd["can_load"] == {"normal": {"kexec_file_load": "yes", "kexec_load": "yes"}, "crash": {"kexec_file_load": "no", "kexec_load": "no"}}' \
	-- --status --json
table status-no-crash-region-table 0 0 ROOT="$nocrash" '^crash reservation +none$' \
	'^crash ranges +none in /proc/iomem$' '^crash loads +kexec_file_load no, kexec_load no$' \
	'^unavailable because +no memory is reserved for a crash kernel: boot with crashkernel=' \
	-- --status

disabled=$(statusroot disabled crash-x86_64)
echo 1 >"$disabled/proc/sys/kernel/kexec_load_disabled"
json status-load-disabled status 0 0 ROOT="$disabled" \
	'"kexec_load_disabled" in [u["reason"] for u in d["unavailable"]] and d["kexec_load_disabled"] is True' \
	'all(v == "no" for c in d["can_load"].values() for v in c.values())' \
	-- --status --json
table status-load-disabled-table 0 0 ROOT="$disabled" \
	'^unavailable because +kexec is disabled \(kernel\.kexec_load_disabled=1\)' -- --status

for mode in integrity confidentiality; do
	lock=$(statusroot "lock-$mode" crash-x86_64)
	echo 268435456 >"$lock/sys/kernel/kexec_crash_size"
	sed -i "s/\[none\] integrity confidentiality/none integrity confidentiality/; s/ $mode/ [$mode]/" \
		"$lock/sys/kernel/security/lockdown"
	json "status-lockdown-$mode" status 0 0 ROOT="$lock" \
		"d['lockdown'] == '$mode' and [u['reason'] for u in d['unavailable']] == ['lockdown']" \
		'd["can_load"]["normal"] == {"kexec_file_load": "signed-only", "kexec_load": "no"}' \
		'd["can_load"]["crash"] == {"kexec_file_load": "signed-only", "kexec_load": "no"}' \
		-- --status --json
	table "status-lockdown-$mode-table" 0 0 ROOT="$lock" "^lockdown +$mode\$" \
		'^unavailable because +the kernel is locked down' \
		'^normal loads +kexec_file_load signed-only, kexec_load no$' -- --status
done

limits=$(statusroot limits crash-x86_64)
echo 268435456 >"$limits/sys/kernel/kexec_crash_size"
echo 0 >"$limits/proc/sys/kernel/kexec_load_limit_reboot"
echo 3 >"$limits/proc/sys/kernel/kexec_load_limit_panic"
json status-load-limit status 0 0 ROOT="$limits" \
	'd["load_limits"] == {"reboot": 0, "panic": 3}' \
	'[u["reason"] for u in d["unavailable"]] == ["load_limit_reboot"]' \
	'd["can_load"]["normal"]["kexec_load"] == "no" and d["can_load"]["crash"]["kexec_load"] == "yes"' \
	-- --status --json
table status-load-limit-table 0 0 ROOT="$limits" '^load limits +reboot 0 \(used up\), panic 3 left$' \
	'^unavailable because +the load limit for normal kernels is used up' -- --status

nokexec=$(statusroot nokexec crash-x86_64)
echo 268435456 >"$nokexec/sys/kernel/kexec_crash_size"
printf '%s\n' '0000000000000000 T _stext' '0000000000000000 W __x64_sys_kexec_load' >"$nokexec/proc/kallsyms"
json status-no-syscalls status 0 0 ROOT="$nokexec" \
	'd["syscalls"] == {"kexec_load": False, "kexec_file_load": False, "error": None}' \
	'[u["reason"] for u in d["unavailable"]] == ["no_kexec_load", "no_kexec_file_load"]' \
	-- --status --json
table status-no-syscalls-table 0 0 ROOT="$nokexec" '^kexec_load +absent \(no CONFIG_KEXEC\)$' \
	'^unavailable because +the running kernel has no kexec_load \(built without CONFIG_KEXEC\)$' \
	'^ +the running kernel has no kexec_file_load \(built without CONFIG_KEXEC_FILE\)$' -- --status

hidden=$(statusroot hidden hidden)
echo 268435456 >"$hidden/sys/kernel/kexec_crash_size"
json status-hidden-ranges status 0 0 ROOT="$hidden" \
	'd["crash_reservation"]["ranges_hidden"] and d["crash_reservation"]["ranges"] == []' \
	'd["crash_reservation"]["bytes"] == 268435456 and d["unavailable"] == []' \
	-- --status --json
table status-hidden-ranges-table 0 0 ROOT="$hidden" '^crash ranges +hidden ' -- --status

highlow=$(statusroot highlow crash-high-low)
echo 536870912 >"$highlow/sys/kernel/kexec_crash_size"
json status-two-ranges status 0 0 ROOT="$highlow" \
	'[(r["start_hex"], r["end_hex"]) for r in d["crash_reservation"]["ranges"]] == [("0xaf000000", "0xbeffffff"), ("0x120000000", "0x13fffffff")]' \
	-- --status --json

json status-simulated status 0 0 \
	'd["simulated"] and d["images"]["crash"]["loaded"] is False' \
	'd["crash_reservation"]["ranges"][0]["start"] == 0x3000000' \
	-- --dry-run --status --json

# The status schema can fail too.
run ROOT="$crash" -- --status --json
cp "$tmp/out" "$tmp/status.json"
for edit in 'd["unavailable"].append({"reason": "bad_luck", "message": "x"})' \
	'd["images"]["crash"]["loaded"] = "yes"' \
	'd["load_limits"]["panic"] = -5' \
	'del d["exit_status"]'; do
	if msg=$("$PY" "$tmp/check.py" --reject "$schemas/kexec-status.schema.json" "$tmp/status.json" "$edit"); then
		pass "schema-rejects: $edit"
	else
		fail "schema-rejects: $edit" "$msg"
	fi
done

# ---- --list-types -----------------------------------------------------------------

table list-types 0 0 \
	'^bzImage +bzImage64 +kexec_file_load, kexec_load +[^ ]' '^elf-x86_64 +[^ ]+ +kexec_load +[^ ]' \
	-- --list-types
json list-types-json types 0 0 \
	'd["arch"] == "x86_64" and list(T)[:2] == ["bzImage", "elf-x86_64"]' \
	'T["bzImage"]["aliases"] == ["bzImage64"] and T["bzImage"]["syscalls"] == ["kexec_file_load", "kexec_load"]' \
	'T["elf-x86_64"]["syscalls"] == ["kexec_load"]' \
	-- --list-types --json
# One line a format, no header: the first words are the names, in order
# (the bash completion takes them for -t).
run -- --list-types
awk '{ print $1 }' "$tmp/out" >"$tmp/names.txt"
run -- --list-types --json
if "$PY" -c 'import json, sys
names = [t["name"] for t in json.load(open(sys.argv[1]))["types"]]
sys.exit(open(sys.argv[2]).read().split() != names)' "$tmp/out" "$tmp/names.txt"; then
	pass list-types-one-line-each
else
	fail list-types-one-line-each "first words $(tr '\n' ' ' <"$tmp/names.txt")"
fi
table list-types-arm64 0 0 ARCH=arm64 '^Image +arm64,image-arm64 +kexec_file_load, kexec_load ' \
	'^elf-arm64 +[^ ]+ +none \(refused\) ' -- --list-types
json list-types-arm64-json types 0 0 ARCH=arm64 \
	'd["arch"] == "arm64" and list(T)[:2] == ["Image", "elf-arm64"] and T["elf-arm64"]["syscalls"] == []' \
	'"bzImage" not in T' \
	-- --list-types --json --dry-run
run ARCH=riscv64 -- --list-types --json
if [ "$rc" = 0 ] && msg=$("$PY" "$tmp/check.py" "$schemas/kexec-types.schema.json" "$tmp/out" \
	'd["arch"] == "riscv64" and "Image" in T'); then
	pass list-types-riscv64-json
else
	fail list-types-riscv64-json "exit $rc: ${msg:-$(cat "$tmp/err")}"
fi

# ---- --help ------------------------------------------------------------------------

run -- --help
help_ok=1
for re in '^Modes:$' '^What to load:$' '^Syscall:$' '^kexec_load placement' '^Crash kernels' \
	'^Output:$' '^Refused \(kexec-tools options this kexec does not honour\):$' \
	'^ +--json ' '^ +--list-types ' '^ -S, --status ' '^ +--dry-run ' '^ +--load-preserve-context' \
	'^ +--entry=ADDR ' '^ +--reuseinitrd ' '^ +--exec-live-update, --load-live-update( |$)' \
	'^ +--serial-baud=BAUD ' '^ +--module=X ' '^ -t, --type=TYPE .*bzImage'; do
	if ! grep -Eq -- "$re" "$tmp/out"; then
		fail help-groups "no line matches /$re/"
		help_ok=0
	fi
done
if [ "$(awk 'length > 80' "$tmp/out" | wc -l)" != 0 ]; then
	fail help-width "lines over 80 columns: $(awk 'length > 80' "$tmp/out" | head -3)"
	help_ok=0
fi
[ "$help_ok" = 1 ] && pass help-groups
