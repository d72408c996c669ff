# shellcheck shell=bash
# tests/vm/lib.sh - shared helpers for the QEMU (TCG) VM tests.
#
# Source it from a test script:
#   . "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Environment:
#   KEXEC_BIN       static x86_64 kexec binary to test (default: <repo>/build/kexec)
#   LIBKEXEC_CACHE  where the Debian cloud kernel is downloaded and unpacked
#                   (default: ${XDG_CACHE_HOME:-$HOME/.cache}/libkexec)
#   VM_LOG_DIR      where serial logs and scenario scripts go
#                   (default: <repo>/build/vm-logs)
#   VM_TIMEOUT      seconds before a guest is killed (default: 90)
#   VM_EXTRA_ROOT   optional directory whose contents are copied into the
#                   stage-1 initramfs (e.g. shared libraries for a dynamically
#                   linked kexec used while developing the harness)
#
# Nothing here ever runs kexec on the host: kexec only runs inside guests.

VM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_REPO_ROOT=$(cd "$VM_LIB_DIR/../.." && pwd)
VM_LOG_DIR=${VM_LOG_DIR:-$VM_REPO_ROOT/build/vm-logs}
VM_TIMEOUT=${VM_TIMEOUT:-90}
VM_KERNEL=${VM_KERNEL:-}
VM_KVER=${VM_KVER:-}
VM_INITRD=${VM_INITRD:-}
VM_FAILURES=()

vm_kexec_bin() {
	local bin=${KEXEC_BIN:-$VM_REPO_ROOT/build/kexec}
	case $bin in
	/*) ;;
	*) bin=$PWD/$bin ;;
	esac
	printf '%s\n' "$bin"
}

vm_cache_dir() {
	printf '%s\n' "${LIBKEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libkexec}"
}

vm_die() {
	printf 'vm: error: %s\n' "$*" >&2
	exit 1
}

# Print the name of the versioned kernel package that linux-image-cloud-amd64
# currently depends on, or nothing.
vm__resolve_kernel_pkg() {
	apt-cache depends linux-image-cloud-amd64 2>/dev/null |
		awk '$1 ~ /Depends:$/ && $2 ~ /^linux-image-[0-9].*-cloud-amd64$/ { print $2; exit }'
}

# vm__cached_kernel: newest vmlinuz already unpacked in the cache, or nothing.
vm__cached_kernel() {
	find "$(vm_cache_dir)" -path '*/boot/vmlinuz-*' 2>/dev/null | sort -V | tail -n 1
}

# vm__use_cached_kernel WHY: fall back to the newest cached kernel, or die.
vm__use_cached_kernel() {
	local k
	k=$(vm__cached_kernel)
	[[ -n $k ]] || vm_die "$1, and no kernel is cached in $(vm_cache_dir)"
	echo "vm: warning: $1; using cached $k" >&2
	VM_KERNEL=$k
	VM_KVER=${k##*/vmlinuz-}
}

# vm_fetch_kernel: make sure the current Debian cloud kernel (the package
# linux-image-cloud-amd64 depends on) is unpacked in the cache and set
# VM_KERNEL (vmlinuz path) and VM_KVER (its release string). Only boot/ is
# unpacked (no modules: the guests run from an initramfs). Works offline once
# something has been cached.
vm_fetch_kernel() {
	local cache pkg deb dir k
	cache=$(vm_cache_dir)
	mkdir -p "$cache"

	pkg=$(vm__resolve_kernel_pkg)
	if [[ -z $pkg ]]; then
		apt-get update -qq >"$cache/apt-update.log" 2>&1 || true
		pkg=$(vm__resolve_kernel_pkg)
	fi
	if [[ -z $pkg ]]; then
		vm__use_cached_kernel "apt-cache cannot resolve linux-image-cloud-amd64"
		return 0
	fi

	dir=$cache/$pkg
	if [[ ! -e $dir/.extracted ]]; then
		deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
		if [[ -z $deb ]]; then
			# apt-get download writes into the current directory; as root it
			# warns that the download is unsandboxed, which is harmless.
			if ! (cd "$cache" && apt-get download -q "$pkg") >"$cache/apt-download.log" 2>&1; then
				vm__use_cached_kernel "apt-get download $pkg failed (see $cache/apt-download.log)"
				return 0
			fi
			deb=$(find "$cache" -maxdepth 1 -name "${pkg}_*.deb" | sort -V | tail -n 1)
			[[ -n $deb ]] || vm_die "apt-get download $pkg produced no .deb in $cache"
		fi
		rm -rf "$dir"
		mkdir -p "$dir"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$dir" ./boot ||
			vm_die "unpacking boot/ from $deb failed"
		touch "$dir/.extracted"
	fi

	k=$(find "$dir/boot" -maxdepth 1 -name 'vmlinuz-*' | sort -V | tail -n 1)
	[[ -n $k ]] || vm_die "no vmlinuz in $dir/boot"
	VM_KERNEL=$k
	VM_KVER=${k##*/vmlinuz-}
}

vm__busybox() {
	local bb
	for bb in /bin/busybox /usr/bin/busybox; do
		if [[ -x $bb ]] && vm_file_is_static "$bb"; then
			printf '%s\n' "$bb"
			return 0
		fi
	done
	vm_die "static busybox not found (apt-get install busybox-static)"
}

# True when $1 is not a dynamically linked ELF (no PT_INTERP).
vm_file_is_static() {
	! LC_ALL=C readelf -l "$1" 2>/dev/null | grep -q 'Requesting program interpreter'
}

# Populate directory $1 with busybox and its applet symlinks plus the
# standard mount points.
vm__populate_busybox_root() {
	local root=$1 bb applet
	bb=$(vm__busybox)
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,boot,root,etc}
	cp "$bb" "$root/bin/busybox"
	while IFS= read -r applet; do
		[[ -n $applet && ! -e $root/$applet && ! -L $root/$applet ]] || continue
		ln -s /bin/busybox "$root/$applet"
	done < <("$root/bin/busybox" --list-full)
	# Never let a busybox applet shadow the kexec under test.
	rm -f "$root/bin/kexec" "$root/sbin/kexec" "$root/usr/bin/kexec" "$root/usr/sbin/kexec"
	if [[ $(id -u) -eq 0 ]]; then
		mknod -m 600 "$root/dev/console" c 5 1
		mknod -m 666 "$root/dev/null" c 1 3
	fi
}

# Write a newc cpio of directory $1 to file $2 (gzip -1 when $2 ends in .gz).
vm__pack() {
	local root=$1 out=$2
	case $out in
	*.gz) (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out" ;;
	*) (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$out" ;;
	esac
}

# The stage-2 /init: report the command line and the vmcore ELF magic.
vm__stage2_init() {
	cat <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
echo
echo "STAGE2-CMDLINE: $(cat /proc/cmdline)"
if [ -e /proc/vmcore ]; then
	echo "STAGE2-VMCORE-MAGIC: $(head -c 4 /proc/vmcore | od -An -tx1 | tr -d ' \n')"
fi
echo "STAGE2-KERNEL: $(uname -r)"
echo STAGE2-DONE
poweroff -f
sleep 5
EOF
}

# The stage-1 /init: run /scenario.sh and power off.
vm__stage1_init() {
	cat <<'EOF'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
echo # the firmware's terminal escapes end up on the same line
echo "STAGE1-START kernel=$(uname -r)"
sh /scenario.sh
rc=$?
echo "STAGE1-RESULT rc=$rc"
poweroff -f
sleep 5
EOF
}

# Helpers for scenario scripts: ". /lib/vmtest.sh".
vm__scenario_helpers() {
	cat <<'EOF'
# vt_run TAG CMD...: run CMD, print its stdout/stderr lines prefixed with
# "OUT TAG: " / "ERR TAG: ", the stderr line count as "ERRLINES TAG: N"
# ("ERRNONEWLINE TAG" if stderr does not end in a newline), then "RC TAG: N".
# Returns CMD's status.
vt_run() {
	_t=$1
	shift
	_s=
	for _a in "$@"; do
		case $_a in
		*[!A-Za-z0-9_./=:,+-]* | '') _s="$_s '$_a'" ;;
		*) _s="$_s $_a" ;;
		esac
	done
	echo "RUN $_t:$_s"
	"$@" >"/tmp/vt.$_t.out" 2>"/tmp/vt.$_t.err"
	_rc=$?
	awk -v p="OUT $_t: " '{ print p $0 }' "/tmp/vt.$_t.out"
	awk -v p="ERR $_t: " '{ print p $0 }' "/tmp/vt.$_t.err"
	echo "ERRLINES $_t: $(awk 'END { print NR }' "/tmp/vt.$_t.err")"
	if [ -s "/tmp/vt.$_t.err" ] && [ "$(tail -c 1 "/tmp/vt.$_t.err" | od -An -tx1 | tr -d ' ')" != 0a ]; then
		echo "ERRNONEWLINE $_t"
	fi
	echo "RC $_t: $_rc"
	return $_rc
}
# vt_check NAME GOT WANT: one line the host compares.
vt_check() {
	echo "CHECK $1 got=$2 want=$3"
}
vt_loaded() { cat /sys/kernel/kexec_loaded; }
vt_crash_loaded() { cat /sys/kernel/kexec_crash_loaded; }
EOF
}

# vm_build_initramfs OUT SCENARIO_SCRIPT
# Build the stage-1 initramfs (newc cpio; gzip -1 when OUT ends in .gz) with
# busybox, $KEXEC_BIN as /bin/kexec, the stage-2 kernel at /boot/vmlinuz, the
# stage-2 initramfs at /boot/stage2.cpio.gz and SCENARIO_SCRIPT at /scenario.sh.
# Sets VM_INITRD=OUT.
vm_build_initramfs() {
	local out=$1 scenario=$2 kexec work
	[[ -n $VM_KERNEL ]] || vm_fetch_kernel
	kexec=$(vm_kexec_bin)
	[[ -f $kexec ]] || vm_die "kexec binary $kexec does not exist (build it first, or set KEXEC_BIN)"
	[[ -f $scenario ]] || vm_die "scenario $scenario does not exist"
	mkdir -p "$(dirname "$out")"
	work=$(mktemp -d "${TMPDIR:-/tmp}/vm-initramfs.XXXXXX")

	vm__populate_busybox_root "$work/s2"
	vm__stage2_init >"$work/s2/init"
	chmod 755 "$work/s2/init"

	vm__populate_busybox_root "$work/s1"
	vm__pack "$work/s2" "$work/s1/boot/stage2.cpio.gz"
	cp "$VM_KERNEL" "$work/s1/boot/vmlinuz"
	cp "$kexec" "$work/s1/bin/kexec"
	chmod 755 "$work/s1/bin/kexec"
	if [[ -n ${VM_EXTRA_ROOT:-} ]]; then
		cp -a "$VM_EXTRA_ROOT/." "$work/s1/"
	fi
	mkdir -p "$work/s1/lib"
	vm__scenario_helpers >"$work/s1/lib/vmtest.sh"
	cp "$scenario" "$work/s1/scenario.sh"
	vm__stage1_init >"$work/s1/init"
	chmod 755 "$work/s1/init"

	vm__pack "$work/s1" "$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$work"
	VM_INITRD=$out
}

# vm_run LOGFILE CMDLINE_EXTRA [MEM]
# Boot $VM_KERNEL with $VM_INITRD under TCG; the serial console (with CRs
# stripped) ends up in LOGFILE. Returns qemu's exit status: 124 when killed
# after $VM_TIMEOUT seconds, 125 when killed because a guest kernel panicked
# and halted (a kernel booted without panic=-1, e.g. a crash kernel, spins
# forever after a panic: stopping it early saves the rest of the timeout).
vm_run() {
	local log=$1 extra=$2 mem=${3:-1G} rc=0 pid panicked=0
	[[ -n $VM_KERNEL ]] || vm_die "vm_run: VM_KERNEL not set (call vm_fetch_kernel)"
	[[ -n $VM_INITRD ]] || vm_die "vm_run: VM_INITRD not set (call vm_build_initramfs)"
	mkdir -p "$(dirname "$log")"
	# "quiet" = loglevel 4: KERN_ERR and worse still reach the console, so
	# panics, oopses and BUGs stay visible; the sysrq handler raises the
	# console loglevel itself while printing "sysrq: Trigger a crash".
	# -no-reboot: a guest reboot (panic=-1) ends qemu; kexec is no reboot.
	timeout -k 5 "$VM_TIMEOUT" \
		qemu-system-x86_64 -accel tcg -cpu max -m "$mem" -smp 1 \
		-nographic -no-reboot -nic none \
		-kernel "$VM_KERNEL" -initrd "$VM_INITRD" \
		-append "console=ttyS0 panic=-1 quiet $extra" \
		</dev/null >"$log.raw" 2>&1 &
	pid=$!
	# "---[ end Kernel panic" is printed only when the panicking kernel
	# neither kexecs a crash kernel nor reboots: the guest is dead.
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q -- '---\[ end Kernel panic' "$log.raw"; then
			sleep 3
			if kill -0 "$pid" 2>/dev/null; then
				panicked=1
				kill "$pid" 2>/dev/null || true
			fi
			break
		fi
		sleep 0.3
	done
	wait "$pid" || rc=$?
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	if ((panicked)); then
		rc=125
		echo "VM-HARNESS: a guest kernel panicked and halted; qemu stopped" >>"$log"
	elif [[ $rc -eq 124 ]]; then
		echo "VM-HARNESS: qemu killed after ${VM_TIMEOUT}s timeout" >>"$log"
	fi
	return "$rc"
}

# ---- assertions on a log ---------------------------------------------------
# Each assertion prints "  ok   DESC" or "  FAIL DESC" (plus the log tail) and
# records failures in VM_FAILURES; they always return 0 so that set -e test
# scripts carry on and report every problem. vm_finish turns it into a verdict.

vm__fail() {
	local log=$1 desc=$2
	VM_FAILURES+=("$desc")
	echo "  FAIL $desc"
	if [[ -f $log ]]; then
		echo "  --- last lines of $log ---"
		tail -n 25 "$log" | sed 's/^/  | /'
		echo "  ---"
	fi
}

vm_ok() {
	echo "  ok   $1"
}

# vm_expect LOG ERE DESCRIPTION: some line matches ERE.
vm_expect() {
	local log=$1 pat=$2 desc=$3
	if grep -Eq -- "$pat" "$log"; then
		vm_ok "$desc"
	else
		vm__fail "$log" "$desc"
	fi
}

# vm_expect_not LOG ERE DESCRIPTION: no line matches ERE.
vm_expect_not() {
	local log=$1 pat=$2 desc=$3
	if grep -Eq -- "$pat" "$log"; then
		vm__fail "$log" "$desc"
	else
		vm_ok "$desc"
	fi
}

# vm_expect_line LOG LINE DESCRIPTION: LINE occurs as an exact line.
vm_expect_line() {
	local log=$1 line=$2 desc=$3
	if grep -Fxq -- "$line" "$log"; then
		vm_ok "$desc"
	else
		vm__fail "$log" "$desc"
	fi
}

# vm_line_no LOG ERE: number of the first line matching ERE (empty if none).
vm_line_no() {
	grep -En -m 1 -- "$2" "$1" | cut -d: -f1 || true
}

# vm_expect_order LOG ERE1 ERE2 DESCRIPTION: first ERE2 line after first ERE1.
vm_expect_order() {
	local log=$1 a b desc=$4
	a=$(vm_line_no "$log" "$2")
	b=$(vm_line_no "$log" "$3")
	if [[ -n $a && -n $b ]] && ((a < b)); then
		vm_ok "$desc"
	else
		vm__fail "$log" "$desc"
	fi
}

# vm_expect_checks LOG MIN: every "CHECK name got=X want=Y" line has X == Y,
# and there are at least MIN of them.
vm_expect_checks() {
	local log=$1 min=$2 line name got want n=0 bad=0
	while IFS= read -r line; do
		n=$((n + 1))
		name=${line#CHECK }
		name=${name%% *}
		got=${line#* got=}
		got=${got%% want=*}
		want=${line##* want=}
		if [[ $got == "$want" ]]; then
			vm_ok "check $name (=$got)"
		else
			bad=$((bad + 1))
			vm__fail "" "check $name: got $got, want $want"
		fi
	done < <(grep -E '^CHECK [^ ]+ got=.* want=' "$log")
	if ((n < min)); then
		vm__fail "$log" "only $n of $min CHECK lines present"
	fi
}

# vm_field LOG PREFIX: text after PREFIX on the first line starting with PREFIX.
vm_field() {
	VM_P=$2 awk 'index($0, ENVIRON["VM_P"]) == 1 { print substr($0, length(ENVIRON["VM_P"]) + 1); exit }' "$1"
}

# vm_re_escape STRING: STRING with ERE metacharacters backslash-escaped.
# shellcheck disable=SC2016 # a sed script, not a shell expansion
vm_re_escape() {
	printf '%s' "$1" | sed 's/[][\\.*^$(){}+?|/]/\\&/g'
}

# vm_nonce: a short random token so a log from an earlier run cannot match.
vm_nonce() {
	od -An -N4 -tx1 /dev/urandom | tr -d ' \n'
}

# vm_finish NAME: print "PASS: NAME" or "FAIL: NAME: <first failure>" and exit.
vm_finish() {
	local name=$1
	if ((${#VM_FAILURES[@]} == 0)); then
		echo "PASS: $name"
		exit 0
	fi
	echo "FAIL: $name: ${VM_FAILURES[0]}"
	exit 1
}

# vm_sh_quote STRING: STRING as one single-quoted sh word.
vm_sh_quote() {
	local q="'\\''"
	printf "'%s'" "${1//\'/$q}"
}

# vm_test_setup NAME: common preamble for test-*.sh. Sets VM_TEST_NAME,
# VM_LOG (serial log), VM_SCENARIO (where the test writes its guest script)
# and VM_WORK (scratch dir, removed on exit).
vm_test_setup() {
	VM_TEST_NAME=$1
	mkdir -p "$VM_LOG_DIR"
	VM_LOG=$VM_LOG_DIR/$VM_TEST_NAME.log
	VM_SCENARIO=$VM_LOG_DIR/$VM_TEST_NAME.scenario.sh
	rm -f "$VM_LOG" "$VM_SCENARIO"
	if [[ ! -f $(vm_kexec_bin) ]]; then
		echo "FAIL: $VM_TEST_NAME: kexec binary $(vm_kexec_bin) does not exist (build it first or set KEXEC_BIN)"
		exit 1
	fi
	VM_WORK=$(mktemp -d "${TMPDIR:-/tmp}/vm-$VM_TEST_NAME.XXXXXX")
	# shellcheck disable=SC2064 # expand now: VM_WORK is fixed from here on
	trap "rm -rf '$VM_WORK'" EXIT
	if [[ -z $VM_KERNEL || ! -f $VM_KERNEL ]]; then
		vm_fetch_kernel
	fi
	[[ -n $VM_KVER ]] || VM_KVER=${VM_KERNEL##*/vmlinuz-}
}

# vm_boot CMDLINE_EXTRA [MEM]: build the initramfs around $VM_SCENARIO, boot
# it and log to $VM_LOG. Records a failure when qemu fails or times out.
vm_boot() {
	local rc=0 t0=$SECONDS
	vm_build_initramfs "$VM_WORK/initramfs.cpio" "$VM_SCENARIO"
	vm_run "$VM_LOG" "$1" "${2:-1G}" || rc=$?
	echo "  qemu exited with status $rc after $((SECONDS - t0))s (log: $VM_LOG)"
	if [[ $rc -eq 124 ]]; then
		vm__fail "$VM_LOG" "guest timed out after ${VM_TIMEOUT}s"
	elif [[ $rc -eq 125 ]]; then
		vm__fail "$VM_LOG" "a guest kernel panicked: $(grep -o 'Kernel panic - not syncing: .*' "$VM_LOG" | tail -n 1)"
	elif [[ $rc -ne 0 ]]; then
		vm__fail "$VM_LOG" "qemu exited with status $rc"
	fi
	rm -f "$VM_WORK/initramfs.cpio"
}
