import Testing
@testable import OVSDBClient

@Suite("atoms, data, rows and schemas")
struct DataModelTests {
    private func nbSchema() throws -> DatabaseSchema {
        try DatabaseSchema(json: JanssonCodec.decode(try #require(readFile(packageRoot() + "/schemas/ovn-nb.ovsschema"))))
    }

    @Test("the NB schema parses with its tables, enums, ranges and references")
    func nbSchemaParses() throws {
        let schema = try nbSchema()
        #expect(schema.name == "OVN_Northbound")
        #expect(schema.version == "7.0.0")
        #expect(schema.checksum == "94023179 33468")
        let policy = try #require(schema.tables["Logical_Router_Policy"])
        #expect(policy.columns["priority"]?.type.key.maxInteger == 32767)
        #expect(policy.columns["action"]?.type.key.enumeration == ["allow", "drop", "reroute"])
        #expect(policy.columns["nexthops"]?.type.max == nil)
        #expect(schema.tables["Logical_Router"]?.columns["policies"]?.type.key.refTable == "Logical_Router_Policy")
        #expect(schema.tables["NB_Global"]?.isRoot == true)
        #expect(schema.tables["Logical_Router_Policy"]?.isRoot == false)
        #expect(schema.tables["Address_Set"]?.indexes == [["name"]])
        // Printing and reading back gives the same schema.
        #expect(try DatabaseSchema(json: schema.json) == schema)
    }

    @Test("a set of strings given in order is the sorted set; out of order or repeated, it is sorted and repeats dropped")
    func orderedStrings() throws {
        let members = ["10.128.0.10", "10.128.0.2", "10.129.0.1", "fd00::a", "10.128.0.100"]
        let sorted = try Datum.set(members.map(Atom.string))
        let bytewise = members.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(Datum(orderedStrings: bytewise) == sorted)
        #expect(Datum(orderedStrings: members) == sorted)
        #expect(Datum(orderedStrings: members + members.reversed()) == sorted)
        #expect(Datum(orderedStrings: ["x"]) == .scalar(.string("x")))
        #expect(Datum(orderedStrings: []) == .emptySet)
    }

    @Test("the SB schema from Debian's ovn-central parses too")
    func sbSchemaParses() throws {
        let bytes = try #require(readFile("/usr/share/ovn/ovn-sb.ovsschema"), "ovn-central must be installed")
        let schema = try DatabaseSchema(json: JanssonCodec.decode(bytes))
        #expect(schema.name == "OVN_Southbound")
        #expect(schema.tables["Port_Binding"]?.columns["logical_port"] != nil)
    }

    @Test("a datum that breaks its column's rule names table, column and rule")
    func validationNamesTheRule() throws {
        let schema = try nbSchema()
        let bad = OVSDBOperation.insert(table: "Logical_Router_Policy", row: Row([
            "priority": .scalar(101), "match": .scalar("ip4.src == 1.1.1.1"), "action": .scalar("reroute"),
            "bfd_sessions": try .set([.string("not-a-uuid")]),
        ]))
        #expect {
            try bad.validate(against: schema)
        } throws: { error in
            guard let e = error as? OVSDBError else { return false }
            return e.table == "Logical_Router_Policy" && e.column == "bfd_sessions"
        }
        let tooMany = OVSDBOperation.update(table: "Logical_Router_Policy", where: .all, row: Row(["priority": try .set([1, 2])]))
        #expect {
            try tooMany.validate(against: schema)
        } throws: { error in
            (error as? OVSDBError)?.description == "table Logical_Router_Policy column priority: constraint violation: set must have 1 to 1 members but 2 are present"
        }
        let unknown = OVSDBOperation.select(table: "Logical_Router", where: Condition([.column("nope", .equal, .scalar(1))]))
        #expect(throws: OVSDBError.self) { try unknown.validate(against: schema) }
    }

    @Test("maps and sets are sorted and print in RFC 7047 form")
    func datumForms() throws {
        let map = Datum.stringMap(["b": "2", "a": "1"])
        #expect(CanonicalJSON.string(map.json) == #"["map",[["a","1"],["b","2"]]]"#)
        #expect(map[.string("b")] == .string("2"))
        #expect(try Datum.set([3, 1, 2]).keys == [1, 2, 3])
        #expect(CanonicalJSON.string(Datum.scalar("x").json) == #""x""#)
        #expect(throws: OVSDBError.self) { try Datum.set(["a", "a"]) }
        let typed = try Datum(json: ["map", [["k", "v"]]], type: ColumnType(key: .string, value: .string, min: 0, max: nil))
        #expect(typed == .stringMap(["k": "v"]))
    }

    @Test("operations encode to the wire form the RFC gives")
    func operationJSON() {
        let uuid = OVSDBUUID("6d53a6dd-2da7-4924-9927-97f613812382")!
        let op = OVSDBOperation.mutate(table: "Logical_Router", where: Condition([.column("_uuid", .equal, .scalar(.uuid(uuid)))]),
                                  mutations: [.insert("policies", .scalar(.namedUUID("p")))])
        #expect(CanonicalJSON.string(op.json) ==
                #"{"mutations":[["policies","insert",["named-uuid","p"]]],"op":"mutate","table":"Logical_Router","where":[["_uuid","==",["uuid","6d53a6dd-2da7-4924-9927-97f613812382"]]]}"#)
        #expect(CanonicalJSON.string(OVSDBOperation.wait(table: "T", where: .all, columns: ["a"], until: .notEqual, rows: [], timeout: 5).json) ==
                #"{"columns":["a"],"op":"wait","rows":[],"table":"T","timeout":5,"until":"!=","where":[]}"#)
    }

    @Test("UUIDs parse in either case, print lower-case and order like their text")
    func uuids() {
        let a = OVSDBUUID("550E8400-E29B-41D4-A716-446655440000")!
        #expect(a.description == "550e8400-e29b-41d4-a716-446655440000")
        #expect(OVSDBUUID("550e8400e29b41d4a716446655440000") == nil)
        #expect(OVSDBUUID("550e8400-e29b-41d4-a716-44665544000g") == nil)
        let r = (0..<50).map { _ in OVSDBUUID.random() }
        #expect(r.sorted().map(\.description) == r.map(\.description).sorted())
    }
}
