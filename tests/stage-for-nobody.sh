# shellcheck shell=bash
# Sourced by the checks that run kexec without privileges
# (tests/cli/test-unprivileged.sh, tests/valgrind/run.sh, tests/bad-inputs/run.sh).
#
# stage_for_nobody NAME: nobody must reach the binary and the fixtures even
# when the checkout lies in a private directory (a clone under /root, which is
# 0700, or under a 0700 mktemp -d), so copy $KEXEC and $fixtures into $tmp,
# make them world-readable and point KEXEC and fixtures at the copies. On
# failure prints "FAIL: NAME: ..." and exits 1.
stage_for_nobody() {
	: "${tmp:?}" "${KEXEC:?}" "${fixtures:?}"
	chmod 755 "$tmp"
	if ! cp "$KEXEC" "$tmp/kexec" || ! cp -r "$fixtures" "$tmp/fixtures"; then
		echo "FAIL: $1: cannot stage $KEXEC and the fixtures in $tmp"
		exit 1
	fi
	KEXEC=$tmp/kexec
	fixtures=$tmp/fixtures
	chmod -R a+rX "$tmp/kexec" "$tmp/fixtures"
}

# closed_dir PATH: the first directory on PATH's way (/ included) that others
# cannot search, or nothing.
closed_dir() {
	local p=$1 d=/
	[[ $p == /* ]] || p=$PWD/$p
	while :; do
		[[ $(($(stat -c '0%a' "$d") & 1)) -eq 1 ]] || { printf '%s\n' "$d"; return; }
		[[ -n $p && $p != / ]] || return
		p=${p#/}
		[[ $p == */* ]] || return
		d=${d%/}/${p%%/*}
		p=/${p#*/}
	done
}

# unprivileged_runas NAME: set RUNAS to the command prefix that runs a program
# without privileges, and RUNAS_WHO to who that is:
#   - not root: nothing (the calling user);
#   - root, and nobody can run the staged $KEXEC: setpriv as nobody (uid and
#     gid 65534, no groups, no capabilities);
#   - root, but nobody cannot run anything here (a directory on the way
#     closed to others: a chroot whose / is 0700, say): root with every
#     capability dropped (uid 0, empty bounding set); prints one
#     "SKIP: NAME: ..." line saying why the checks that need another user
#     do not run as one.
# shellcheck disable=SC2034 # RUNAS and RUNAS_WHO are for the caller
unprivileged_runas() {
	local name=$1 closed
	RUNAS=()
	RUNAS_WHO="uid $(id -u)"
	[ "$(id -u)" = 0 ] || return 0
	if ! command -v setpriv >/dev/null; then
		echo "FAIL: $name: setpriv is missing (apt-get install util-linux)"
		exit 1
	fi
	# Running the static kexec is not enough: a chroot whose / is 0700 lets
	# nobody execute it but not open a file, nor load a shared library
	# (valgrind, awk). So nobody must also read the staged copy with cat.
	if setpriv --reuid=65534 --regid=65534 --clear-groups "$KEXEC" --version >/dev/null 2>&1 &&
		setpriv --reuid=65534 --regid=65534 --clear-groups cat "$KEXEC" >/dev/null 2>&1; then
		RUNAS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		RUNAS_WHO="nobody"
		return 0
	fi
	closed=$(closed_dir "$KEXEC")
	echo "SKIP: $name: as-nobody: nobody cannot read $KEXEC here (${closed:+$closed is mode $(stat -c %a "$closed"): }no other user can); running as root without capabilities instead"
	RUNAS=(setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all)
	RUNAS_WHO="uid 0 without capabilities"
}
