#if canImport(Glibc)
import Glibc
#endif
import OVSDBClient

// Connects to an OVN Northbound database, lists its databases, makes sure
// ovn_cluster_router has the worked example's reroute policy (inserting it only when
// missing), and prints the router's policies.
//
//     swift run ovsdb-quickstart unix:/var/run/ovn/ovnnb_db.sock

let nb = "OVN_Northbound"
let remote = CommandLine.arguments.dropFirst().first ?? "unix:/var/run/ovn/ovnnb_db.sock"

do {
    let connection = try await OVSDBConnection.connect(to: remote)
    print("databases:", try await connection.listDatabases().joined(separator: ", "))
    let schema = try await connection.schema(of: nb)
    print("schema: \(schema.name) \(schema.version ?? "?")")

    let owner = Datum.stringMap(["EgressSVC": "default/example-service"])
    let policyMatch = Condition([
        .column("priority", .equal, .scalar(101)),
        .column("match", .equal, .scalar("ip4.src == 10.124.0.3")),
        .column("external_ids", .includes, owner),
    ])
    let routerMatch = Condition([.column("name", .equal, .scalar("ovn_cluster_router"))])
    let found = try await connection.transact(nb, [
        .select(table: "Logical_Router", where: routerMatch, columns: ["_uuid"]),
        .select(table: "Logical_Router_Policy", where: policyMatch, columns: ["_uuid"]),
    ], schema: schema)

    var operations: [OVSDBOperation] = []
    if found[1].rows?.isEmpty ?? true {
        operations.append(.insert(table: "Logical_Router_Policy", row: Row([
            "priority": .scalar(101), "match": .scalar("ip4.src == 10.124.0.3"), "action": .scalar("reroute"),
            "nexthops": .scalar("10.124.2.2"), "external_ids": owner,
        ]), uuidName: "policy"))
        if found[0].rows?.isEmpty ?? true {
            operations.append(.insert(table: "Logical_Router", row: Row([
                "name": .scalar("ovn_cluster_router"), "policies": .scalar(.namedUUID("policy")),
            ])))
        } else {
            operations.append(.mutate(table: "Logical_Router", where: routerMatch,
                                      mutations: [.insert("policies", .scalar(.namedUUID("policy")))]))
        }
    }
    if operations.isEmpty {
        print("policy already present: nothing to write")
    } else {
        _ = try await connection.transact(nb, operations, schema: schema)
        print("wrote \(operations.count) operations in one transaction")
    }

    let policies = try await connection.transact(nb, [
        .select(table: "Logical_Router_Policy", where: .all, columns: ["priority", "match", "action", "nexthops", "external_ids"]),
    ], schema: schema)
    for row in policies[0].rows ?? [] {
        let text = ["priority", "match", "action", "nexthops", "external_ids"].map { name in
            row[name].map { $0.text(for: schema.tables["Logical_Router_Policy"]!.columns[name]!.type) } ?? ""
        }
        print(text.joined(separator: "  "))
    }
    await connection.close()
} catch {
    print("ovsdb-quickstart: \(error)")
    exit(1)
}
