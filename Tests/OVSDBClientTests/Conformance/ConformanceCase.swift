@testable import OVSDBClient

/// One case of Open vSwitch's data-model test vectors (../shared/conformance/vectors.json).
struct ConformanceCase: Sendable, CustomStringConvertible {
    var id: Int
    var file: String
    var line: Int
    var title: String
    var command: String
    var args: [String]
    var positive: Bool
    var output: String

    var description: String { "#\(id) \(file):\(line) \(command) \"\(title)\"" }

    init(json: JSON) {
        id = Int(json["id"]?.integerValue ?? -1)
        file = json["file"]?.stringValue ?? ""
        line = Int(json["line"]?.integerValue ?? 0)
        title = json["title"]?.stringValue ?? ""
        command = json["command"]?.stringValue ?? ""
        args = json["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        positive = json["expect"]?.stringValue == "positive"
        output = json["output"]?.stringValue ?? ""
    }

    /// The vectors live outside the project (third-party data): found next to the checkout.
    static func load() throws -> [ConformanceCase]? {
        let root = packageRoot()
        let path = root + "/../shared/conformance/vectors.json"
        guard let bytes = readFile(path) else { return nil }
        let json = try JanssonCodec.decode(bytes)
        return json.arrayValue?.map(ConformanceCase.init(json:))
    }
}

/// What `test-ovsdb` would have printed and returned.
struct ConformanceOutcome: Equatable {
    var stdout = ""
    var stderr = ""
    var exitCode: Int32 = 0
    /// Values also printed by the direct writer, and those it printed differently.
    var encodingsChecked = 0
    var encodingMismatches: [String] = []
}
