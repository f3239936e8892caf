#if canImport(Glibc)
import Glibc
#endif
import OVSDBClient

extension ModelGenerator {
    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String)
        public var description: String {
            switch self {
            case .unreadable(let path): return "cannot read \(path)"
            }
        }
    }

    /// Reads a `.ovsschema` file and generates its models.
    public static func generate(schemaFile path: String) throws -> [String: String] {
        guard let f = fopen(path, "rb") else { throw Failure.unreadable(path) }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buffer, 1, buffer.count, f)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        let schema = try DatabaseSchema(json: JanssonCodec.decode(bytes))
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return ModelGenerator(schema: schema, sourceName: name).generate()
    }
}
