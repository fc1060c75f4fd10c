#!/bin/sh
# Checks the README's two commands (`make demo`, `make test`) the way a fresh Debian machine runs them:
# a fresh clone in a temporary folder, a clean environment, and a system package the Makefile must install
# removed first (openssh-server by default; it is reinstalled by the Makefile, or by this script if that fails).
#
#   Scripts/check-fresh-machine.sh                 as root: without sudo; then as a non-root user with sudo, if sudo exists
#   REMOVE_PACKAGE= Scripts/check-fresh-machine.sh remove nothing
#   TARGETS="demo" Scripts/check-fresh-machine.sh  run only some of the commands
#
# Not part of `make test`: it changes the machine's packages. Exit code 0 when every command passed.
set -u

REPO=$(cd "$(dirname "$0")/.." && pwd)
REMOVE_PACKAGE=${REMOVE_PACKAGE-openssh-server}
TARGETS=${TARGETS:-demo test}
WORK=$(mktemp -d /tmp/claimsbridge-fresh.XXXXXX)
CLEAN_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SWIFT_DIR=$(dirname "$(command -v swift)")
failures=0

say() { printf '== %s\n' "$*"; }

# Whether a package is installed (`dpkg -s` also succeeds for a removed one whose configuration files remain).
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }

# Puts the removed package back if the Makefile did not (a failed run must not leave the machine without it).
restore() {
    if [ -n "$REMOVE_PACKAGE" ] && ! installed "$REMOVE_PACKAGE"; then
        say "reinstalling $REMOVE_PACKAGE"
        env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$REMOVE_PACKAGE" >/dev/null
    fi
}
trap restore EXIT

# Runs `make TARGET` in a fresh clone, in an environment holding only PATH (with Swift), HOME and TERM.
# $1: a label; $2: the user to run as ("" for the current one), whose `make` then installs through sudo.
run_targets() {
    label=$1 user=$2
    clone="$WORK/$label/claimsbridge"
    mkdir -p "$WORK/$label"
    git clone -q --no-local "$REPO" "$clone" || { failures=$((failures + 1)); return; }
    git -C "$clone" checkout -q "$(git -C "$REPO" rev-parse HEAD)"
    [ -n "$user" ] && chown -R "$user" "$WORK/$label"
    home=$(getent passwd "${user:-$(id -un)}" | cut -d: -f6)
    for target in $TARGETS; do
        if [ -n "$REMOVE_PACKAGE" ] && installed "$REMOVE_PACKAGE"; then
            say "$label: apt-get remove $REMOVE_PACKAGE"
            env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "$REMOVE_PACKAGE" >/dev/null
        fi
        say "$label: make $target (log: $WORK/$label/make-$target.log)"
        start=$(date +%s)
        shell_command="cd '$clone' && make $target"
        if [ -n "$user" ]; then
            shell_command="su $user -s /bin/sh -c \"cd '$clone' && make $target\""
        fi
        env -i PATH="$SWIFT_DIR:$CLEAN_PATH" HOME="$home" TERM=dumb sh -c "$shell_command" >"$WORK/$label/make-$target.log" 2>&1
        status=$?
        say "$label: make $target: exit code $status after $(($(date +%s) - start)) s"
        if [ "$status" -ne 0 ]; then
            failures=$((failures + 1))
            tail -20 "$WORK/$label/make-$target.log"
        fi
        if [ -n "$REMOVE_PACKAGE" ] && ! installed "$REMOVE_PACKAGE"; then
            say "$label: make $target did not install $REMOVE_PACKAGE"
            failures=$((failures + 1))
        fi
    done
}

if [ "$(id -u)" -ne 0 ]; then
    echo "run this as root: it removes and reinstalls a system package" >&2
    exit 64
fi
if command -v sudo >/dev/null; then
    say "warning: sudo is installed, so the root run does not prove the Makefile works without it"
fi
run_targets root ""

if command -v sudo >/dev/null; then
    user=claimsbridge-check
    id "$user" >/dev/null 2>&1 || useradd -m "$user"
    echo "$user ALL=(ALL) NOPASSWD: ALL" >/etc/sudoers.d/claimsbridge-check
    run_targets user "$user"
    rm -f /etc/sudoers.d/claimsbridge-check
else
    say "sudo is not installed: the non-root run (make with sudo) is skipped"
fi

say "$failures failure(s); clones and logs in $WORK"
[ "$failures" -eq 0 ]
