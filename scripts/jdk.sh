# Sourced by ./askpipe and .ci/run: makes sure JAVA_HOME points at a JDK 21 or newer.
# Keeps a suitable JAVA_HOME or java on PATH; otherwise takes the newest JDK >= 21 under /usr/lib/jvm.

java_major() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | cut -d. -f1
}

askpipe_select_jdk() {
  local candidate major best="" best_major=0
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    major=$(java_major "$JAVA_HOME/bin/java")
    if [ "${major:-0}" -ge 21 ]; then return 0; fi
  elif command -v java >/dev/null 2>&1; then
    major=$(java_major java)
    if [ "${major:-0}" -ge 21 ]; then
      JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
      export JAVA_HOME
      return 0
    fi
  fi
  for candidate in /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    major=$(java_major "$candidate")
    if [ "${major:-0}" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$(dirname "$(dirname "$candidate")")
      best_major=$major
    fi
  done
  if [ -z "$best" ]; then
    echo "askpipe needs a JDK 21 or newer: install one or point JAVA_HOME at it" >&2
    return 1
  fi
  export JAVA_HOME="$best"
}
