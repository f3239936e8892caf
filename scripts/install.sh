#!/usr/bin/env bash
# Builds ovn-egressctl (release) and installs it with its man page (generated from the
# argument parser by swift-argument-parser's generate-manual plugin) and its bash, zsh and
# fish completions.
#   scripts/install.sh [PREFIX]      default /usr/local
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${1:-/usr/local}
scripts/install-deps.sh
swift build -c release --product ovn-egressctl >/dev/null
bin=$(swift build -c release --show-bin-path)/ovn-egressctl
install -D -m 0755 "$bin" "$prefix/bin/ovn-egressctl"
swift package --allow-writing-to-package-directory generate-manual >/dev/null
install -D -m 0644 .build/plugins/GenerateManual/outputs/ovn-egressctl/ovn-egressctl.1 "$prefix/share/man/man1/ovn-egressctl.1"
mkdir -p "$prefix/share/bash-completion/completions" "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
"$bin" --generate-completion-script bash >"$prefix/share/bash-completion/completions/ovn-egressctl"
"$bin" --generate-completion-script zsh >"$prefix/share/zsh/site-functions/_ovn-egressctl"
"$bin" --generate-completion-script fish >"$prefix/share/fish/vendor_completions.d/ovn-egressctl.fish"
echo "installed $prefix/bin/ovn-egressctl, its man page (man ovn-egressctl) and completions"
