# bash completion for bootdeck(1).
#
# Command names and their keys come from `bootdeck --help` at completion
# time, so they always match the binary being completed. After "key=" the
# fixed values the synopsis lists (boottype=BIOS|UEFI) are offered, and for
# an id key the names of the objects it may name.

# Prints the help text of the bootdeck being completed (cached per binary).
_bootdeck_help()
{
	local bin=$1

	if [[ ${_bootdeck_help_bin-} != "$bin" ]]; then
		_bootdeck_help_text=$("$bin" --help 2>/dev/null) || _bootdeck_help_text=
		_bootdeck_help_bin=$bin
	fi
	printf '%s\n' "$_bootdeck_help_text"
}

# The API names, one per line.
_bootdeck_commands()
{
	_bootdeck_help "$1" | sed -n '/^Commands/,$ s/^  \([A-Za-z][A-Za-z]*\) .*/\1/p'
}

# The synopsis of one command (case-insensitive name).
_bootdeck_synopsis()
{
	_bootdeck_help "$1" | awk -v want="$2" '
		/^Commands/ { on = 1; next }
		on && /^  [A-Za-z]/ && tolower($1) == tolower(want) { $1 = ""; print; exit }'
}

# Names of the objects a key may name, read through the same database.
_bootdeck_names()
{
	local bin=$1 command=$2 key=$3 list
	shift 3

	case $key in
	clusterid) list=listClusters ;;
	hostid) list=listHosts ;;
	templateid) list=listTemplates ;;
	serviceofferingid) list=listServiceOfferings ;;
	resourceid) list=listVirtualMachines ;;
	id)
		case ${command,,} in
		*cluster*) list=listClusters ;;
		*host*) list=listHosts ;;
		*template*) list=listTemplates ;;
		*serviceoffering*) list=listServiceOfferings ;;
		*virtualmachine*) list=listVirtualMachines ;;
		*) return ;;
		esac ;;
	*) return ;;
	esac
	# The name column of the CSV output.
	"$bin" "$@" -o csv "$list" 2>/dev/null | awk -F, '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "name") col = i; next }
		col { print $col }'
}

_bootdeck()
{
	local cur=${COMP_WORDS[COMP_CWORD]}
	local bin=${COMP_WORDS[0]}
	local -a options=()
	local command= synopsis i word key values

	COMPREPLY=()
	# Options before the command, kept for the name look-ups (--db).
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--db|--theme|-o|--output)
			options+=("$word" "${COMP_WORDS[i + 1]-}")
			((i++)) ;;
		-*) ;;
		*)
			command=$word
			# "verb noun" names the same command as verbNoun.
			if ((i + 1 < COMP_CWORD)) && [[ ${COMP_WORDS[i + 1]} != *=* ]] &&
			   [[ -n $(_bootdeck_synopsis "$bin" "$word${COMP_WORDS[i + 1]}") ]]; then
				command=$word${COMP_WORDS[i + 1]}
			fi
			break ;;
		esac
	done

	case ${COMP_WORDS[COMP_CWORD - 1]} in
	-o|--output)
		mapfile -t COMPREPLY < <(compgen -W 'json table csv' -- "$cur")
		return ;;
	--db)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return ;;
	--theme)
		mapfile -t COMPREPLY < <(compgen -W 'default dark light high-contrast monochrome' -- "$cur")
		return ;;
	esac

	if [[ -z $command ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W '--db --output --theme --help --version' -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$(_bootdeck_commands "$bin")" -- "$cur")
		fi
		return
	fi

	synopsis=$(_bootdeck_synopsis "$bin" "$command")
	[[ -n $synopsis ]] || return
	if [[ $cur == *=* ]]; then
		key=${cur%%=*}
		# Fixed values: "key=A|B|C" in the synopsis.
		values=$(grep -o "\\b${key,,}=[A-Za-z|]*" <<<"$synopsis" | head -n 1)
		values=${values#*=}
		if [[ $values == *"|"* ]]; then
			values=${values//|/ }
		else
			values=$(_bootdeck_names "$bin" "$command" "${key,,}" "${options[@]}")
		fi
		mapfile -t COMPREPLY < <(compgen -P "$key=" -W "$values" -- "${cur#*=}")
		return
	fi
	mapfile -t COMPREPLY < <(compgen -W "$(grep -o '\b[a-z]*=' <<<"$synopsis" | sort -u)" -- "$cur")
	# A key is completed up to its "=": no space after it.
	compopt -o nospace 2>/dev/null || true
}

complete -F _bootdeck bootdeck
