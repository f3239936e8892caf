import Testing
@testable import OVSDBClient

/// Reading a monitor reply in place must give exactly what reading its tree gives, and refuse
/// exactly what that refuses.
@Suite("monitor replies read in place against the tree")
struct InPlaceReadingTests {
    static let schema = Result { try DatabaseSchema(json: JanssonCodec.decode(readFile(packageRoot() + "/schemas/ovn-nb.ovsschema")!)) }

    struct Flat: Equatable {
        var found: Bool
        var last: OVSDBUUID?
        var rows: [String: [OVSDBUUID: RowUpdate]]
    }

    static func flat(_ reply: MonitorReply) -> Flat {
        Flat(found: reply.found, last: reply.lastTransactionID,
             rows: reply.updates.tables.mapValues { Dictionary($0.map { ($0.uuid, $0.update) }, uniquingKeysWith: { a, _ in a }) })
    }

    static func viaTree(_ text: [UInt8], _ method: MonitorMethod, _ schema: DatabaseSchema) -> Flat? {
        guard let json = try? JSONReader.decode(text), let reply = try? MonitorReply(method: method, result: json, schema: schema) else { return nil }
        return flat(reply)
    }

    static func inPlace(_ text: [UInt8], _ method: MonitorMethod, _ schema: DatabaseSchema) -> Flat? {
        text.withUnsafeBytes { bytes in
            (try? JSONReader.reading(bytes) { reader in try MonitorReply(method: method, reading: &reader, schema: schema) }).map(flat)
        }
    }

    static let updates = #"{"Logical_Router_Policy":{"5a1e0000-0000-4000-8000-000000000001":{"initial":{"priority":101,"match":"ip4.src == 10.128.0.5","action":"reroute","nexthops":["set",["10.130.0.2"]],"external_ids":["map",[["EgressSVC","default/web"]]]}},"5a1e0000-0000-4000-8000-000000000002":{"modify":{"nexthops":"10.131.0.2","external_ids":["map",[["k","v"]]]}},"5a1e0000-0000-4000-8000-000000000003":{"delete":null}},"Address_Set":{"5a1e0000-0000-4000-8000-000000000004":{"insert":{"name":"a1","addresses":["set",["10.128.0.5","10.128.0.6"]]}}}}"#

    static let replies: [(MonitorMethod, String)] = [
        (.monitorCond, updates),
        (.monitorCondSince, #"[true,"0b4d0000-0000-4000-8000-00000000000a","# + updates + "]"),
        (.monitorCondSince, #"[false,"0b4d0000-0000-4000-8000-00000000000a",{}]"#),
        (.monitor, #"{"Address_Set":{"5a1e0000-0000-4000-8000-000000000004":{"new":{"name":"a1","addresses":"10.0.0.1"}},"5a1e0000-0000-4000-8000-000000000005":{"old":{"name":"gone"}}}}"#),
        (.monitorCondSince, #"[true,"0b4d",{}]"#),
        (.monitorCondSince, #"[true,"0b4d0000-0000-4000-8000-00000000000a",{},1]"#),
        (.monitorCondSince, #"[true,"0b4d0000-0000-4000-8000-00000000000a"]"#),
        (.monitorCond, #"{"No_Such_Table":{}}"#),
        (.monitorCond, #"{"Address_Set":{"not-a-uuid":{"insert":{}}}}"#),
        (.monitorCond, #"{"Address_Set":{"5a1e0000-0000-4000-8000-000000000004":{"insert":{"no_column":1}}}}"#),
        (.monitorCond, #"{"Address_Set":{"5a1e0000-0000-4000-8000-000000000004":{"insert":{"name":7}}}}"#),
        (.monitorCond, #"{"Address_Set":[]}"#),
        (.monitorCond, #"[]"#),
    ]

    @Test("valid and invalid replies of every monitor method: the same rows, or both refuse")
    func samples() throws {
        let schema = try Self.schema.get()
        var accepted = 0
        for (method, text) in Self.replies {
            let bytes = Array(text.utf8)
            let tree = Self.viaTree(bytes, method, schema)
            #expect(Self.inPlace(bytes, method, schema) == tree, "\(method) \(text)")
            if tree != nil { accepted += 1 }
        }
        #expect(accepted == 4)
    }

    @Test("seeded byte mutations of a reply: the same rows, or both refuse")
    func mutations() throws {
        let schema = try Self.schema.get()
        let agreedValid = JSONWriterTests.SplitMix.agreement(
            seed: 7_2026_12_02, of: Self.updates,
            tree: { Self.viaTree($0, .monitorCond, schema) }, inPlace: { Self.inPlace($0, .monitorCond, schema) },
            counting: { $0 != nil })
        #expect(agreedValid > 100)
    }

    @Test("new rows read in place get the defaults of the columns asked for; modifies and deletes are left as sent")
    func completing() throws {
        let schema = try Self.schema.get()
        let policy = try #require(schema.tables["Logical_Router_Policy"])
        let asked = ["priority", "match", "action", "nexthop", "nexthops", "options", "external_ids", "bfd_sessions"].compactMap(policy.column)
        let bytes = Array(Self.updates.utf8)
        let reply = try bytes.withUnsafeBytes { b in
            try JSONReader.reading(b) { r in try MonitorReply(method: .monitorCond, reading: &r, schema: schema, completing: ["Logical_Router_Policy": RowShape(asked)]) }
        }
        let plain = try #require(Self.viaTree(bytes, .monitorCond, schema))
        let rows = Dictionary(reply.updates.tables["Logical_Router_Policy"]!.map { ($0.uuid, $0.update) }, uniquingKeysWith: { a, _ in a })
        for (uuid, update) in plain.rows["Logical_Router_Policy"]! {
            guard case .initial(let sent) = update else {
                #expect(rows[uuid] == update)
                continue
            }
            var expected = sent
            for c in asked where expected[c.name] == nil { expected[c.name] = Datum.defaultValue(for: c.type) }
            #expect(rows[uuid] == .initial(expected))
            #expect(expected.count == asked.count && sent.count < asked.count)
        }
        #expect(reply.updates.tables["Address_Set"]?.first?.update == plain.rows["Address_Set"]?.values.first, "tables not asked for are left as sent")
    }
}
