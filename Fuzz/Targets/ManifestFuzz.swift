/// The manifest reader (YAML through libyaml, JSON through jansson) and everything it feeds:
/// whatever the bytes, reading ends in objects or a ManifestError (the same when the bytes are
/// cut into parts), and every node-plan output
/// built from accepted objects is lines of printable ASCII whose fields stay in place.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManifest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // Cut into parts parsed on their own (as large files are), the bytes read as they do whole.
    let whole = Result { () throws(ManifestError) in try ManifestLoader.parse(bytes, file: "fuzz") }
    let parts = Result { () throws(ManifestError) in try ConcurrentManifestParse.objects(copying: bytes, file: "fuzz", partSize: 16) }
    precondition(whole == parts, "cutting the file changed what it reads as")
    guard let objects = try? ManifestLoader.parse(bytes, file: "fuzz"),
          let input = try? ClusterInput(objects: ManifestLoader.flatten(objects)) else { return 0 }
    let desired = DesiredState(input, settings: EngineSettings())
    for policy in desired.policies { precondition(printable(policy.match) && printable(policy.owner)) }
    for node in input.nodes.keys {
        let plan = NodePlan(node: node, input: input, desired: desired)
        for text in [plan.iptablesRestore(.v4), plan.iptablesRestore(.v6), plan.nftables, plan.ipRuleCommands] {
            precondition(text.utf8.allSatisfy { $0 == 0x0A || ($0 >= 0x20 && $0 < 0x7F) }, "unprintable node-plan output")
        }
        for line in plan.ipRuleCommands.split(separator: "\n") {
            precondition(!line.contains(";") && !line.contains("$") && !line.contains("`"), "shell metacharacter in \(line)")
        }
        for line in plan.iptablesRestore(.v4).split(separator: "\n") where line.hasPrefix("-A") {
            precondition(line.split(separator: "\"").count <= 3, "an iptables comment broke its quotes")
        }
        for label in plan.labels { precondition(printable(label)) }
    }
    return 0
}

private func printable(_ s: String) -> Bool { s.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F } }
