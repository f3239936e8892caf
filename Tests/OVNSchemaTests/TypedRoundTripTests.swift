import Foundation
import OVNSchema
import OVSDBClient
import OVSDBTestSupport
import Testing

/// For each table, a chain of strong references from a root table down to it, so the row is
/// not garbage-collected: [(parent table, parent column)], top first.
private func anchorPath(to table: String, in schema: DatabaseSchema) -> [(String, String)]? {
    if schema.tables[table]!.isRoot { return [] }
    for parentName in schema.tables.keys.sorted() {
        let parent = schema.tables[parentName]!
        for column in parent.columnNames {
            let key = parent.columns[column]!.type.key
            guard key.refTable == table, key.refType == .strong, parentName != table else { continue }
            if let upper = anchorPath(to: parentName, in: schema) { return upper + [(parentName, column)] }
        }
    }
    return nil
}

@Suite("typed OVN_Northbound against a real ovsdb-server")
struct TypedRoundTripTests {
    @Test("every NB table round-trips through its generated model, and ovn-nbctl lists what we wrote")
    func everyTableRoundTrips() async throws {
        try await withConnection { server, connection, schema in
            var samples = SampleRows(schema: schema)
            #expect(OVNNorthbound.models.count == schema.tables.count)
            for model in OVNNorthbound.models {
                try await roundTrip(model, &samples, server, connection, schema)
            }
        }
    }

    private func roundTrip<M: OVSDBModel>(_ model: M.Type, _ samples: inout SampleRows, _ server: OVSDBServerFixture,
                                          _ connection: OVSDBConnection, _ schema: DatabaseSchema) async throws {
        let tableName = M.tableName
        var extra: [(String, OVSDBUUID, Row)] = []
        let sample = samples.row(for: tableName, extra: &extra)
        // Row -> model -> row must be lossless for every column.
        let typed = try M(row: sample)
        #expect(typed.row(nil) == sample, "\(tableName): model loses data")
        let uuid = OVSDBUUID.random()
        var operations: [OVSDBOperation] = extra.map { .insert(table: $0.0, row: $0.2, uuid: $0.1) }
        // A one-row table (NB_Global) is emptied first: its earlier row was checked already.
        if schema.tables[tableName]?.maxRows == 1 { operations.insert(.delete(table: tableName, where: .all), at: 0) }
        operations.append(.insert(table: tableName, row: typed.row(nil), uuid: uuid))
        // Anchor non-root rows under fresh rows of root tables.
        let path = try #require(anchorPath(to: tableName, in: schema), "\(tableName) has no root")
        var child = uuid
        for (parentTable, column) in path.reversed() {
            var parentExtra: [(String, OVSDBUUID, Row)] = []
            var parent = samples.row(for: parentTable, extra: &parentExtra)
            parent[column] = .scalar(.uuid(child))
            let parentUUID = OVSDBUUID.random()
            if schema.tables[parentTable]?.maxRows == 1 { operations.insert(.delete(table: parentTable, where: .all), at: 0) }
            operations += parentExtra.map { .insert(table: $0.0, row: $0.2, uuid: $0.1) }
            operations.append(.insert(table: parentTable, row: parent, uuid: parentUUID))
            child = parentUUID
        }
        _ = try await connection.transact("OVN_Northbound", operations, schema: schema)

        // Read back typed.
        let back = try await connection.transact("OVN_Northbound", [
            .select(table: tableName, where: Condition([.uuid(uuid)])),
        ], schema: schema)
        let row = try #require(back[0].rows?.first, "\(tableName): row not found after commit")
        var read = try M(row: row)
        #expect(read.uuid == uuid)
        read.uuid = nil
        #expect(read.row(nil) == sample, "\(tableName): server returned different values")

        // And as the reference peer sees it.
        let listed = try await server.nbctl(["--format=json", "list", tableName, uuid.description])
        let json = try JanssonCodec.decode(listed)
        let headings = json["headings"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let data = try #require(json["data"]?.arrayValue?.first?.arrayValue, "\(tableName): ovn-nbctl shows no row")
        let table = schema.tables[tableName]!
        for (heading, value) in zip(headings, data) {
            if heading == "_uuid" {
                #expect(value == Atom.uuid(uuid).json)
                continue
            }
            guard let column = table.columns[heading] else { continue }
            let datum = try Datum(json: value, type: ColumnType(key: column.type.key, value: column.type.value, min: 0, max: nil))
            #expect(datum == sample[heading], "\(tableName).\(heading): ovn-nbctl shows \(value)")
        }
        #expect(Set(headings).isSuperset(of: Set(table.columns.keys)), "\(tableName): ovn-nbctl lists every column")
    }

    @Test("typed transaction: references between new rows, typed select, typed conditions")
    func typedTransaction() async throws {
        try await withConnection { server, connection, schema in
            var txn = TypedTransaction(database: OVNNorthbound.name, schema: schema)
            let policy = txn.insert(LogicalRouterPolicy(
                action: .reroute, externalIDs: ["EgressSVC": "default/example-service"],
                match: "ip4.src == 10.124.0.3", nexthops: ["10.124.2.2"], priority: 101))
            txn.insert(LogicalRouter(name: "ovn_cluster_router", policies: [policy]))
            let read = txn.select(LogicalRouterPolicy.self, where: [.where(LogicalRouterPolicy.Column.priority, .equal, 101)])
            #expect(txn.writeCount == 2)
            let results = try await connection.transact(txn)
            let policies = try results.rows(read)
            #expect(policies.count == 1)
            #expect(policies.first?.uuid == policy)
            #expect(policies.first?.action == .reroute)
            let listing = try await server.nbctl(["lr-policy-list", "ovn_cluster_router"])
            #expect(listing.contains("ip4.src == 10.124.0.3") && listing.contains("10.124.2.2"))
        }
    }

    @Test("invalid values are refused before sending, naming table, column, value and rule")
    func validation() async throws {
        try await withConnection { server, connection, schema in
            func refused(_ build: (inout TypedTransaction) -> Void, _ check: (OVSDBError) -> Bool) async {
                var txn = TypedTransaction(database: OVNNorthbound.name, schema: schema)
                build(&txn)
                await #expect {
                    _ = try await connection.transact(txn)
                } throws: { error in
                    guard case OVSDBClientError.invalidRequest(let e) = error else { return false }
                    return check(e)
                }
            }
            // Integer range.
            await refused({ $0.insert(LogicalRouterPolicy(action: .allow, match: "1", priority: 99_999)) }) { e in
                e.table == "Logical_Router_Policy" && e.column == "priority" && e.ovsText.contains("99999 is not in the valid range 0 to 32767")
            }
            // Set size.
            await refused({ $0.insert(LogicalRouterPort(mac: "00:00:00:00:00:01", name: "p", networks: [])) }) { e in
                e.column == "networks" && e.ovsText.contains("0 are present")
            }
            // String length.
            let longName = String(repeating: "n", count: 64)
            await refused({ $0.insert(ACL(action: .drop, direction: .fromLport, match: "1", name: longName, priority: 1)) }) { e in
                e.table == "ACL" && e.column == "name" && e.ovsText.contains("length 64 is greater than maximum allowed length 63")
            }
            // A reference to a row of the wrong table, inserted in the same transaction.
            await refused({ txn in
                let other = txn.insert(AddressSet(name: "as"))
                txn.insert(LogicalRouter(name: "r", policies: [other]))
            }) { e in
                e.table == "Logical_Router" && e.column == "policies" && e.ovsText.contains("Logical_Router_Policy")
            }
            let routers = try await server.nbctl(["--bare", "--columns=name", "list", "Logical_Router"])
            #expect(routers.isEmpty, "nothing was written")
        }
    }

    @Test("an older server schema (a column dropped, version lowered) connects and works, with warnings")
    func versionSkew() async throws {
        var template = Array("/tmp/ovsdb-oldschema.XXXXXX".utf8CString)
        let dir = String(cString: mkdtemp(&template)!)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var json = try JanssonCodec.decode(Array(try Data(contentsOf: URL(fileURLWithPath: OVSDBServerFixture.nbSchemaPath))))
        guard case .object(var top) = json, case .object(var tables)? = top["tables"], case .object(var policy)? = tables["Logical_Router_Policy"],
              case .object(var columns)? = policy["columns"] else { Issue.record("schema shape"); return }
        columns.removeValue(forKey: "options")
        policy["columns"] = .object(columns)
        tables["Logical_Router_Policy"] = .object(policy)
        tables.removeValue(forKey: "Chassis_Template_Var")
        top["tables"] = .object(tables)
        top["version"] = "6.3.0"
        top.removeValue(forKey: "cksum")
        json = .object(top)
        let path = dir + "/old-nb.ovsschema"
        try Data(JanssonCodec.encode(json)).write(to: URL(fileURLWithPath: path))

        try await withServer(schema: path) { server in
            let connection = try await OVSDBConnection.connect(to: server.remote)
            let schema = try await connection.schema(of: OVNNorthbound.name)
            #expect(schema.version == "6.3.0")
            var txn = TypedTransaction(database: OVNNorthbound.name, schema: schema)
            let p = txn.insert(LogicalRouterPolicy(action: .allow, match: "1", options: ["pkt_mark": "1008"], priority: 102))
            txn.insert(LogicalRouter(name: "r", policies: [p]))
            txn.insert(ChassisTemplateVar(chassis: "c1"))
            #expect(txn.warnings.count == 2)
            #expect(txn.warnings.contains { $0.contains("Logical_Router_Policy.options") })
            #expect(txn.warnings.contains { $0.contains("Chassis_Template_Var") })
            let read = txn.select(LogicalRouterPolicy.self)
            let results = try await connection.transact(txn)
            let policies = try results.rows(read)
            #expect(policies.count == 1)
            #expect(policies.first?.options == [:])
            #expect(try await server.nbctl(["lr-policy-list", "r"]).contains("102"))
            await connection.close()
        }
    }
}
