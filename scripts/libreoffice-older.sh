#!/usr/bin/env bash
# Unpack the LibreOffice of the machine's own Debian release (7.4 on Debian 12) under DEST, without
# installing it, beside the newer one that scripts/test.sh installs from backports, and print the
# path of its soffice (tests/calc/test_libreoffice_older.py runs it through XLFUNCS_SOFFICE).
#   usage: bash scripts/libreoffice-older.sh DEST
# The .debs come from "<codename>/main" of the machine's apt sources (`apt-get download`, no host
# named here; run `apt-get update` first).  Their absolute links and paths (/etc/libreoffice,
# /usr/lib/libreoffice, /var/lib/libreoffice) are made to point inside DEST, so nothing of the
# installed LibreOffice is used except the system libraries both link to (checked with ldd).
# Idempotent: DEST/version names the unpacked version; a run with the same version does nothing.
set -euo pipefail
dest="${1:?usage: bash scripts/libreoffice-older.sh DEST}"
# the packages of a headless Calc with its Python bridge, and unoidl-write (libreoffice-dev), which
# compiles the add-in's types against this version's own type libraries (the packages' other
# dependencies are system libraries that the installed LibreOffice already needs)
packages="libreoffice-core-nogui libreoffice-common libreoffice-calc libreoffice-base-core
  ure uno-libs-private libuno-sal3 libuno-cppu3 libuno-cppuhelpergcc3-3 libuno-salhelpergcc3-3
  libuno-purpenvhelpergcc3-3 python3-uno libreoffice-script-provider-python libreoffice-dev"
if ! command -v apt-get >/dev/null || ! [ -r /etc/os-release ]; then
  echo "libreoffice-older: needs Debian's apt-get" >&2
  exit 1
fi
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
version="$(apt-cache madison libreoffice-calc \
  | awk -F' [|] ' -v s=" $codename/main " 'index($3, s) {print $2; exit}')"
if [ -z "$version" ]; then
  echo "libreoffice-older: no libreoffice-calc in ${codename:-?}/main of the apt lists (apt-get update?)" >&2
  exit 1
fi
installed="$(dpkg-query -W -f='${Version}' libreoffice-calc 2>/dev/null || true)"
if [ -n "$installed" ] && ! dpkg --compare-versions "$version" lt "$installed"; then
  echo "libreoffice-older: $codename/main has LibreOffice $version, not older than the installed $installed" >&2
  exit 1
fi
soffice="$dest/root/usr/lib/libreoffice/program/soffice"
if [ -x "$soffice" ] && [ "$(cat "$dest/version" 2>/dev/null)" = "$version" ]; then
  echo "$soffice"
  exit 0
fi
mkdir -p "$dest"
dest="$(cd "$dest" && pwd)"
soffice="$dest/root/usr/lib/libreoffice/program/soffice"
work="$(mktemp -d "$dest/.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir "$work/debs" "$work/root"
sandbox=()  # as root, apt downloads as its user _apt, who cannot write into a private folder
[ "$(id -u)" -ne 0 ] || sandbox=(-o APT::Sandbox::User=root)
(cd "$work/debs" && apt-get download -qq "${sandbox[@]}" $(printf "%s=$version " $packages))
for deb in "$work"/debs/*.deb; do
  dpkg-deb -x "$deb" "$work/root"
done
root="$work/root"
program="$root/usr/lib/libreoffice/program"
# absolute links (share/registry -> /etc/libreoffice/registry, ...) become relative, inside the tree
while IFS= read -r -d '' link; do
  target="$(readlink "$link")"
  [[ "$target" != /var/* ]] || mkdir -p "$root$target"  # the spool and state folders
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$root$target")" "$link"
done < <(find "$root" -type l -lname '/*' -print0)
# Debian's absolute paths in the bootstrap files; the configuration is read from the package's own
# share/.registry (the copies dpkg's ucf would put into /etc/libreoffice/registry)
sed -i -e 's|^BRAND_BASE_DIR=file:///usr/lib/libreoffice$|BRAND_BASE_DIR=${ORIGIN}/..|' \
  -e 's|file:///etc/libreoffice/registry|${BRAND_BASE_DIR}/share/.registry|g' "$program/fundamentalrc"
sed -i 's|^FHS_CONFIG_FILE=file:///etc/libreoffice/sofficerc$|FHS_CONFIG_FILE=${ORIGIN}/../../../../etc/libreoffice/sofficerc|' \
  "$program/sofficerc"
sed -i 's|^export PYTHONPATH="/usr/lib/libreoffice/program"$|export PYTHONPATH="$sd_prog"|' "$program/unopkg"
sdk="$root/usr/lib/libreoffice/sdk/bin"
wrappers="$(find "$sdk" -type f ! -name '*.bin' -print)"  # the SDK's scripts that run its programs
for tool in $wrappers; do
  sed -i 's|^LD_LIBRARY_PATH=/usr/lib/libreoffice/program /usr/lib/libreoffice/sdk/bin/|LD_LIBRARY_PATH="$(dirname "$0")/../../program" "$(dirname "$0")"/|' "$tool"
done
# the Python bridge's uno.py and unohelper.py (in dist-packages, where the installed LibreOffice
# has its own) go into program/, which LibreOffice's Python puts first on sys.path
for module in uno unohelper; do
  sed 's|/usr/lib/libreoffice/program|'"$dest"'/root/usr/lib/libreoffice/program|g' \
    "$root/usr/lib/python3/dist-packages/$module.py" >"$program/$module.py"
done
left='file:///usr/lib/libreoffice\|file:///etc/libreoffice\|^LD_LIBRARY_PATH=/usr\|PYTHONPATH="/usr'
if grep -qs "$left" "$program"/*rc "$program/unopkg" $wrappers; then
  echo "libreoffice-older: absolute paths left:" >&2
  grep -s "$left" "$program"/*rc "$program/unopkg" $wrappers >&2
  exit 1
fi
missing_libraries() {
  for f in "$program"/*.so* "$program"/*.bin "$sdk"/*.bin; do
    ldd "$f" 2>/dev/null | grep 'not found' || true
  done | sort -u
}
missing="$(missing_libraries)"
if [ -n "$missing" ]; then
  # Libraries that only this older release links to (a machine that got the newer LibreOffice
  # without ever having the older one lacks them): the same release's packages, unpacked aside,
  # their shared objects copied into program/, which LibreOffice's libraries search first
  # ($ORIGIN).
  libraries="liborcus-0.17-0 liborcus-parser-0.17-0 lp-solve"
  mkdir "$work/libdebs" "$work/libroot"
  for p in $libraries; do
    v="$(apt-cache madison "$p" | awk -F' [|] ' -v s=" $codename/main " 'index($3, s) {gsub(/ /, "", $2); print $2; exit}')"
    [ -z "$v" ] || (cd "$work/libdebs" && apt-get download -qq "${sandbox[@]}" "$p=$v")
  done
  for deb in "$work"/libdebs/*.deb; do
    dpkg-deb -x "$deb" "$work/libroot"
  done
  for soname in $(printf '%s\n' "$missing" | awk '{print $1}'); do
    found="$(find "$work/libroot" -name "$soname" \( -type f -o -type l \) -print -quit)"
    [ -z "$found" ] || cp -L "$found" "$program/$soname"
  done
  # program/ on the library path, so that a copied library finds the others it needs: soffice
  # reads program/ooenv when it exists, and unopkg is made to read it too
  printf '%s\n' 'LD_LIBRARY_PATH="$sd_prog${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"' \
    'export LD_LIBRARY_PATH' >"$program/ooenv"
  sed -i 's|^exec "$sd_prog/unopkg.bin"|. "$sd_prog/ooenv"\n&|' "$program/unopkg"
  missing="$(LD_LIBRARY_PATH="$program" missing_libraries)"
fi
if [ -n "$missing" ]; then
  echo "libreoffice-older: system libraries missing for LibreOffice $version:" >&2
  echo "$missing" >&2
  exit 1
fi
rm -rf "$dest/root" "$dest/version"
mv "$root" "$dest/root"
echo "$version" >"$dest/version"
echo "$soffice"
