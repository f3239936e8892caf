/// The fields of a Kubernetes object this tool reads, whatever its kind: the decoder keeps
/// these and skips everything else as it streams.
struct ManifestObject: Sendable, Equatable {
    struct SelectorRequirement: Sendable, Equatable {
        var key: String?
        var op: String?
        var values: [String] = []
    }

    struct Selector: Sendable, Equatable {
        var matchLabels: [String: String] = [:]
        var matchExpressions: [SelectorRequirement] = []
    }

    struct Ingress: Sendable, Equatable {
        var ip: String?
        var hostname: String?
    }

    struct Condition: Sendable, Equatable {
        var type: String
        var status: String
    }

    struct Endpoint: Sendable, Equatable {
        var addresses: [String] = []
        var nodeName: String?
    }

    var file = ""
    var document = 0
    var line = 0

    var apiVersion: String?
    var kind: String?
    var name: String?
    var namespace: String?
    var labels: [String: String] = [:]
    var annotations: [String: String] = [:]

    // EgressService spec/status
    var sourceIPBy: String?
    var nodeSelector: Selector?
    var network: String?
    var statusHost: String?

    // Service spec/status
    var serviceType: String?
    var externalTrafficPolicy: String?
    var clusterIPs: [String] = []
    var clusterIP: String?
    var ingress: [Ingress] = []

    // Node status
    var conditions: [Condition] = []

    // EndpointSlice
    var addressType: String?
    var endpoints: [Endpoint] = []

    // List
    var items: [ManifestObject] = []

    /// `Kind namespace/name`, for messages (escaped: it is printed before it is checked).
    var identity: String {
        let n = [namespace, name].compactMap { $0 }.joined(separator: "/")
        return SafeText.escaped("\(kind ?? "object") \(n.isEmpty ? "(unnamed)" : n)")
    }
}
