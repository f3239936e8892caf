import Foundation
import Testing
import OVSDBClient
import OVSDBTestSupport

private let nb = "OVN_Northbound"

/// A router with one reroute policy, inserted in one transaction with named UUIDs.
private func insertRouterWithPolicy(_ connection: OVSDBConnection, _ schema: DatabaseSchema) async throws -> [OperationResult] {
    try await connection.transact(nb, [
        .insert(table: "Logical_Router_Policy", row: Row([
            "priority": .scalar(101),
            "match": .scalar("ip4.src == 10.124.0.3"),
            "action": .scalar("reroute"),
            "nexthops": try .set(["10.124.2.2"]),
            "external_ids": .stringMap(["EgressSVC": "default/example-service"]),
        ]), uuidName: "policy"),
        .insert(table: "Logical_Router", row: Row([
            "name": .scalar("ovn_cluster_router"),
            "policies": try .set([.namedUUID("policy")]),
        ]), uuidName: "router"),
    ], schema: schema)
}

@Suite("transact against a real ovsdb-server")
struct TransactTests {
    @Test("every reply read in place (in-place size 0) gives the results a tree gives: rows, uuids, counts, errors")
    func inPlaceReplies() async throws {
        try await withConnection { server, plain, schema in
            var configuration = OVSDBConnection.Configuration()
            configuration.inPlaceReadingSize = 0
            let inPlace = try await OVSDBConnection.connect(to: server.remote, configuration: configuration)
            defer { Task { await inPlace.close() } }
            _ = try await insertRouterWithPolicy(inPlace, schema)
            let reads: [OVSDBOperation] = [
                .select(table: "Logical_Router_Policy", where: Condition([]), columns: nil),
                .select(table: "Logical_Router", where: Condition([]), columns: ["name", "policies"]),
                .select(table: "Address_Set", where: Condition([]), columns: nil),
            ]
            let a = try await plain.transact(nb, reads, schema: schema)
            let b = try await inPlace.transact(nb, reads, schema: schema)
            #expect(a == b && a[0].rows?.count == 1 && a[1].rows?.first?["name"] == .scalar("ovn_cluster_router"))
            let untyped = try await inPlace.transact(nb, reads)
            #expect(untyped.map { $0.rows?.count } == [1, 1, 0])
            let counted = try await inPlace.transact(nb, [.delete(table: "Address_Set", where: Condition([]))], schema: schema)
            #expect(counted.first?.count == 0)
            // The server refuses a row whose client-chosen UUID is taken.
            let taken = try #require(a[0].rows?.first?.uuid)
            let failing: [OVSDBOperation] = [.insert(table: "Logical_Router_Policy", row: Row(["priority": .scalar(1), "match": .scalar("1"), "action": .scalar("allow")]), uuid: taken)]
            do {
                _ = try await inPlace.transact(nb, failing, schema: schema)
                Issue.record("a duplicate uuid was accepted")
            } catch OVSDBClientError.transactionFailed(let index, _, let error) {
                #expect(index == 0 && error.tag == "duplicate uuid")
            }
            let again = try await inPlace.transact(nb, reads, schema: schema)
            #expect(again == b, "the connection still serves after a failed transaction")
        }
    }

    @Test("list_dbs and get_schema return the served databases and the NB schema")
    func listAndSchema() async throws {
        try await withConnection { _, connection, schema in
            let dbs = try await connection.listDatabases()
            #expect(dbs.contains(nb))
            #expect(dbs.contains("_Server"))
            let file = try JanssonCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: OVSDBServerFixture.nbSchemaPath))))
            let local = try DatabaseSchema(json: file)
            #expect(schema.name == nb)
            #expect(schema.version == "7.0.0")
            #expect(schema.checksum == local.checksum)
            #expect(schema.tables.keys.sorted() == local.tables.keys.sorted())
            #expect(schema.tables["Logical_Router_Policy"] == local.tables["Logical_Router_Policy"])
            let server = try await connection.schema(of: "_Server")
            #expect(server.tables["Database"]?.columns["leader"] != nil)
        }
    }

    @Test("insert with named UUIDs: ovn-nbctl lr-policy-list shows the policy")
    func insertIsSeenByNbctl() async throws {
        try await withConnection { server, connection, schema in
            let results = try await insertRouterWithPolicy(connection, schema)
            #expect(results.count == 2)
            #expect(results.allSatisfy { $0.uuid != nil })
            let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
            #expect(listing.contains("101"))
            #expect(listing.contains("ip4.src == 10.124.0.3"))
            #expect(listing.contains("reroute"))
            #expect(listing.contains("10.124.2.2"))
            let ids = try await server.nbctl(["--bare", "--columns=external_ids", "list", "Logical_Router_Policy"])
            #expect(ids.trimmingCharacters(in: .whitespacesAndNewlines) == "EgressSVC=default/example-service")
        }
    }

    @Test("insert with an explicit uuid keeps that uuid")
    func insertWithExplicitUUID() async throws {
        try await withConnection { server, connection, schema in
            let uuid = OVSDBUUID("6d53a6dd-2da7-4924-9927-97f613812382")!
            let results = try await connection.transact(nb, [
                .insert(table: "Address_Set", row: Row(["name": .scalar("as1")]), uuid: uuid),
            ], schema: schema)
            #expect(results[0].uuid == uuid)
            let listed = try await server.nbctl(["--bare", "--columns=_uuid", "find", "Address_Set", "name=as1"])
            #expect(listed.trimmingCharacters(in: .whitespacesAndNewlines) == uuid.description)
        }
    }

    @Test("select with conditions, update, mutate and delete change exactly what they should")
    func selectUpdateMutateDelete() async throws {
        try await withConnection { server, connection, schema in
            _ = try await insertRouterWithPolicy(connection, schema)
            let policyWhere = Condition([.column("priority", .equal, .scalar(101)),
                                         .column("external_ids", .includes, .stringMap(["EgressSVC": "default/example-service"]))])
            let selected = try await connection.transact(nb, [
                .select(table: "Logical_Router_Policy", where: policyWhere, columns: ["_uuid", "match", "nexthops"]),
            ], schema: schema)
            let rows = try #require(selected[0].rows)
            #expect(rows.count == 1)
            #expect(rows[0]["match"] == .scalar("ip4.src == 10.124.0.3"))
            #expect(rows[0]["priority"] == nil, "only the selected columns come back")
            let policy = try #require(rows[0].uuid)

            let updated = try await connection.transact(nb, [
                .update(table: "Logical_Router_Policy", where: Condition([.column("_uuid", .equal, .scalar(.uuid(policy)))]),
                        row: Row(["nexthops": try .set(["10.124.1.2"])])),
                .mutate(table: "Address_Set", where: .all, mutations: []),
            ], schema: schema)
            #expect(updated[0].count == 1)
            #expect(try await server.nbctl(["lr-policy-list", "ovn_cluster_router"]).contains("10.124.1.2"))

            let mutated = try await connection.transact(nb, [
                .mutate(table: "Logical_Router_Policy", where: Condition([.column("_uuid", .equal, .scalar(.uuid(policy)))]), mutations: [
                    .insert("external_ids", .stringMap(["owner": "test"])),
                    .delete("external_ids", try .set(["EgressSVC"])),
                    Mutation(column: "priority", mutator: .add, value: .scalar(1)),
                ]),
            ], schema: schema)
            #expect(mutated[0].count == 1)
            let ids = try await server.nbctl(["--bare", "--columns=external_ids,priority", "list", "Logical_Router_Policy"])
            #expect(ids.contains("owner=test"))
            #expect(!ids.contains("EgressSVC"))
            #expect(ids.contains("102"))

            let deleted = try await connection.transact(nb, [
                .mutate(table: "Logical_Router", where: Condition([.column("name", .equal, .scalar("ovn_cluster_router"))]),
                        mutations: [.delete("policies", try .set([.uuid(policy)]))]),
                .delete(table: "Logical_Router_Policy", where: Condition([.column("_uuid", .equal, .scalar(.uuid(policy)))])),
            ], schema: schema)
            #expect(deleted[0].count == 1)
            #expect(deleted[1].count == 1)
            #expect(try await server.nbctl(["lr-policy-list", "ovn_cluster_router"]).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
        }
    }

    @Test("wait succeeds when rows match and times out when they do not")
    func waitOperation() async throws {
        try await withConnection { _, connection, schema in
            _ = try await insertRouterWithPolicy(connection, schema)
            let whereRouter = Condition([.column("name", .equal, .scalar("ovn_cluster_router"))])
            let ok = try await connection.transact(nb, [
                .wait(table: "Logical_Router", where: whereRouter, columns: ["name"], until: .equal,
                      rows: [Row(["name": .scalar("ovn_cluster_router")])], timeout: 0),
            ], schema: schema)
            #expect(ok.count == 1)
            await #expect {
                _ = try await connection.transact(nb, [
                    .wait(table: "Logical_Router", where: whereRouter, columns: ["name"], until: .equal,
                          rows: [Row(["name": .scalar("other")])], timeout: 0),
                    .insert(table: "Address_Set", row: Row(["name": .scalar("never")])),
                ], schema: schema)
            } throws: { error in
                guard case OVSDBClientError.transactionFailed(0, "wait", let e) = error else { return false }
                return e.tag == "timed out"
            }
            let sets = try await connection.transact(nb, [.select(table: "Address_Set", where: .all)], schema: schema)
            #expect(sets[0].rows?.isEmpty == true, "a failed transaction writes nothing")
        }
    }

    @Test("commit, abort, comment and assert")
    func commitAbortCommentAssert() async throws {
        try await withConnection { server, connection, schema in
            let committed = try await connection.transact(nb, [
                .insert(table: "Address_Set", row: Row(["name": .scalar("kept")])),
                .comment("ovn-egressctl test"),
                .commit(durable: false),
            ], schema: schema)
            #expect(committed.count == 3)
            #expect(try await server.nbctl(["--bare", "--columns=name", "list", "Address_Set"]).contains("kept"))

            await #expect {
                _ = try await connection.transact(nb, [
                    .insert(table: "Address_Set", row: Row(["name": .scalar("dropped")])),
                    .abort,
                ], schema: schema)
            } throws: { error in
                guard case OVSDBClientError.transactionFailed(1, "abort", let e) = error else { return false }
                return e.tag == "aborted"
            }
            #expect(!(try await server.nbctl(["--bare", "--columns=name", "list", "Address_Set"]).contains("dropped")))

            await #expect {
                _ = try await connection.transact(nb, [.assert(lock: "no_such_lock")], schema: schema)
            } throws: { error in
                guard case OVSDBClientError.transactionFailed(0, "assert", let e) = error else { return false }
                return e.tag == "not owner"
            }
        }
    }

    @Test("rows written by ovn-nbctl read back typed")
    func readsWhatNbctlWrote() async throws {
        try await withConnection { server, connection, schema in
            try await server.nbctl(["lr-add", "r1", "--", "lr-policy-add", "r1", "100", "ip4.src == 1.2.3.4", "drop",
                              "--", "set", "Logical_Router", "r1", "external_ids:k=v"])
            let results = try await connection.transact(nb, [
                .select(table: "Logical_Router_Policy", where: .all),
                .select(table: "Logical_Router", where: Condition([.column("name", .equal, .scalar("r1"))])),
            ], schema: schema)
            let policy = try #require(results[0].rows?.first)
            #expect(policy["priority"] == .scalar(100))
            #expect(policy["action"] == .scalar("drop"))
            #expect(policy["match"] == .scalar("ip4.src == 1.2.3.4"))
            #expect(policy["nexthops"] == .emptySet)
            let router = try #require(results[1].rows?.first)
            #expect(router["external_ids"] == .stringMap(["k": "v"]))
            #expect(router["policies"] == .scalar(.uuid(policy.uuid!)))
        }
    }

    @Test("invalid values are refused before anything is sent")
    func clientSideValidation() async throws {
        try await withConnection { server, connection, schema in
            await #expect {
                _ = try await connection.transact(nb, [
                    .insert(table: "Logical_Router_Policy", row: Row([
                        "priority": .scalar(101), "match": .scalar("1"), "action": .scalar("teleport"),
                    ])),
                ], schema: schema)
            } throws: { error in
                guard case OVSDBClientError.invalidRequest(let e) = error else { return false }
                return e.table == "Logical_Router_Policy" && e.column == "action" && e.ovsText.contains("teleport is not one of the allowed values")
            }
            await #expect {
                _ = try await connection.transact(nb, [
                    .insert(table: "Logical_Router_Policy", row: Row([
                        "priority": .scalar(40000), "match": .scalar("1"), "action": .scalar("allow"),
                    ])),
                ], schema: schema)
            } throws: { error in
                guard case OVSDBClientError.invalidRequest(let e) = error else { return false }
                return e.column == "priority" && e.ovsText.contains("40000 is not in the valid range 0 to 32767")
            }
            let listed = try await server.nbctl(["--bare", "--columns=_uuid", "list", "Logical_Router_Policy"])
            #expect(listed.isEmpty)
        }
    }

    @Test("operations given as a sequence are made once each, as they are encoded; one refused late in it stops all before sending")
    func operationSequence() async throws {
        final class Made: @unchecked Sendable { var count = 0 }
        // The policies, then a router that holds them (unreferenced, they would be collected).
        func policies(_ made: Made, actions: [String]) -> some Sequence<OVSDBOperation> {
            (0...actions.count).lazy.map { i in
                made.count += 1
                guard i < actions.count else {
                    return OVSDBOperation.insert(table: "Logical_Router", row: Row([
                        "name": .scalar("r"), "policies": try! .set(actions.indices.map { .namedUUID("p\($0)") }),
                    ]))
                }
                return OVSDBOperation.insert(table: "Logical_Router_Policy", row: Row([
                    "priority": .scalar(.integer(Int64(100 + i))), "match": .scalar("1"), "action": .scalar(.string(actions[i])),
                ]), uuidName: "p\(i)")
            }
        }
        try await withConnection { server, connection, schema in
            let refused = Made()
            await #expect {
                _ = try await connection.transact(nb, policies(refused, actions: ["allow", "drop", "teleport"]), schema: schema)
            } throws: { error in
                guard case OVSDBClientError.invalidRequest(let e) = error else { return false }
                return e.column == "action"
            }
            #expect(refused.count == 3) // the router after the refused one is never made
            #expect(try await server.nbctl(["--bare", "--columns=_uuid", "list", "Logical_Router_Policy"]).isEmpty)

            let made = Made()
            let results = try await connection.transact(nb, policies(made, actions: ["allow", "drop", "allow"]), schema: schema)
            #expect(made.count == 4)
            #expect(results.count == 4 && results.allSatisfy { $0.uuid != nil })
            let priorities = try await server.nbctl(["--bare", "--columns=priority", "list", "Logical_Router_Policy"])
            #expect(priorities.split(whereSeparator: \.isWhitespace).sorted() == ["100", "101", "102"])
        }
    }

    @Test("the server's own errors surface typed: unknown database, bad column")
    func serverErrors() async throws {
        try await withConnection { _, connection, _ in
            await #expect {
                _ = try await connection.transact("No_Such_DB", [.comment("x")])
            } throws: { error in
                guard case OVSDBClientError.rpcError("transact", let e) = error else { return false }
                return OVSDBError(json: e)?.tag == "unknown database"
            }
            await #expect {
                _ = try await connection.transact(nb, [.select(table: "Logical_Router", where: Condition([.column("nope", .equal, .scalar(1))]))])
            } throws: { error in
                guard case OVSDBClientError.transactionFailed(0, "select", let e) = error else { return false }
                return e.tag == "unknown column"
            }
        }
    }
}
