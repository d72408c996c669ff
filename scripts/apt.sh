# shellcheck shell=bash
# scripts/apt.sh - apt-get as the project uses it; sourced by
# scripts/install-deps.sh, scripts/build-cross.sh and tests/vm/lib.sh.
#
#   kx_apt ARGS...             apt-get ARGS, waiting up to 10 minutes for the
#                              dpkg lock instead of failing, retried once
#   kx_apt_download DIR PKG... apt-get download PKG... into DIR (retried once)
#   kx_apt_ensure_arch ARCH    dpkg --add-architecture ARCH (then apt-get
#                              update) when ARCH is neither native nor added
#   kx_cache_dir               the project's download cache
#                              (${LIBKEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libkexec})
#   kx_cached_deb DIR PKG ARCH the newest DIR/PKG_*_ARCH.deb, or nothing
#
# Only apt-get and dpkg, already on every Debian machine, are used.

kx_cache_dir() {
	printf '%s\n' "${LIBKEXEC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/libkexec}"
}

# kx_apt ARGS...: apt-get ARGS with the dpkg lock waited for (another apt-get
# or unattended-upgrades may hold it), and one retry after a failure (a
# mirror that hiccups, a lock taken between two steps).
kx_apt() {
	local rc=0
	apt-get -o DPkg::Lock::Timeout=600 "$@" && return 0 || rc=$?
	echo "apt: apt-get $* failed (exit status $rc); retrying once" >&2
	sleep 3
	apt-get -o DPkg::Lock::Timeout=600 "$@"
}

# kx_apt_download DIR PKG...: download the .debs of PKG... (PKG may be
# name:arch or name=version) into DIR without installing anything.
kx_apt_download() {
	local dir=$1
	shift
	mkdir -p "$dir"
	# apt-get download writes into the current directory; as root it warns
	# that the download is unsandboxed, which is harmless.
	(cd "$dir" && kx_apt download -q "$@")
}

# kx_apt_ensure_arch ARCH: make apt know ARCH's packages (apt-get download
# PKG:ARCH needs it). Adding an architecture installs nothing.
kx_apt_ensure_arch() {
	local arch=$1
	[[ $(dpkg --print-architecture) == "$arch" ]] && return 0
	dpkg --print-foreign-architectures | grep -qx "$arch" && return 0
	if [[ $(id -u) -ne 0 ]]; then
		echo "apt: dpkg architecture $arch is missing (as root: dpkg --add-architecture $arch && apt-get update)" >&2
		return 1
	fi
	echo "apt: adding dpkg architecture $arch" >&2
	dpkg --add-architecture "$arch" && kx_apt update -qq
}

# kx_cached_deb DIR PKG ARCH: the newest DIR/PKG_<version>_ARCH.deb, if any.
kx_cached_deb() {
	find "$1" -maxdepth 1 -name "${2}_*_${3}.deb" 2>/dev/null | sort -V | tail -n 1
}
