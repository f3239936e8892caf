/// A Kubernetes LabelSelector: `matchLabels` and `matchExpressions`, all of which must hold.
public struct LabelSelector: Sendable, Hashable {
    public enum Operator: String, Sendable, Hashable {
        case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist"
    }

    public struct Requirement: Sendable, Hashable {
        public var key: String
        public var op: Operator
        public var values: [String]
    }

    public var matchLabels: [String: String]
    public var requirements: [Requirement]

    public init(matchLabels: [String: String] = [:], requirements: [Requirement] = []) {
        self.matchLabels = matchLabels
        self.requirements = requirements
    }

    /// An empty selector matches every node.
    public func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        for r in requirements {
            switch r.op {
            case .in: guard let v = labels[r.key], r.values.contains(v) else { return false }
            case .notIn: if let v = labels[r.key], r.values.contains(v) { return false }
            case .exists: if labels[r.key] == nil { return false }
            case .doesNotExist: if labels[r.key] != nil { return false }
            }
        }
        return true
    }
}
