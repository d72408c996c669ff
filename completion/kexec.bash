# bash completion for kexec(8) (libkexec)                  -*- shell-script -*-
#
# Installed as <datadir>/bash-completion/completions/kexec. The long options
# come from the command itself (`kexec --help`, leaving out those it says it
# refuses), the -t types from `kexec --list-types` (the formats of this
# architecture); a kexec too old or broken to answer gets the lists below.

# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)) is bash-completion's idiom

_kexec_fallback_opts=(--load --load-panic --unload --exec --force --no-ifdown --no-sync
	--kexec-file-syscall --kexec-syscall --kexec-syscall-auto --no-checks --type
	--status --debug --version --help --append --command-line --reuse-cmdline
	--initrd --ramdisk --dtb --no-efi --print-ckr-size --dry-run --mem-min --mem-max
	--elf32-core-headers --elf64-core-headers --args-linux --hotplug --console-serial
	--list-types --json --check --no-cma --force-dtb --dt-no-old-root --image-size)
_kexec_fallback_types=(bzImage elf-x86_64 Image gzip xz lzma zstd lz4 zboot uki)

# The long options `kexec --help` names, one per line.
_kexec_long_opts()
{
	local cmd=$1 help
	help=$(LC_ALL=C "$cmd" --help 2>/dev/null) || help=
	if [[ -z $help ]]; then
		printf '%s\n' "${_kexec_fallback_opts[@]}"
		return
	fi
	# The options it refuses (listed from a "Refused" heading on, or on a
	# line that says so) are options nobody should type.
	printf '%s\n' "$help" | sed '/^Refused/,$d' | grep -v 'refused' |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' | grep -v -- '-$' | sort -u
}

# The formats -t takes: the first word of each `kexec --list-types` line.
_kexec_types()
{
	local cmd=$1 out
	out=$(LC_ALL=C "$cmd" --list-types 2>/dev/null) || out=
	if [[ -n $out ]]; then
		printf '%s\n' "$out" | awk 'NF { print $1 }'
	else
		printf '%s\n' "${_kexec_fallback_types[@]}"
	fi
}

_kexec()
{
	# words and cword are _init_completion's, set for it.
	# shellcheck disable=SC2034
	local cur prev words cword split
	_init_completion -s || return

	case $prev in
	--initrd | --ramdisk | --dtb)
		_filedir
		return
		;;
	-t | --type)
		COMPREPLY=($(compgen -W "$(_kexec_types "$1")" -- "$cur"))
		return
		;;
	--check)
		COMPREPLY=($(compgen -W 'xxh3 sha256' -- "$cur"))
		return
		;;
	--append | --command-line | --mem-min | --mem-max | --entry | --module | --serial | \
		--serial-baud)
		# A command line or an address: nothing to offer.
		return
		;;
	esac
	$split && return

	if [[ $cur == --* ]]; then
		COMPREPLY=($(compgen -W "$(_kexec_long_opts "$1")" -- "$cur"))
		# An option that takes a value gets its "=" on completion.
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == @(--append|--command-line|--initrd|--ramdisk|--dtb|--type|--mem-min|--mem-max|--check) ]] &&
			COMPREPLY=("${COMPREPLY[0]}=") && compopt -o nospace 2>/dev/null
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-l -p -u -e -f -x -y -s -c -a -i -t -S -d -v -h' -- "$cur"))
		return
	fi
	# The kernel image.
	_filedir
} &&
	complete -F _kexec kexec

# ex: filetype=sh
