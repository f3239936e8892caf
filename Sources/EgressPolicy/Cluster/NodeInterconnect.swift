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
}
