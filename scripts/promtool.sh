# Sourced by ./askpipe test: puts Prometheus' promtool on PATH for DeploymentFilesTest, which checks
# deploy/prometheus with it. Uses a promtool already on PATH; otherwise unpacks Debian's prometheus
# package into .askpipe/tools (downloaded, never installed: no service is started). Best effort: where
# neither works the test says so and is skipped.

askpipe_provide_promtool() {
  command -v promtool >/dev/null 2>&1 && return 0
  local tools="$PWD/.askpipe/tools"
  if [ ! -x "$tools/usr/bin/promtool" ]; then
    command -v apt-get >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || return 0
    local download
    download=$(mktemp -d)
    if ! (cd "$download" && apt-get download -qq prometheus >/dev/null 2>&1); then
      # a fresh machine may have no package lists yet; only root can fetch them
      if [ "$(id -u)" = 0 ]; then
        apt-get update -qq >/dev/null 2>&1 || true
        (cd "$download" && apt-get download -qq prometheus >/dev/null 2>&1) || true
      fi
    fi
    if ls "$download"/prometheus_*.deb >/dev/null 2>&1; then
      mkdir -p "$tools"
      dpkg-deb -x "$download"/prometheus_*.deb "$tools"
    fi
    rm -rf "$download"
  fi
  if [ -x "$tools/usr/bin/promtool" ]; then
    export PATH="$tools/usr/bin:$PATH"
  else
    echo "askpipe: promtool is not available here; DeploymentFilesTest will skip its promtool check" >&2
  fi
}
