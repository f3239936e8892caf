#!/usr/bin/env bash
# Installs the Debian packages this project builds and tests with, when missing.
set -euo pipefail
packages=(openvswitch-common openvswitch-switch ovn-common ovn-central ovn-host ovn-ic ovn-ic-db libjansson-dev libyaml-dev pkg-config openssl iptables nftables iproute2 ethtool bc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The offline check of deploy/ (scripts/check-deploy.py): the Kubernetes schemas from PyPI.
python3 -c "import kubernetes_validate, yaml" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check kubernetes-validate PyYAML
