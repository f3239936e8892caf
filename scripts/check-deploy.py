#!/usr/bin/env python3
"""Checks deploy/ offline: every manifest against the Kubernetes schemas (kubernetes-validate),
and the ClusterRole against every API call the deployment makes: the watches that
deploy/kubectl-watch-run.sh starts (list and watch of each kind) and the status write-back's
kubectl commands (the get and patch that `kubectl patch --subresource=status` and
`kubectl label` send). Also checks the Containerfile: each COPY source exists, and the runtime
stage installs a package for every library the binary links (from `ldd`), besides those of
the base image. Exit 0 when all hold; otherwise each problem on one line, exit 1.

  check-deploy.py ROOT BINARY
"""
import glob, os, re, subprocess, sys
import yaml

root, binary = sys.argv[1], sys.argv[2]
deploy = os.path.join(root, "deploy")
problems = []

# 1. schemas
import kubernetes_validate
docs = []
for path in sorted(glob.glob(os.path.join(deploy, "*.yaml"))):
    for doc in yaml.safe_load_all(open(path)):
        if not doc:
            continue
        docs.append((path, doc))
        try:
            kubernetes_validate.validate(doc, "1.32", strict=True)
        except kubernetes_validate.ValidationError as e:
            problems.append("%s: %s %s: %s" % (os.path.basename(path), doc.get("kind"), doc["metadata"]["name"], e.message))
        except Exception as e:
            problems.append("%s: %s" % (os.path.basename(path), e))

# 2. RBAC: (group, resource, verb) the deployment needs
script = open(os.path.join(deploy, "kubectl-watch-run.sh")).read()
kinds = re.search(r"for kind in ([^;]+);", script).group(1).split()
needed = set()
for kind in kinds:
    resource, _, group = kind.partition(".")
    for verb in ("list", "watch"):
        needed.add((group, resource, verb))
# The status write-back (Sources/EgressPolicy/Controller/StatusCommands.swift): kubectl
# patch --subresource=status reads the object, then patches its status; kubectl label reads
# the node, then patches it.
needed |= {("k8s.ovn.org", "egressservices", "get"), ("k8s.ovn.org", "egressservices/status", "patch"),
           ("", "nodes", "get"), ("", "nodes", "patch")}
granted = set()
roles = [d for _, d in docs if d.get("kind") == "ClusterRole"]
for role in roles:
    for rule in role.get("rules", []):
        for g in rule.get("apiGroups", []):
            for r in rule.get("resources", []):
                for v in rule.get("verbs", []):
                    granted.add((g, r, v))
for g, r, v in sorted(needed - granted):
    problems.append("ClusterRole: %s on %s%s is used but not granted" % (v, r, "." + g if g else ""))
for g, r, v in sorted(granted - needed):
    problems.append("ClusterRole: %s on %s%s is granted but never used" % (v, r, "." + g if g else ""))
# Every workload runs as the ServiceAccount the binding names.
bound = {(s["namespace"], s["name"]) for _, d in docs if d.get("kind") == "ClusterRoleBinding" for s in d["subjects"]}
for path, d in docs:
    if d.get("kind") in ("DaemonSet", "Deployment"):
        account = d["spec"]["template"]["spec"].get("serviceAccountName")
        if (d["metadata"]["namespace"], account) not in bound:
            problems.append("%s: %s runs as %r, which no binding grants" % (os.path.basename(path), d["metadata"]["name"], account))

# 3. Containerfile
containerfile = open(os.path.join(root, "Containerfile")).read()
for src in re.findall(r"^COPY (?!--from)(\S+) ", containerfile, re.M):
    if not os.path.exists(os.path.join(root, src)):
        problems.append("Containerfile: COPY %s: no such file" % src)
runtime = containerfile.split("\nFROM ")[-1]
packages = set(re.findall(r"[a-z0-9][a-z0-9.+-]+", runtime.split("install -y --no-install-recommends", 1)[1].split("&&")[0]))
base = {"libc6", "libgcc-s1", "libstdc++6"}
ldd = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
for line in ldd.splitlines():
    m = re.search(r"=> (/\S+)", line)
    if not m or "/opt/swift/" in m.group(1) or "/usr/lib/swift" in m.group(1):
        continue  # the Swift runtime is linked statically in the image (--static-swift-stdlib)
    owner = subprocess.run(["dpkg", "-S", os.path.realpath(m.group(1))], capture_output=True, text=True)
    if owner.returncode != 0:
        owner = subprocess.run(["dpkg", "-S", m.group(1)], capture_output=True, text=True)
    package = owner.stdout.split(":")[0].strip()
    if package not in base and package not in packages:
        problems.append("Containerfile: the binary links %s (package %s), which the runtime stage does not install" % (m.group(1), package))

for p in problems:
    print(p)
sys.exit(1 if problems else 0)
