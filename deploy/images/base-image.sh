#!/usr/bin/env bash
# Builds the base image of askpipe's service images without a registry or a Docker daemon, from
# what the build machine already has, like a distroless Java image:
#   - a Java runtime made by jlink from the JDK that runs the build (JAVA_HOME), with the modules
#     the services use, at /opt/java/openjdk;
#   - the C libraries that runtime (and RocksDB's native library) loads, copied from this machine;
#   - the C.UTF-8 locale, /etc/passwd and /etc/group with root and the user `nonroot` (65532:65532), a writable /tmp,
#     and /var/lib/askpipe/streams owned by `nonroot` for the result store's state.
# It writes a `docker save` archive (manifest.json, the image configuration, one layer) that Jib
# takes as `tar://PATH` (docs/adr/0009-container-images.md). Nothing else goes in: no shell, no
# package manager.
#
#   deploy/images/base-image.sh IMAGE OUTPUT
#
# builds OUTPUT when IMAGE is `tar://OUTPUT` (the build's default) and does nothing otherwise (a base
# image from a registry, `-Dimage.base=...`). An OUTPUT built from the same script, JDK and
# libraries is kept. Linux only: it needs bash, GNU tar, ldd and sha256sum.
set -euo pipefail
export LC_ALL=C # one sort order, whoever builds

# The modules the services need: `jdeps --print-module-deps --ignore-missing-deps` over each
# service's runtime classpath (java.desktop, asked for by classes the services never load, left
# out), plus jdk.crypto.ec (TLS on JDK 21), jdk.naming.dns, jdk.security.auth (Kerberos for Kafka's
# SASL), jdk.zipfs and jdk.jfr (flight recordings in production).
MODULES=java.base,java.logging,java.management,java.naming,java.net.http,java.security.jgss,\
java.security.sasl,java.sql,java.xml,jdk.crypto.ec,jdk.jfr,jdk.management,jdk.naming.dns,\
jdk.security.auth,jdk.unsupported,jdk.zipfs
NONROOT=65532
# every file's modification time, for an archive that depends only on its content
MTIME=@1

die() {
  echo "base-image: $*" >&2
  exit 1
}

[ $# -eq 2 ] || die "usage: $0 IMAGE OUTPUT"
image=$1
output=$2
if [ "$image" != "tar://$output" ]; then
  echo "base-image: the base image is $image; nothing to build"
  exit 0
fi
[ "$(uname -s)" = Linux ] || die "builds a Linux base image on Linux only; elsewhere use a registry base (-Dimage.base=eclipse-temurin:25-jre)"
[ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ] || die "JAVA_HOME must point at a JDK with jlink"
for tool in ldd sha256sum tar; do
  command -v "$tool" >/dev/null || die "needs $tool"
done
tar --version 2>/dev/null | grep -q 'GNU tar' || die "needs GNU tar"

case "$(uname -m)" in
  x86_64) arch=amd64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) arch=$(uname -m) ;;
esac

# The C libraries: what ldd resolves for every ELF file of the runtime, and libstdc++ and libgcc_s,
# which RocksDB's native library (unpacked by Kafka Streams at run time) links against.
LDD_PATHS='$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }'
elf_dependencies() {
  # "name => /path (0x...)" and the dynamic loader's "/path (0x...)"; "not found" is a library of
  # the runtime itself (libjvm.so), which the JVM has loaded by then. ldd fails on files that are
  # no ELF objects; they have no lines.
  { ldd "$@" 2>/dev/null || true; } | awk "$LDD_PATHS"
}
libc=$(elf_dependencies "$JAVA_HOME/bin/java" | grep -m1 '/libc\.so\.' || true)
[ -n "$libc" ] || die "ldd found no C library for $JAVA_HOME/bin/java"
libdir=$(dirname "$libc")
extra_libs=("$libdir/libstdc++.so.6" "$libdir/libgcc_s.so.1")
for lib in "${extra_libs[@]}"; do
  [ -e "$lib" ] || die "$lib is missing (Debian: apt-get install libstdc++6)"
done
libraries() {
  {
    {
      find "$1" -type f \( -path '*/bin/*' -o -name '*.so' -o -name jspawnhelper \) -print0 |
        xargs -0 sh -c 'ldd "$@" 2>/dev/null || true' ldd
      ldd "${extra_libs[@]}"
    } | awk "$LDD_PATHS"
    printf '%s\n' "${extra_libs[@]}"
  } | grep -v "^$1/" | sort -u # the runtime's own libraries are in it already
}

# What the archive depends on: this script, the JDK, the host's libraries. The same key keeps the
# archive that is there.
key=$( {
  sha256sum "$0"
  echo "$JAVA_HOME"
  cat "$JAVA_HOME/release"
  { elf_dependencies "$JAVA_HOME/bin/java" "${extra_libs[@]}"; printf '%s\n' "${extra_libs[@]}"; } |
    sort -u | xargs sha256sum
} | sha256sum | cut -d' ' -f1)

mkdir -p "$(dirname "$output")"
exec 9>"$output.lock"
command -v flock >/dev/null && flock 9 # the service modules of a parallel build share one archive
if [ -f "$output" ] && [ "$(cat "$output.key" 2>/dev/null)" = "$key" ]; then
  echo "base-image: $output is up to date"
  exit 0
fi

work=$(mktemp -d "$(dirname "$output")/base-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/rootfs
mkdir -p "$root/opt/java"

echo "base-image: linking a Java runtime from $JAVA_HOME"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --output "$root/opt/java/openjdk" \
  --strip-debug --no-header-files --no-man-pages --compress=zip-0 --generate-cds-archive >/dev/null ||
  die "jlink failed: it needs the JDK's jmods, or a JDK that links from its own runtime (JDK 24+)"
# the class data archive for heaps over 32 GB (no compressed oops); such a JVM runs without one
rm -f "$root/opt/java/openjdk/lib/server/classes_nocoops.jsa"
java_version=$("$root/opt/java/openjdk/bin/java" -XshowSettings:properties -version 2>&1 |
  sed -n 's/^ *java\.runtime\.version = //p')

libs=$(libraries "$root/opt/java/openjdk")
for lib in $libs; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# their licences, where the host keeps them as Debian does
if command -v dpkg >/dev/null; then
  for lib in $libs; do
    { dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || true; } | cut -d: -f1 | head -1
  done | sort -u | while read -r package; do
    if [ -f "/usr/share/doc/$package/copyright" ]; then
      mkdir -p "$root/usr/share/doc/$package"
      cp "/usr/share/doc/$package/copyright" "$root/usr/share/doc/$package/"
    fi
  done
fi

# the C.UTF-8 locale (LANG below), so that the JVM takes file names as UTF-8, not ASCII
if [ -d /usr/lib/locale/C.utf8 ]; then
  mkdir -p "$root/usr/lib/locale"
  cp -R /usr/lib/locale/C.utf8 "$root/usr/lib/locale/"
else
  echo "base-image: /usr/lib/locale/C.utf8 is missing; the JVM will take file names as ASCII" >&2
fi

mkdir -p "$root/etc" "$root/tmp" "$root/home/nonroot" "$root/var/lib/askpipe/streams" "$root/root"
cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:$NONROOT:$NONROOT:nonroot:/home/nonroot:/sbin/nologin
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
nonroot:x:$NONROOT:
EOF
cat >"$root/etc/nsswitch.conf" <<EOF
passwd: files
group: files
hosts: files dns
EOF
chmod -R u+rwX,go+rX,go-w "$root"
chmod 700 "$root/root"
chmod 1777 "$root/tmp"

# One layer, the same bytes for the same content: sorted, one time, numeric owners; root owns all
# but the non-root user's home and state directories.
layer=$work/layer.tar
owned=(home/nonroot var/lib/askpipe var/lib/askpipe/streams)
tar_options=(--format=gnu --sort=name --mtime="$MTIME" --numeric-owner)
# shellcheck disable=SC2046 # the top-level names, none with spaces
(cd "$root" && tar --create --file "$layer" "${tar_options[@]}" --owner=0 --group=0 --anchored \
  --exclude=home/nonroot --exclude=var/lib/askpipe $(ls -A))
(cd "$root" && tar --append --file "$layer" "${tar_options[@]}" --owner="$NONROOT" --group="$NONROOT" \
  --no-recursion "${owned[@]}")
diff_id=$(sha256sum "$layer" | cut -d' ' -f1)

cat >"$work/config.json" <<EOF
{"architecture":"$arch","os":"linux","created":"1970-01-01T00:00:00Z",
"config":{"User":"$NONROOT:$NONROOT","Env":["PATH=/opt/java/openjdk/bin:/usr/bin:/bin","JAVA_HOME=/opt/java/openjdk","JAVA_VERSION=$java_version","LANG=C.UTF-8"],"WorkingDir":"/"},
"rootfs":{"type":"layers","diff_ids":["sha256:$diff_id"]},
"history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/images/base-image.sh: Java $java_version runtime ($MODULES), C libraries, user nonroot"}]}
EOF
config_id=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mkdir "$work/image" "$work/image/$diff_id"
mv "$work/config.json" "$work/image/$config_id.json"
mv "$layer" "$work/image/$diff_id/layer.tar"
cat >"$work/image/manifest.json" <<EOF
[{"Config":"$config_id.json","RepoTags":["askpipe/base:java-$java_version"],"Layers":["$diff_id/layer.tar"]}]
EOF
(cd "$work/image" && tar --create --file "$work/base.tar" "${tar_options[@]}" --owner=0 --group=0 \
  manifest.json "$config_id.json" "$diff_id")
mv "$work/base.tar" "$output"
echo "$key" >"$output.key"
echo "base-image: wrote $output (Java $java_version, $(du -h "$output" | cut -f1), layer sha256:${diff_id:0:12})"
