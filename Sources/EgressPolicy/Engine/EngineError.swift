/// Why the engine cannot plan or apply.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case routerMissing(String)
    case conflict(attempts: Int)

    public var description: String {
        switch self {
        case .routerMissing(let r): return "logical router \(r) not found in the Northbound database"
        case .conflict(let n): return "the database kept changing under the apply; gave up after \(n) attempts"
        }
    }
}
