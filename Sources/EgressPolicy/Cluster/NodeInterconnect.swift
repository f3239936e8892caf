import OVSDBClient

/// A node annotation that gives one interface address per family (`{"ipv4":"100.88.0.2/16"}`):
/// its addresses, or why there are none. A bad value is kept as a problem, not thrown: it
/// matters only for the services whose host the node is, in other zones than its own.
public enum AnnotatedAddresses: Sendable, Hashable {
    case missing
    case malformed(String)
    case addresses([IPAddress])

    /// The address of `family`, with its prefix removed.
    public func address(_ family: IPAddress.Family) -> IPAddress? {
        guard case .addresses(let list) = self else { return nil }
        return list.first { $0.family == family }
    }

    /// Why there is no address of `family`, for a warning.
    public func problem(_ family: IPAddress.Family) -> String {
        switch self {
        case .missing: return "has no annotation"
        case .malformed(let why): return "is malformed (\(why))"
        case .addresses: return "has no \(family) address"
        }
    }

    /// `{"ipv4":"100.88.0.2/16","ipv6":"fd97::2/64"}`: both keys optional, each an address in
    /// CIDR notation (host bits set: it is the port's own address).
    static func parse(_ text: String?) -> AnnotatedAddresses {
        guard let text else { return .missing }
        let json: JSON
        do { json = try JanssonCodec.decode(text) } catch { return .malformed("not JSON: \(error.message)") }
        return parse(json)
    }

    /// The gateway router's join-switch port (`k8s.ovn.org/node-gateway-router-lrp-ifaddrs`,
    /// `{"default":{"ipv4":"100.64.0.4/16"}}`), else the join subnets plus `k8s.ovn.org/node-id`
    /// (what OVN-Kubernetes computes from it since 2025-07): the nexthop of a zone's catch-all
    /// route. The annotation wins when both are given.
    static func parseGatewayJoin(_ lrpIfaddrs: String?, nodeID: String?) -> AnnotatedAddresses {
        if let lrpIfaddrs {
            let json: JSON
            do { json = try JanssonCodec.decode(lrpIfaddrs) } catch { return .malformed("\(Node.gatewayRouterAnnotation) is not JSON: \(error.message)") }
            guard let network = json.objectValue?["default"] else {
                return .malformed("\(Node.gatewayRouterAnnotation) has no \"default\" network")
            }
            if case .malformed(let why) = parse(network) { return .malformed("\(Node.gatewayRouterAnnotation): \(why)") }
            return parse(network)
        }
        guard let nodeID else { return .missing }
        // The join subnets are 100.64.0.0/16 and fd98::/64: an ID must leave room in the v4 one.
        guard !nodeID.isEmpty, nodeID.utf8.allSatisfy({ (48...57).contains($0) }), nodeID.utf8.count <= 5,
              let id = UInt64(nodeID), id >= 1, id < 65535 else {
            return .malformed("\(Node.nodeIDAnnotation) \(SafeText.quoted(nodeID)) is not a node ID (an integer from 1 to 65534)")
        }
        return .addresses([Node.joinSubnetV4.adding(id), Node.joinSubnetV6.adding(id)])
    }

    private static func parse(_ json: JSON) -> AnnotatedAddresses {
        guard let object = json.objectValue else { return .malformed("not a JSON object") }
        var out: [IPAddress] = []
        for (key, family) in [("ipv4", IPAddress.Family.v4), ("ipv6", .v6)] {
            guard let value = object[key] else { continue }
            guard let s = value.stringValue, let ip = interfaceAddress(s), ip.family == family else {
                return .malformed("\(key) \(SafeText.quoted(value.stringValue ?? "\(value)")) is not an \(family) address with a prefix length")
            }
            out.append(ip)
        }
        return out.isEmpty ? .malformed("neither ipv4 nor ipv6") : .addresses(out)
    }

    /// `100.88.0.2/16` -> 100.88.0.2; nil unless the prefix length fits the family.
    static func interfaceAddress(_ s: String) -> IPAddress? {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let ip = IPAddress(parts[0]), let length = Int(parts[1]), length >= 0,
              length <= (ip.family == .v4 ? 32 : 128), parts[1].allSatisfy(\.isASCII) else { return nil }
        return ip
    }
}

extension Node {
    static let zoneNameAnnotation = "k8s.ovn.org/zone-name"
    static let transitAnnotation = "k8s.ovn.org/node-transit-switch-port-ifaddr"
    static let gatewayRouterAnnotation = "k8s.ovn.org/node-gateway-router-lrp-ifaddrs"
    static let nodeIDAnnotation = "k8s.ovn.org/node-id"
    /// OVN-Kubernetes' default join subnets (its `--gateway-v4-join-subnet` / v6).
    static let joinSubnetV4 = IPAddress("100.64.0.0")!
    static let joinSubnetV6 = IPAddress("fd98::")!
}
