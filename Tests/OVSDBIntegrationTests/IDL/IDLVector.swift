import Foundation
import OVSDBClient
import OVSDBTestSupport

/// One of Open vSwitch's IDL scenarios from `../shared/conformance/idl-vectors.json` (read
/// in place: third-party data, never copied into this repository).
struct IDLVector: Sendable, CustomStringConvertible {
    var id: Int
    var title: String
    var schema: String
    var options: [String]
    var initialTransactions: [String]
    var steps: [String]
    var filters: [String]
    var expected: String

    var description: String { "\(id): \(title)" }

    static let folder = OVSDBServerFixture.repositoryRoot + "/../shared/conformance"

    static func load() -> [IDLVector] {
        guard let data = FileManager.default.contents(atPath: folder + "/idl-vectors.json"),
              let json = try? JanssonCodec.decode(Array(data)), let list = json["vectors"]?.arrayValue else { return [] }
        return list.compactMap { v in
            guard let id = v["id"]?.integerValue, let title = v["title"]?.stringValue else { return nil }
            return IDLVector(id: Int(id), title: title, schema: v["schema"]?.stringValue ?? "idltest",
                             options: v["test_ovsdb_options"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                             initialTransactions: v["initial_transactions"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                             steps: v["steps"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                             filters: v["filters"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                             expected: v["expected_output"]?.stringValue ?? "")
        }
    }

    /// The output filters of the OVS testsuite: `sort` (byte-wise line sort) and `uuidfilt`
    /// (UUIDs not starting with ffffffff become <N> by first appearance, then lists of them are
    /// sorted).
    static func filter(_ text: String, with filters: [String]) -> String {
        var out = text
        for f in filters {
            if f == "sort" {
                var lines = out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                if lines.last == "" { lines.removeLast() }
                lines.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                out = lines.map { $0 + "\n" }.joined()
            } else if f == "uuidfilt" {
                out = uuidfilt(out)
            } else if f.hasPrefix("sed -e '/") {
                out = sed(out, f)
            }
        }
        return out
    }

    /// The one sed form the vectors use: `sed -e '/ADDRESS/s/RE/REPLACEMENT/'`.
    static func sed(_ text: String, _ command: String) -> String {
        let body = command.dropFirst("sed -e '/".count).dropLast()
        let parts = body.components(separatedBy: "/")
        guard parts.count >= 5, parts[1] == "s" else { return text }
        let address = parts[0], re = try! NSRegularExpression(pattern: parts[2]), replacement = parts[3]
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let l = String(line)
            guard l.contains(address) else { return l }
            return re.stringByReplacingMatches(in: l, range: NSRange(location: 0, length: (l as NSString).length), withTemplate: replacement)
        }.joined(separator: "\n")
    }

    static func uuidfilt(_ text: String) -> String {
        let pattern = try! NSRegularExpression(pattern: "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
        var numbers: [String: Int] = [:]
        let ns = text as NSString
        var result = ""
        var last = 0
        for m in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let u = ns.substring(with: m.range)
            result += ns.substring(with: NSRange(location: last, length: m.range.location - last))
            if u.lowercased().hasPrefix("ffffffff") {
                result += u
            } else {
                let n = numbers[u] ?? numbers.count
                numbers[u] = n
                result += "<\(n)>"
            }
            last = m.range.location + m.range.length
        }
        result += ns.substring(from: last)
        // Sort ["set",[["uuid","<N>"],...]] lists, as the testsuite's uuidfilt does.
        let sets = try! NSRegularExpression(pattern: #"\["set",\[(\["uuid","<\d+>"\](?:,\["uuid","<\d+>"\])*)\]\]"#)
        let r = result as NSString
        var sorted = ""
        last = 0
        for m in sets.matches(in: result, range: NSRange(location: 0, length: r.length)) {
            sorted += r.substring(with: NSRange(location: last, length: m.range.location - last))
            let inner = r.substring(with: m.range(at: 1))
            let items = inner.components(separatedBy: "],[").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) }
            let nums = items.compactMap { Int($0.replacingOccurrences(of: "\"uuid\",\"<", with: "").replacingOccurrences(of: ">\"", with: "")) }.sorted()
            sorted += "[\"set\",[" + nums.map { "[\"uuid\",\"<\($0)>\"]" }.joined(separator: ",") + "]]"
            last = m.range.location + m.range.length
        }
        sorted += r.substring(from: last)
        return sorted
    }
}
