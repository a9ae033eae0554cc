# __t LINE: completes LINE as readline hands it to a completion function (COMP_WORDS split on
# blanks and around '=', COMP_CWORD on the last word, COMP_LINE/COMP_POINT at the end), loading
# the completion on demand as bash-completion does; prints the candidates, then a line '@@'.
__t() {
  local line=$1 tok rest func
  local -a w out=()
  read -ra w <<< "$line"
  for tok in "${w[@]}"; do
    if [[ $tok == --*=* ]]; then
      out+=("${tok%%=*}" "=")
      rest=${tok#*=}
      [[ -n $rest ]] && out+=("$rest")
    else
      out+=("$tok")
    fi
  done
  [[ $line == *' ' ]] && out+=('')
  if ! complete -p "${out[0]}" >/dev/null 2>&1; then
    declare -F __load_completion >/dev/null && __load_completion "${out[0]}"
  fi
  func=$(complete -p "${out[0]}" 2>/dev/null)
  [[ $func =~ -F\ ([^ ]+) ]] || { echo "no completion for ${out[0]}" >&2; return 1; }
  func=${BASH_REMATCH[1]}
  COMP_LINE=$line COMP_POINT=${#line} COMP_WORDS=("${out[@]}") COMP_CWORD=$((${#out[@]} - 1)) COMPREPLY=()
  "$func" "${out[0]}" "${out[COMP_CWORD]}" "${out[COMP_CWORD-1]}"
  printf '%s\n' "${COMPREPLY[@]}"
  echo '@@'
}
