/// The services that claim one pod IP: almost always one, so it is held inline. The
/// controller keeps two maps of these by pod IP, 100,000 entries each at that many policies,
/// and a one-element `Set<String>` per entry cost about 6 MiB more per map.
struct Owners: Sendable, Equatable {
    private enum Storage: Sendable, Equatable {
        case none
        case one(String)
        case many(Set<String>)
    }

    private var storage: Storage = .none

    init() {}

    var isEmpty: Bool {
        if case .none = storage { return true }
        return false
    }

    var asSet: Set<String> {
        switch storage {
        case .none: return []
        case .one(let o): return [o]
        case .many(let s): return s
        }
    }

    mutating func insert(_ owner: String) {
        switch storage {
        case .none: storage = .one(owner)
        case .one(let o) where o == owner: return
        case .one(let o): storage = .many([o, owner])
        case .many(var s):
            storage = .none
            s.insert(owner)
            storage = .many(s)
        }
    }

    mutating func remove(_ owner: String) {
        switch storage {
        case .none: return
        case .one(let o): if o == owner { storage = .none }
        case .many(var s):
            storage = .none
            s.remove(owner)
            storage = s.count == 1 ? .one(s.first!) : .many(s)
        }
    }

    /// Whether every owner is in `services` (true when there is none).
    func isSubset(of services: Set<String>) -> Bool {
        switch storage {
        case .none: return true
        case .one(let o): return services.contains(o)
        case .many(let s): return s.isSubset(of: services)
        }
    }
}
