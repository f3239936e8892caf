import Foundation
import OVSDBClient

// Measures the wire codec on a 10,000-row select reply of Logical_Router_Policy rows, shaped
// like what ovsdb-server sends for an EgressService deployment, next to Foundation's
// JSONSerialization on the same bytes. Writes the reply to the path given, so other peers
// (scripts/bench-wire.sh runs Python's json) can parse the very same bytes.

func makeReply(rows: Int) -> JSON {
    var list: [JSON] = []
    list.reserveCapacity(rows)
    for i in 0..<rows {
        let ip = "10.\(124 + i / 65536).\((i / 256) % 256).\(i % 256)"
        let row: JSON = [
            "_uuid": ["uuid", .string(OVSDBUUID.random().description)],
            "_version": ["uuid", .string(OVSDBUUID.random().description)],
            "priority": 101,
            "match": .string("ip4.src == \(ip)"),
            "action": "reroute",
            "nexthops": .string("10.124.\(i % 3).2"),
            "nexthop": ["set", []],
            "bfd_sessions": ["set", []],
            "options": ["map", []],
            "external_ids": ["map", [["EgressSVC", .string("ns-\(i % 50)/svc-\(i % 200)")]]],
        ]
        list.append(row)
    }
    return ["id": 7, "error": nil, "result": [["rows": .array(list)]]]
}

func median(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return times.sorted()[runs / 2]
}

let rows = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 10_000
let outPath = CommandLine.arguments.dropFirst(2).first
let runs = 9
let reply = makeReply(rows: rows)
let bytes = JanssonCodec.encode(reply)
let data = Data(bytes)
if let outPath { try data.write(to: URL(fileURLWithPath: outPath)) }
let schemaPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("schemas/ovn-nb.ovsschema")
let schema = try DatabaseSchema(json: JanssonCodec.decode(Array(try Data(contentsOf: schemaPath))))
let table = schema.tables["Logical_Router_Policy"]!
let megabytes = Double(bytes.count) / 1e6

var decoded: JSON = .null
let tDecode = try median(runs) { decoded = try JanssonCodec.decode(bytes) }
let tTyped = try median(runs) {
    let json = try JanssonCodec.decode(bytes)
    let result = json["result"]!.arrayValue![0]
    let r = try OperationResult(json: result, table: table)
    precondition(r.rows?.count == rows)
}
let tEncode = median(runs) { _ = JanssonCodec.encode(decoded) }
var foundationObject: Any = 0
let tFoundationDecode = try median(runs) { foundationObject = try JSONSerialization.jsonObject(with: data) }
let tFoundationEncode = try median(runs) { _ = try JSONSerialization.data(withJSONObject: foundationObject) }

func line(_ name: String, _ seconds: Double) -> String {
    "| \(name) | \(String(format: "%.1f", seconds * 1000)) | \(String(format: "%.1f", megabytes / seconds)) |"
}
print("reply: \(rows) rows, \(String(format: "%.2f", megabytes)) MB; median of \(runs) runs")
print("| step | ms | MB/s |")
print("|---|---:|---:|")
print(line("jansson decode to JSON", tDecode))
print(line("jansson decode + typed rows (OperationResult)", tTyped))
print(line("jansson encode from JSON", tEncode))
print(line("Foundation JSONSerialization decode", tFoundationDecode))
print(line("Foundation JSONSerialization encode", tFoundationEncode))

// A replica applying an update2 modify of one member to an address set of `rows` members
// (the served-pods set when one pod changes).
let addressesType = schema.tables["Address_Set"]!.columns["addresses"]!.type
let members = try Datum.set((0..<rows).map { i in .string("10.\(124 + i / 65536).\((i / 256) % 256).\(i % 256)") })
let oneMore = try Datum.set([.string("10.200.0.1")])
var applied = members
let tApplyAdd = try median(runs) { applied = try members.applyingUpdate2(oneMore, type: addressesType) }
let tApplyRemove = try median(runs) { _ = try applied.applyingUpdate2(oneMore, type: addressesType) }
let tDiff = median(runs) { _ = members.diff(to: applied, type: addressesType) }
// A 1% change: 1% of the members leave and as many come.
let onePercent = max(1, rows / 100)
let churn = try Datum.set(((0..<onePercent).map { i in Atom.string("10.\(124 + i / 65536).\((i / 256) % 256).\(i % 256)") })
                          + (0..<onePercent).map { i in .string("10.250.\(i / 256).\(i % 256)") })
let tApplyChurn = try median(runs) { _ = try members.applyingUpdate2(churn, type: addressesType) }
print(String(format: "update2 of one member to a set of %d: apply an addition %.2f ms, a removal %.2f ms; diff %.2f ms; %d members changed: apply %.2f ms",
             rows, tApplyAdd * 1000, tApplyRemove * 1000, tDiff * 1000, churn.count, tApplyChurn * 1000))
