/// Why the engine cannot plan or apply.
public enum EngineError: Error, Sendable, CustomStringConvertible {
    case routerMissing(String)
    case conflict(attempts: Int)
    case nbGlobalMissing
    /// Two databases name the same zone.
    case duplicateZone(String, remotes: [String])

    public var description: String {
        switch self {
        case .routerMissing(let r): return "logical router \(r) not found in the Northbound database"
        case .conflict(let n): return "the database kept changing under the apply; gave up after \(n) attempts"
        case .nbGlobalMissing:
            return "the Northbound database has no NB_Global row, so its zone is unknown: give --zone NAME, or create the row (ovn-nbctl init)"
        case .duplicateZone(let zone, let remotes):
            return "zone \(SafeText.quoted(zone)) is named by several databases (\(remotes.joined(separator: ", "))): each zone is one database"
        }
    }
}
